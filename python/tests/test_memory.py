"""No reference leaks: 100,000 calls and a long stream keep the process's
memory (RSS) flat. A leak of one small object per call would add several
MiB; the bound leaves room for the allocator's own noise."""

import os
import threading

import pytest

import omvrpc
import rpc
from conftest import SANITIZED

pytestmark = pytest.mark.skipif(
    SANITIZED, reason="ASan keeps freed memory in quarantine: RSS is not flat by design")

CALLS = 100_000
GROWTH_LIMIT = 2 * 1024 * 1024  # bytes


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def served():
    """A drop-in master and a slave serving `echo` and `stream` in a thread."""
    a, b = omvrpc._omvrpc.pair_links()
    master = rpc._c_master(a)
    slave = omvrpc.Slave(b)
    frame = bytes(range(256)) * 16

    @slave.callback
    def echo(arg):
        return bytes(arg)

    @slave.callback
    def stream(arg):
        slave.schedule_callback(lambda: slave._stream_write(lambda: frame, 1000))
        return None

    t = threading.Thread(target=slave.loop, kwargs=dict(recv_timeout=0.05))
    t.start()
    yield master
    slave.stop()
    t.join(timeout=30)
    master.close()
    slave.close()


def test_calls_keep_memory_flat(served):
    master = served
    modern = omvrpc.Master  # the modern call on the same handle
    for _ in range(2000):  # warm up: buffers, caches, arenas
        master.call("echo", b"warm-up")
    before = rss()
    for i in range(CALLS):
        if i % 2:
            r = master.call("echo", b"%d" % i)
            assert r is not None and len(r)
            r.tobytes()
        else:
            assert modern.call(master, "echo", "x") == b"x"
    grown = rss() - before
    assert grown < GROWTH_LIMIT, "RSS grew %d bytes over %d calls" % (grown, CALLS)


def test_long_stream_keeps_memory_flat(served):
    master = served
    frames = [0]

    def count(view, limit):
        frames[0] += 1
        if frames[0] == limit:
            raise StopIteration

    def run(limit):
        frames[0] = 0
        assert master.call("stream") is not None
        with pytest.raises(StopIteration):
            master.stream_reader(lambda v: count(v, limit), queue_depth=8)
        # The writer stops when credits stop; wait until the slave serves.
        while master.call("echo", b"", 200, 200) is None:
            pass

    run(2000)
    before = rss()
    run(50000)
    grown = rss() - before
    assert grown < GROWTH_LIMIT, "RSS grew %d bytes over a 50000-frame stream" % grown
