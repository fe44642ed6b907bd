"""The modern API (import omvrpc) over the in-process pair: calls, results,
exceptions, the slave's decorator and loop, streams, threads, logging."""

import logging
import struct
import threading
import time

import pytest

import omvrpc
from conftest import wait_for


def test_call_results_and_argument_types(pair):
    master, slave, start = pair

    @slave.callback
    def echo(arg):
        assert isinstance(arg, memoryview)
        return bytes(arg)

    @slave.callback(name="text")
    def text_result(arg):
        return "héllo " + bytes(arg).decode()

    @slave.callback
    def nothing(arg):
        return None

    start()
    assert master.call("echo", b"abc") == b"abc"
    assert master.call("echo", bytearray(b"\x00\x01")) == b"\x00\x01"
    assert master.call("echo", memoryview(b"xyz")[1:]) == b"yz"
    assert master.call("echo", "é") == "é".encode()  # str goes UTF-8 encoded
    assert master.call("text", "w") == "héllo w".encode()
    assert master.call("nothing") == b""
    assert master.call("no_such_function") == b""
    assert master.call("echo") == b""
    big = bytes(range(256)) * 4096
    assert master.call("echo", big) == big
    buf = bytearray(16)
    assert master.call_into("echo", buf, b"12345") == 5
    assert buf[:5] == b"12345"
    # A loaded machine may cost a retry now and then, never one per call.
    assert master.retries < 10
    # Counted once the result went out (the unknown function is not).
    assert wait_for(lambda: slave.calls_served == 10)


def test_wrong_argument_types_raise_type_error(pair):
    master, _, _ = pair
    with pytest.raises(TypeError):
        master.call("echo", 42)
    with pytest.raises(TypeError):
        master.call(b"echo")
    with pytest.raises(ValueError):
        master.call("echo", send_timeout=-1)


def test_timeouts_carry_the_phase_and_status(pair):
    master, slave, _ = pair  # nobody runs the slave's loop
    t0 = time.monotonic()
    with pytest.raises(omvrpc.TimeoutError) as e:
        master.call("echo", send_timeout=0.2, recv_timeout=0.2)
    assert time.monotonic() - t0 < 30
    assert e.value.phase == "send"
    assert e.value.status == "OMV_RPC_ERR_SEND_TIMEOUT"
    assert isinstance(e.value, omvrpc.Error)
    assert isinstance(e.value, TimeoutError)  # also the builtin


def test_recv_timeout_phase():
    master, slave = omvrpc.pair()

    def slow(arg):
        time.sleep(1.0)
        return b"late"

    slave.register("slow", slow)
    t = threading.Thread(target=slave.loop_once, kwargs=dict(recv_timeout=5.0), daemon=True)
    t.start()
    with pytest.raises(omvrpc.TimeoutError) as e:
        master.call("slow", send_timeout=5.0, recv_timeout=0.1)
    assert e.value.phase == "recv"
    t.join(timeout=30)
    master.close()
    slave.close()


def test_too_large_result_raises():
    a, b = omvrpc._omvrpc.pair_links()
    master, slave = omvrpc.Master(a, max_payload=1000), omvrpc.Slave(b)

    @slave.callback
    def big(arg):
        return bytes(5000)

    t = threading.Thread(target=slave.loop_once, kwargs=dict(recv_timeout=5.0), daemon=True)
    t.start()
    with pytest.raises(omvrpc.TooLargeError) as e:
        master.call("big", send_timeout=5.0, recv_timeout=1.0)
    assert e.value.status == "OMV_RPC_ERR_TOO_LARGE"
    t.join(timeout=30)
    master.close()
    slave.close()


def test_link_errors():
    with pytest.raises(omvrpc.LinkError) as e:
        omvrpc.Master.uart("/dev/no-such-port-omvrpc", 115200)
    assert e.value.status == "OMV_RPC_ERR_NO_SUCH_PORT"
    assert isinstance(e.value, OSError)
    master, slave = omvrpc.pair()
    slave.close()  # the other end is gone
    with pytest.raises(omvrpc.LinkError):
        master.call("echo", send_timeout=0.5, recv_timeout=0.5)
    master.close()


def test_with_closes(pair):
    master, slave, _ = pair
    with master as m:
        assert m is master
    assert master.closed
    with pytest.raises(ValueError):
        master.call("echo")
    master.close()  # idempotent


