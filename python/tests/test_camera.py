"""omvrpc.Camera (OpenMV Protocol V2) against `omv-rpc sim --v2`: system
information, scripts and their output, soft reboots, frames (bytes, views,
raw), a script's custom channel, events, errors, abort, the GIL."""

import threading
import time

import pytest

import omvrpc
from omvrpc import _omvrpc
from conftest import wait_for

ENDLESS = 'import time\nwhile True:\n    print("tick")\n    time.sleep_ms(50)\n'
ECHO = 'import protocol\nprotocol.register("echo")\nwhile True:\n    time.sleep_ms(50)\n'


def wait_event(cam, kind, timeout=30.0):
    for e in cam.events(timeout=timeout):
        if e.kind == kind:
            return e
    raise AssertionError("no %s event in %g s" % (kind, timeout))


def test_information(cam):
    v = cam.version()
    assert v["firmware_version"] == (4, 7, 0)
    assert len(v["protocol_version"]) == 3 and len(v["bootloader_version"]) == 3
    info = cam.system_info()
    assert (info["usb_vid"], info["usb_pid"]) == (0x37C5, 0x9206)
    assert len(info["device_id"]) == 3 and len(info["chip_id"]) == 3
    assert info["chip_id"] == (0x5640, 0, 0)  # the virtual OV5640
    assert info["framebuffer_size_kb"] == 4096 and info["stream_buffer_size_kb"] == 512
    assert info["jpeg_present"] and info["dram_present"] and not info["npu_present"]
    assert info["firmware_version"] == v["firmware_version"]
    caps = cam.caps()
    assert caps["crc"] and caps["seq"] and caps["ack"] and caps["events"]
    assert caps["max_payload"] == 4082
    names = [c.name for c in cam.channels()]
    assert names[:4] == ["usb", "stdin", "stdout", "stream"]
    everything = cam.info()
    assert everything["caps"] == caps and everything["channels"] == cam.channels()
    stats = cam.device_stats()
    assert stats["received"] > 0 and stats["checksum"] == 0
    assert set(stats) >= {"sent", "sequence", "retransmit", "transport", "sent_events"}
    host = cam.host_stats()
    assert host["bad_packets"] == 0 and host["soft_reboots"] == 0
    assert cam.is_connected() and cam.port.startswith("/dev/")


def test_memory(cam):
    pools = cam.memory()
    assert pools and pools[0]["type"] == "gc"
    for p in pools:
        assert p["type"] in ("gc", "uma")
        assert p["total"] > 0 and p["used"] + p["free"] <= p["total"]


def test_run_gives_the_output_and_the_next_command_works(cam):
    out = "".join(cam.run('import time\nprint("hello")\ntime.sleep_ms(100)\nprint("bye")\n'))
    assert out == "hello\nbye\n"
    assert cam.host_stats()["soft_reboots"] == 1
    # The camera restarted its protocol at sequence 0 (where OpenMV's own
    # host stops answering): commands go on.
    assert cam.version()["firmware_version"] == (4, 7, 0)
    assert "".join(cam.run('print("again")\n')) == "again\n"


def test_leaving_run_early_stops_the_script(cam):
    for text in cam.run(ENDLESS):
        assert "tick" in text
        break
    assert cam.host_stats()["soft_reboots"] == 1
    assert "".join(cam.run('print("next")\n')) == "next\n"


def test_exec_stdout_and_stop(cam):
    cam.exec(ENDLESS)
    seen = []
    assert wait_for(lambda: seen.append(cam.stdout()) or "tick" in "".join(seen))
    cam.stop()
    wait_event(cam, "soft_reboot")
    rest = "".join(seen) + (cam.read_stdout() or "")
    assert "KeyboardInterrupt" in rest
    assert cam.read_stdout() is None  # all read


def test_jpeg_frames(cam):
    frames = list(cam.frames(count=5))
    assert len(frames) == 5
    for f in frames:
        assert (f.width, f.height, f.format, f.offset) == (320, 240, "JPEG", 32)
        assert f.is_jpeg and f.depth is None
        assert isinstance(f.data, bytes) and len(f.data) == f.size
        assert f.data[:2] == b"\xff\xd8" and f.data[-2:] == b"\xff\xd9"


def test_frame_views_stay_valid_while_kept(cam):
    kept = []
    for f in cam.frames(count=6, view=True):
        assert isinstance(f.data, memoryview) and f.data.readonly
        kept.append((f.data, bytes(f.data)))
    # Later frames went to other buffers: every kept view still shows its
    # own frame.
    for view, copy in kept:
        assert view == copy and copy[:2] == b"\xff\xd8"
    assert len({copy for _, copy in kept}) > 1
    for view, _ in kept:
        view.release()
    more = list(cam.frames(count=3, view=True))
    assert all(f.data[:2] == b"\xff\xd8" for f in more)


def test_raw_frames(cam):
    for f in cam.frames(count=3, raw=(64, 48)):
        assert (f.width, f.height, f.format) == (64, 48, "GRAY")
        assert f.depth == 1 and len(f.data) == 64 * 48
    cam.streaming(True)  # JPEG again
    f = next(cam.frames(count=1))
    assert f.is_jpeg


