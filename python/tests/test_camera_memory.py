"""No leaks in omvrpc.Camera: many frames (bytes and memoryviews), many
commands and many events keep the process's memory (RSS) flat. A leaked
frame (about 11 KB of JPEG) per read would add several MiB; the bound
leaves room for the allocator's own noise."""

import gc
import os

import pytest

from conftest import SANITIZED

pytestmark = pytest.mark.skipif(
    SANITIZED, reason="ASan keeps freed memory in quarantine: RSS is not flat by design")

FRAMES = 300
COMMANDS = 3000
LOCAL = 100_000
GROWTH_LIMIT = 2 * 1024 * 1024  # bytes


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_frames_commands_and_events_keep_memory_flat(cam):
    for f in cam.frames(count=50):  # warm up: buffers, caches, arenas
        pass
    for f in cam.frames(count=50, view=True):
        pass
    del f
    gc.collect()
    objects = len(gc.get_objects())
    before = rss()
    total = 0
    for f in cam.frames(count=FRAMES):
        total += len(f.data)
    for f in cam.frames(count=FRAMES, view=True):
        total += f.data.nbytes
    del f
    for i in range(COMMANDS):
        if i % 3 == 0:
            cam.channel_poll()
        elif i % 3 == 1:
            cam.read_stdout()
        else:
            cam.poll_events(0)
    for _ in range(LOCAL):
        cam.host_stats()
    gc.collect()
    grown = rss() - before
    assert total > FRAMES * 2 * 1000
    assert grown < GROWTH_LIMIT, "RSS grew %d bytes over %d frames" % (grown, 2 * FRAMES)
    assert len(gc.get_objects()) - objects < 1000