def test_slave_callback_exception_ends_loop_and_propagates():
    master, slave = omvrpc.pair()

    @slave.callback
    def boom(arg):
        raise ZeroDivisionError("from the callback")

    errors = []

    def run():
        try:
            slave.loop(recv_timeout=0.05)
        except ZeroDivisionError as e:
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    try:
        master.call("boom", send_timeout=0.5, recv_timeout=0.5)
    except omvrpc.Error:
        pass
    t.join(timeout=30)
    assert not t.is_alive()
    assert len(errors) == 1 and "from the callback" in str(errors[0])
    master.close()
    slave.close()


def test_loop_once_and_stop_from_another_thread(pair):
    master, slave, _ = pair
    slave.register("ping", lambda a: b"pong")
    assert slave.loop_once(recv_timeout=0.05) is False  # nothing came
    t = threading.Thread(target=lambda: slave.loop(recv_timeout=0.05))
    t.start()
    assert master.call("ping") == b"pong"
    slave.stop()
    t.join(timeout=30)
    assert not t.is_alive()
    # The loop runs again after a stop.
    t = threading.Thread(target=lambda: slave.loop(recv_timeout=0.05))
    t.start()
    assert master.call("ping") == b"pong"
    slave.stop()
    t.join(timeout=30)


def test_one_thread_at_a_time(pair):
    master, slave, start = pair
    gate = threading.Event()
    release = threading.Event()

    @slave.callback
    def hold(arg):
        gate.set()
        release.wait(30)
        return b"done"

    start()
    results = []
    t = threading.Thread(target=lambda: results.append(
        master.call("hold", send_timeout=5, recv_timeout=30)))
    t.start()
    assert gate.wait(30)
    with pytest.raises(RuntimeError):
        master.call("hold")
    release.set()
    t.join(timeout=30)
    assert results == [b"done"]


def test_two_masters_in_two_threads_run_in_parallel():
    """The GIL is released while a call waits: two slow calls in two
    threads overlap (each slave callback sleeps, the sum would be twice)."""
    ends = [omvrpc.pair() for _ in range(2)]
    inside = threading.Barrier(2, timeout=30)

    def slow(arg):
        inside.wait()  # both callbacks are running at the same time
        return b"ok"

    loops = []
    for _, s in ends:
        s.register("slow", slow)
        t = threading.Thread(target=lambda s=s: s.loop(recv_timeout=0.05))
        t.start()
        loops.append(t)
    results = []

    def call(m):
        results.append(m.call("slow", send_timeout=5, recv_timeout=30))

    callers = [threading.Thread(target=call, args=(m,)) for m, _ in ends]
    for t in callers:
        t.start()
    for t in callers:
        t.join(timeout=60)
    assert results == [b"ok", b"ok"]
    for m, s in ends:
        s.stop()
    for t in loops:
        t.join(timeout=30)
    for m, s in ends:
        m.close()
        s.close()


def _stream_slave(slave, frames):
    """A slave whose "start" callback schedules a stream writer of `frames`."""
    done = {}

    @slave.callback
    def start(arg):
        def write():
            try:
                done["count"] = slave.stream_writer(frames)
            except omvrpc.Error as e:
                done["error"] = e
        slave.schedule_callback(write)
        return b""

    return done


@pytest.mark.parametrize("depth", [1, 8, 255])
def test_stream_iterator_ended_by_the_writer(pair, depth):
    master, slave, start = pair
    frames = [struct.pack("<I", i) * (i + 1) for i in range(50)]
    done = _stream_slave(slave, frames)
    start()
    # The writer ends after its last frame; the iteration ends when it has
    # been silent for `timeout` (the protocol has no end marker).
    got = list(master.stream("start", queue_depth=depth, timeout=0.5))
    assert got == frames
    assert done.get("count") == 50


def test_stream_reader_callback_ends_the_stream(pair):
    master, slave, start = pair
    sent = iter(range(10**9))
    done = _stream_slave(slave, (struct.pack("<Q", i) for i in sent))
    start()
    master.call("start")
    seen = []

    def frame(view):
        seen.append(struct.unpack("<Q", view)[0])
        return len(seen) < 100  # False ends the stream

    assert master.stream_reader(frame, queue_depth=8) == 100
    assert seen == list(range(100))
    assert threading.Event().wait(0) is False
    # The next call works once the writer noticed.
    for _ in range(100):
        try:
            assert master.call("no_such", send_timeout=0.5) == b""
            break
        except omvrpc.TimeoutError:
            continue
    assert "count" in done or "error" in done


