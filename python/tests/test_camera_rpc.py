"""rpc over a V2 channel from Python: `omv-rpc sim --v2` runs the shipped
camera script examples/camera/rpc_v2_channel.py; omvrpc.Camera.rpc_master()
and the drop-in rpc.rpc_v2_master call the camera's functions over the
channel and get what the rpc virtual camera (`omv-rpc sim`) gives; the
camera's own commands take turns with the calls; without the script the
master cannot be made."""

import os
import threading

import pytest

import omvrpc
import rpc

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                      "camera", "rpc_v2_channel.py")


def start_script(cam):
    with open(SCRIPT, encoding="utf-8") as f:
        cam.exec(f.read())
    for e in cam.events(timeout=30):
        if e.kind == "channel_registered" and cam.has_channel("rpc"):
            return
    raise AssertionError("the script registered no rpc channel")


def test_no_script_no_master(cam):
    with pytest.raises(omvrpc.LinkError) as e:
        cam.rpc_master()
    assert e.value.status == "OMV_RPC_ERR_NO_DEVICE"
    assert "rpc_v2_channel.py" in str(e.value)


def test_calls_over_the_channel_match_the_rpc_camera(cam, sim_pty):
    start_script(cam)
    reference = sim_pty.master()
    with cam.rpc_master() as m:
        for name in ("face_detection", "qrcode_detection", "jpeg_snapshot"):
            got = m.call(name, recv_timeout=10)
            assert got and got == reference.call(name), name
        assert m.call("no_such_function") == b""
        # Between calls the camera's own commands work.
        assert cam.version()["firmware_version"] == (4, 7, 0)
        with pytest.raises(RuntimeError):
            cam.close()  # the master still uses it
        assert m.call("face_detection", recv_timeout=10) == reference.call("face_detection")
    reference.close()
    cam.stop()


def test_drop_in_master(sim_v2, sim_pty):
    with sim_v2.camera() as cam:
        start_script(cam)
    interface = rpc.rpc_v2_master(sim_v2.path)
    reference = sim_pty.rpc_master()
    result = interface.call("face_detection")
    assert result is not None and len(result) > 0
    assert result.tobytes() == reference.call("face_detection").tobytes()
    assert interface.call("no_such_function", recv_timeout=3000).tobytes() == b""
    interface.camera.stop()
    interface.close()
    assert interface.camera.closed
    reference.close()


def test_two_threads_take_turns_and_nothing_mixes(cam, sim_pty):
    start_script(cam)
    # The scene moves on with each call: the rpc camera's same 100 calls.
    with sim_pty.master() as reference:
        expected = [reference.call("face_detection") for _ in range(100)]
    m = cam.rpc_master()
    calls = []

    def caller():
        for _ in range(100):
            calls.append(m.call("face_detection", recv_timeout=10))

    t = threading.Thread(target=caller)
    t.start()
    # The camera's commands wait for the calls' turns and the calls for
    # theirs: every answer whole and right.
    versions = [cam.version()["firmware_version"] for _ in range(100)]
    t.join(timeout=60)
    assert not t.is_alive()
    assert calls == expected
    assert versions == [(4, 7, 0)] * 100
    m.close()
    cam.stop()