def test_custom_channel(sim_v2):
    # Small packets: the write is cut into writes of max_payload - 8 bytes
    # and the read comes in fragments.
    events = []
    with sim_v2.camera(max_payload=256, on_event=events.append) as cam:
        assert cam.caps()["max_payload"] == 256
        cam.exec(ECHO)
        assert wait_for(lambda: cam.poll_events(0.05) is not None and
                        any(e.kind == "channel_registered" for e in events))
        assert cam.has_channel("echo")
        ch = cam.channel("echo")
        assert ch.name == "echo" and ch.id == 4
        data = bytes(range(256)) * 12
        ch.write(data)
        assert ch.size() == len(data)
        assert ch.read() == data
        assert cam.channel_read("echo", 10, offset=5) == data[5:15]
        buf = bytearray(len(data))
        assert ch.readinto(buf) == len(data) and buf == data
        assert cam.read_status()["echo"] is True
        with ch.lock():
            assert ch.read(4) == data[:4]
        cam.channel_write(ch, b"second")
        assert cam.channel_read(4) == b"second" + data[6:]
        cam.stop()
        assert wait_for(lambda: cam.poll_events(0.05) is not None and
                        any(e.kind == "soft_reboot" for e in events))
        assert not cam.has_channel("echo")
        with pytest.raises(KeyError):
            cam.channel("echo")
        kinds = [e.kind for e in events]
        assert "script_started" in kinds and "script_stopped" in kinds
        assert all(isinstance(e, omvrpc.Event) for e in events)


def test_events_iterator(cam):
    cam.exec('print("x")\n')
    kinds = []
    for e in cam.events(timeout=30):
        kinds.append(e.kind)
        if e.kind == "soft_reboot":
            break
    assert "script_started" in kinds and kinds[-1] == "soft_reboot"
    assert list(cam.events(timeout=0)) == []  # nothing left, no wait


def test_refusals_and_usage_errors(cam):
    with pytest.raises(omvrpc.DeviceError) as e:
        cam.channel_ioctl("stdin", 99)
    assert e.value.status == "OMV_RPC_ERR_NAK" and e.value.device_status == "INVALID"
    with pytest.raises(ValueError):
        cam.exec("")
    with pytest.raises(ValueError):
        cam.channel_ioctl(1, 1, b"x" * 61)
    with pytest.raises(ValueError):
        cam.streaming(True, raw=True)
    with pytest.raises(KeyError):
        cam.channel_size("nosuch")
    assert cam.version()["firmware_version"] == (4, 7, 0)  # still fine
    cam.close()
    assert cam.closed and not cam.is_connected()
    with pytest.raises(ValueError):
        cam.version()
    cam.close()  # idempotent


def test_open_errors():
    with pytest.raises(omvrpc.LinkError) as e:
        omvrpc.Camera("/dev/omvrpc-no-such-port")
    assert e.value.status == "OMV_RPC_ERR_NO_SUCH_PORT"
    if not any(p.is_openmv for p in omvrpc.list_ports()):
        with pytest.raises(omvrpc.LinkError) as e:
            omvrpc.Camera("auto")
        assert e.value.status == "OMV_RPC_ERR_NO_DEVICE"


def silent_port():
    """A pseudo-terminal nobody answers on (keep the Link alive)."""
    link = _omvrpc.pty_link()
    return link, link.name


def test_a_silent_device_times_out():
    link, path = silent_port()
    with pytest.raises(omvrpc.TimeoutError) as e:
        omvrpc.Camera(path, timeout=1.5)
    assert e.value.status == "OMV_RPC_ERR_TIMEOUT"
    link.close()


def test_abort_from_another_thread_and_the_gil(sim_v2):
    link, path = silent_port()
    cam = omvrpc.Camera(path, timeout=60, connect=False)
    result = {}

    def blocked():
        try:
            cam.connect()
        except BaseException as e:  # checked below
            result["error"] = e

    t = threading.Thread(target=blocked)
    t.start()
    # While that thread waits in the library, this one talks to another
    # camera: the wait does not hold the GIL.
    with sim_v2.camera() as other:
        assert other.version()["firmware_version"] == (4, 7, 0)
        with pytest.raises(RuntimeError):
            cam.version()  # one thread at a time per camera
    assert t.is_alive()
    cam.abort()
    t.join(timeout=30)
    assert not t.is_alive()
    assert isinstance(result.get("error"), omvrpc.StoppedError)
    assert result["error"].status == "OMV_RPC_ERR_ABORTED"
    cam.close()
    link.close()


def test_abort_before_a_command_ends_the_next_one_only(cam):
    cam.abort()
    with pytest.raises(omvrpc.StoppedError):
        cam.version()
    cam.connect()  # the interrupted exchange is behind us
    assert cam.version()["firmware_version"] == (4, 7, 0)


def test_reset_then_reconnect(sim_v2):
    with sim_v2.camera() as cam:
        cam.reset()
    with sim_v2.camera() as cam:
        assert cam.version()["firmware_version"] == (4, 7, 0)


def test_with_closes_and_timeouts_are_seconds(sim_v2):
    with sim_v2.camera(timeout=2.5) as cam:
        assert not cam.closed
    with omvrpc.Camera(sim_v2.path, 115200) as cam:  # a UART's rate (a pty takes any)
        assert cam.version()["firmware_version"] == (4, 7, 0)
    assert cam.closed
    with pytest.raises(ValueError):
        sim_v2.camera(timeout=-1)
    with pytest.raises(ValueError):
        sim_v2.camera(max_payload=10)