def test_stream_writer_from_the_master(pair):
    master, slave, start = pair
    got = []

    @slave.callback
    def sink(arg):
        slave.schedule_callback(lambda: got.append(
            slave.stream_reader(lambda v: got.append(bytes(v)), queue_depth=4, timeout=1.0)))
        return b""

    start()
    master.call("sink")
    frames = [bytes([i]) * 1000 for i in range(30)]
    assert master.stream_writer(iter(frames)) == 30
    time.sleep(0.1)


def test_stream_iterator_left_early(pair):
    master, slave, start = pair
    done = _stream_slave(slave, (bytes(100) for _ in range(10**9)))
    start()
    n = 0
    for frame in master.stream("start", queue_depth=8):
        assert frame == bytes(100)
        n += 1
        if n == 20:
            break
    assert n == 20


def test_log_lines_go_to_logging(caplog):
    caplog.set_level(logging.DEBUG, logger="omvrpc")
    master, slave = omvrpc.pair()
    try:
        master.call("x", send_timeout=0.3, recv_timeout=0.3)
    except omvrpc.TimeoutError:
        pass
    master.close()
    slave.close()
    assert all(r.name == "omvrpc" for r in caplog.records)


def test_module_facts():
    assert omvrpc.__version__.count(".") == 2
    assert omvrpc.hash("face_detection") == omvrpc.hash(b"face_detection")
    assert omvrpc.crc16(b"123456789") == 0x29B1
    ports = omvrpc.list_ports()
    assert isinstance(ports, list)
    for p in ports:
        assert isinstance(p, omvrpc.PortInfo)
    assert "call" in omvrpc.Master.call.__doc__
    assert omvrpc.Master.__doc__ and omvrpc.Slave.__doc__


def test_abort_from_another_thread(pair):
    master, slave, start = pair  # the slave does not serve yet: the call waits
    threading.Timer(0.2, master.abort).start()
    t0 = time.monotonic()
    with pytest.raises(omvrpc.StoppedError) as e:
        master.call("ping", send_timeout=60, recv_timeout=60)
    assert time.monotonic() - t0 < 30  # not the 60 s timeout
    assert e.value.status == "OMV_RPC_ERR_ABORTED"
    slave.register("ping", lambda a: b"pong")
    start()
    assert master.call("ping") == b"pong"  # the abort was used up


def test_zero_copy_view_result(pair):
    master, slave, start = pair
    slave.register("echo", lambda a: bytes(a))
    start()
    v = master.call("echo", b"abcdef", view=True)
    assert isinstance(v, memoryview) and v.readonly and v.tobytes() == b"abcdef"
    with pytest.raises(BufferError):
        master.call("echo", b"x")  # the view still points into the buffer
    part = v[2:4]
    v.release()
    with pytest.raises(BufferError):
        master.call("echo", b"x")  # so does a slice of it
    assert part.tobytes() == b"cd"
    del part
    assert master.call("echo", b"x") == b"x"
    v = master.call("echo", b"", view=True)
    assert len(v) == 0
    del v
    assert master.call("echo", b"y") == b"y"


def test_slave_timing_openmv_camera(pair):
    """The slave's timing (omv_rpc_slave_set_timing) from Python: OpenMV's
    camera timing serves our master right, and is set only between loops."""
    master, slave, start = pair
    assert slave.timing == "omvrpc"
    with pytest.raises(ValueError):
        slave.timing = "arduino"
    with pytest.raises(TypeError):
        slave.timing = 1
    slave.timing = "openmv_camera"
    assert slave.timing == "openmv_camera"

    @slave.callback
    def slow_echo(arg):
        time.sleep(0.003)  # the camera drops requests while it is busy
        return bytes(arg)

    start()
    for i in range(20):
        data = bytes([i]) * (i * 50)
        assert master.call("slow_echo", data) == data
    assert wait_for(lambda: slave.calls_served == 20)
    # Not while the loop runs on another thread.
    with pytest.raises(RuntimeError):
        slave.timing = "omvrpc"
    assert slave.timing == "openmv_camera"
