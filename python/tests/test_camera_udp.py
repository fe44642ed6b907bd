"""omvrpc.Camera.udp: OpenMV Protocol V2 over UDP (the firmware's network
transport example) against `omv-rpc sim --v2 --udp PORT --task-ms 50` (the
camera's 50 ms protocol task): information, a script's output, frames
(1400-byte packets), a custom channel, abort."""

import threading

import pytest

import omvrpc
from conftest import SimV2, free_port


@pytest.fixture
def udp_cam():
    sim = SimV2("--udp", str(free_port()), "--task-ms", "50")
    cam = sim.camera()
    yield cam
    cam.close()
    sim.close()


def test_udp_camera(udp_cam):
    cam = udp_cam
    assert cam.caps()["max_payload"] == 1400
    assert cam.version()["firmware_version"] == (4, 7, 0)
    assert cam.port.startswith("udp:127.0.0.1:")
    assert "".join(cam.run('print("over udp")\n')) == "over udp\n"
    frames = list(cam.frames(count=2))
    assert all(f.is_jpeg and f.data[:2] == b"\xff\xd8" and len(f.data) == f.size
               for f in frames)
    cam.exec('import protocol\nprotocol.register("echo")\nwhile True:\n    time.sleep_ms(50)\n')
    for e in cam.events(timeout=30):
        if e.kind == "channel_registered":
            break
    data = bytes(range(256)) * 10  # cut into writes of 1392 bytes
    cam.channel_write("echo", data)
    assert cam.channel_read("echo") == data
    cam.stop()


def test_udp_abort():
    port = free_port()  # nobody answers there
    cam = omvrpc.Camera.udp("127.0.0.1", port, timeout=60, connect=False)
    threading.Timer(0.3, cam.abort).start()
    with pytest.raises(omvrpc.StoppedError):
        cam.connect()
    cam.close()
