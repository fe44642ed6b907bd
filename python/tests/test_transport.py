"""Python-implemented transports (OpenMV's subclassing), a Python slave
called by the C `omv-rpc call`, and slave-side drop-in behaviour."""

import os
import queue
import struct
import subprocess
import threading
import time

import pytest

import omvrpc
import rpc
from conftest import SlaveThread, free_port, need_cli


class QueueLink:
    """One end of a byte pipe made of two queues of bytes objects: each
    put_bytes is one message, get_bytes takes exactly one message."""

    def __init__(self, rx, tx):
        self.rx, self.tx = rx, tx

    def get(self, buff, timeout_ms):
        try:
            data = self.rx.get(timeout=max(timeout_ms, 1) / 1000.0)
        except queue.Empty:
            return None
        if len(data) != len(buff):
            return None
        buff[:] = data
        return buff

    def put(self, data, timeout_ms):
        self.tx.put(bytes(data))

    def flush(self):
        while True:
            try:
                self.rx.get_nowait()
            except queue.Empty:
                return


def queue_links():
    a, b = queue.Queue(), queue.Queue()
    return QueueLink(a, b), QueueLink(b, a)


class queue_master(rpc.rpc_master):
    """Written as OpenMV's own subclasses are: the transport methods, then
    rpc_master.__init__(self)."""

    def __init__(self, link):
        self.link = link
        self.flushes = 0
        rpc.rpc_master.__init__(self)

    def get_bytes(self, buff, timeout_ms):
        return self.link.get(buff, timeout_ms)

    def put_bytes(self, data, timeout_ms):
        self.link.put(data, timeout_ms)

    def _flush(self):
        self.flushes += 1
        self.link.flush()


class queue_slave(rpc.rpc_slave):
    def __init__(self, link):
        self.link = link
        rpc.rpc_slave.__init__(self)

    def get_bytes(self, buff, timeout_ms):
        return self.link.get(buff, timeout_ms)

    def put_bytes(self, data, timeout_ms):
        self.link.put(data, timeout_ms)

    def _flush(self):
        self.link.flush()


class StopLoop(Exception):
    pass


def test_python_master_calls_python_slave_over_python_transport():
    ml, sl = queue_links()
    master, slave = queue_master(ml), queue_slave(sl)

    def echo(data):
        return bytes(data)

    def shout(data):
        return bytes(data).upper()

    def quit_loop(data):
        raise StopLoop()

    for cb in (echo, shout, quit_loop):
        slave.register_callback(cb)
    errors = []

    def serve():
        try:
            slave.loop(recv_timeout=50)
        except StopLoop:
            errors.append("stopped")

    t = threading.Thread(target=serve)
    t.start()
    assert master.call("echo", b"hello").tobytes() == b"hello"
    assert master.call("shout", "abc").tobytes() == b"ABC"
    assert len(master.call("unknown")) == 0
    big = os.urandom(100000)
    assert master.call("echo", big, 5000, 5000).tobytes() == big
    assert master.flushes > 0
    master.call("quit_loop", send_timeout=500, recv_timeout=200)
    t.join(timeout=30)
    assert errors == ["stopped"]


def test_stream_over_python_transport():
    ml, sl = queue_links()
    master, slave = queue_master(ml), queue_slave(sl)
    frames = [struct.pack("<I", i) * 10 for i in range(40)]

    def start(data):
        it = iter(frames)

        def write():
            slave.stream_writer(lambda: next(it))  # StopIteration ends it

        slave.schedule_callback(write)
        return b""

    slave.register_callback(start)
    done = []

    def serve():
        try:
            slave.loop(recv_timeout=50)
        except StopIteration:
            done.append(True)

    t = threading.Thread(target=serve)
    t.start()
    assert master.call("start") is not None
    got = []
    master.stream_reader(lambda d: got.append(bytes(d)), queue_depth=4, read_timeout_ms=500)
    assert got == frames
    t.join(timeout=30)
    assert done == [True]


def test_transport_exception_propagates_from_call():
    class broken(rpc.rpc_master):
        def __init__(self):
            rpc.rpc_master.__init__(self)

        def get_bytes(self, buff, timeout_ms):
            return None

        def put_bytes(self, data, timeout_ms):
            raise ConnectionResetError("cable pulled")

    m = broken()
    with pytest.raises(ConnectionResetError):
        m.call("x")
    with pytest.raises(TypeError):
        omvrpc.Master(object())  # no transport methods


def test_rpc_master_without_transport_gives_none():
    m = rpc.rpc_master()  # OpenMV's pure virtual base: nothing answers
    assert m.call("x", send_timeout=100) is None


def _call_cli(args, timeout=60):
    return subprocess.run([need_cli(), "call", "-q"] + args, capture_output=True,
                          timeout=timeout)


def test_python_slave_called_by_c_cli_over_pty():
    slave = omvrpc.Slave.pty()

    @slave.callback
    def add(data):
        a, b = struct.unpack("<ii", data)
        return struct.pack("<i", a + b)

    @slave.callback
    def greet(data):
        return "hello " + bytes(data).decode()

    runner = SlaveThread(slave)
    try:
        r = _call_cli(["greet", "--port", slave.port, "--data", "world", "--out", "-"])
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"hello world"
        r = _call_cli(["nothing_here", "--port", slave.port, "--out", "-"])
        assert r.returncode == 0, r.stderr
        assert r.stdout == b""
    finally:
        runner.stop()
        slave.close()


def test_python_slave_called_by_c_cli_over_network():
    port = free_port()
    slave = omvrpc.Slave.network(bind="127.0.0.2", port=port)
    slave.register("upper", lambda d: bytes(d).upper())
    runner = SlaveThread(slave)
    try:
        r = _call_cli(["upper", "--net", "127.0.0.2", "--bind", "127.0.0.1", "--net-port",
                       str(port), "--data", "abc", "--out", "-"])
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"ABC"
    finally:
        runner.stop()
        slave.close()


def test_dropin_slave_register_schedule_and_loop_callbacks():
    a, b = omvrpc._omvrpc.pair_links()
    master = rpc._c_master(a)
    slave = rpc._c_slave(b)
    ticks = []
    scheduled = []

    def sync(data):
        slave.schedule_callback(lambda: scheduled.append(
            slave.put_bytes(b"raw bytes!", 1000)))
        return b"go"

    def quit_loop(data):
        raise StopLoop()

    slave.register_callback(sync)
    slave.register_callback(quit_loop)
    slave.setup_loop_callback(lambda: ticks.append(1))
    done = []

    def serve():
        try:
            slave.loop(recv_timeout=20)
        except StopLoop:
            done.append(True)

    t = threading.Thread(target=serve)
    t.start()
    assert master.call("sync").tobytes() == b"go"
    buf = bytearray(10)
    assert master.get_bytes(buf, 2000) is buf and buf == b"raw bytes!"
    time.sleep(0.1)
    master.call("quit_loop", send_timeout=300, recv_timeout=200)
    t.join(timeout=30)
    assert done == [True]
    assert scheduled == [None]
    assert len(ticks) > 0


def test_transport_oserror_ends_a_dropin_stream_quietly():
    class closing(rpc.rpc_master):
        def __init__(self):
            rpc.rpc_master.__init__(self)

        def get_bytes(self, buff, timeout_ms):
            return None

        def put_bytes(self, data, timeout_ms):
            raise OSError("socket closed")

    m = closing()
    assert m.stream_reader(lambda d: None) is None  # as OpenMV's: no exception
    with pytest.raises(OSError):
        m.call("x")  # a call lets it through, as OpenMV's does
