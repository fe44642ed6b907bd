"""The drop-in `rpc` module against `omv-rpc sim`, over a pseudo-terminal
and over loopback UDP/TCP: every callback's format, chunked and
cut-through JPEG reads, streams, unknown functions, str arguments, dead
ports."""

import json
import struct
import time

import pytest

import rpc

JPEG_SOI = b"\xff\xd8"
JPEG_EOI = b"\xff\xd9"


class EnoughFrames(Exception):
    pass


def test_detections_have_the_examples_formats(sim):
    m = sim.rpc_master()
    face = m.call("face_detection")
    assert isinstance(face, memoryview) and len(face) == 8
    x, y, w, h = struct.unpack("<HHHH", face)
    assert w > 0 and h > 0
    for name in ("qrcode_detection", "datamatrix_detection", "barcode_detection"):
        r = m.call(name)
        assert r is not None and len(r) > 0, name
        assert isinstance(r.tobytes(), bytes)
    for name in ("all_qrcode_detection", "all_datamatrix_detection", "all_barcode_detection",
                 "all_apriltag_detection"):
        objs = json.loads(m.call(name).tobytes())
        assert isinstance(objs, list) and objs and isinstance(objs[0], dict), name
    assert "payload" in json.loads(m.call("all_qrcode_detection").tobytes())[0]
    cx, cy, tag_id, rot = struct.unpack("<HHHH", m.call("apriltag_detection"))
    assert 0 <= rot < 360
    r = m.call("color_detection", struct.pack("<bbbbbb", 30, 100, 15, 127, 15, 127))
    assert r is not None and len(r) in (0, 4)
    if len(r):
        struct.unpack("<HH", r)
    snap = m.call("jpeg_snapshot")
    assert bytes(snap[:2]) == JPEG_SOI and bytes(snap[-2:]) == JPEG_EOI
    m.close()


def test_unknown_function_and_argument_types(sim):
    m = sim.rpc_master()
    r = m.call("no_such_function")
    assert r is not None and len(r) == 0 and r.tobytes() == b""
    # str, bytes, bytearray and memoryview arguments all go as bytes.
    for arg in ("sensor.GRAYSCALE,sensor.QQVGA", b"sensor.GRAYSCALE,sensor.QQVGA",
                bytearray(b"sensor.GRAYSCALE,sensor.QQVGA"),
                memoryview(b"..sensor.GRAYSCALE,sensor.QQVGA")[2:]):
        r = m.call("jpeg_image_snapshot", arg)
        assert r is not None and len(r) == 4, arg
    with pytest.raises(TypeError):
        m.call("face_detection", 12345)
    with pytest.raises(TypeError):
        m.call(12345)
    m.close()


def _snapshot(m):
    r = m.call("jpeg_image_snapshot", "sensor.RGB565,sensor.QQVGA")
    assert r is not None
    return struct.unpack("<I", r)[0]


def test_chunked_jpeg_read(sim):
    m = sim.rpc_master()
    size = _snapshot(m)
    img = bytearray(size)
    chunk = 1 << 10
    for i in range(0, size, chunk):
        r = m.call("jpeg_image_read", struct.pack("<II", i, chunk))
        assert r is not None
        img[i:i + chunk] = r
    assert len(img) == size
    assert img[:2] == JPEG_SOI and img[-2:] == JPEG_EOI
    m.close()


def test_cut_through_jpeg_read(sim):
    m = sim.rpc_master()
    size = _snapshot(m)
    img = bytearray(size)
    assert m.call("jpeg_image_read") is not None
    assert m.get_bytes(img, 5000) is img
    assert img[:2] == JPEG_SOI and img[-2:] == JPEG_EOI
    # Into a memoryview too, after a new sync.
    size = _snapshot(m)
    view = memoryview(bytearray(size))
    assert m.call("jpeg_image_read") is not None
    assert m.get_bytes(view, 5000) is view
    assert bytes(view[:2]) == JPEG_SOI
    m.close()


@pytest.mark.parametrize("depth", [1, 8, 255])
def test_stream_ended_by_the_reader(sim, depth):
    m = sim.rpc_master()
    for attempt in range(2):
        assert m.call("jpeg_image_stream", "sensor.RGB565,sensor.QQVGA") is not None
        frames = []

        def cb(data):
            frames.append(bytes(data[:2]) + bytes(data[-2:]))
            if len(frames) == 10:
                raise EnoughFrames()

        with pytest.raises(EnoughFrames):
            m.stream_reader(cb, queue_depth=depth)
        assert frames == [JPEG_SOI + JPEG_EOI] * 10
        # The camera's writer times out on the missing credits; the next
        # call goes through once it is back in its loop.
        deadline = time.monotonic() + 30
        while m.call("face_detection") is None:
            assert time.monotonic() < deadline
    m.close()


def test_stream_ended_by_the_writer(sim):
    m = sim.rpc_master()
    assert m.call("jpeg_image_stream", "sensor.GRAYSCALE,sensor.QQVGA") is not None
    frames = []

    def cb(data):
        frames.append(len(data))
        if len(frames) == 5:
            sim.close()  # the camera goes away mid-stream

    t0 = time.monotonic()
    assert m.stream_reader(cb, queue_depth=8, read_timeout_ms=1000) is None
    assert time.monotonic() - t0 < 60
    assert len(frames) >= 5
    m.close()


def test_dead_port_gives_none(sim):
    m = sim.rpc_master()
    assert m.call("face_detection") is not None
    sim.close()
    assert m.call("face_detection", send_timeout=300, recv_timeout=300) is None
    assert m.call("face_detection", "x", 200, 200) is None
    m.close()


def test_nobody_on_the_network_gives_none():
    from conftest import free_port
    m = rpc.rpc_network_master("127.0.0.2", "127.0.0.1", free_port())
    assert m.call("face_detection", send_timeout=300) is None
    buf = bytearray(10)
    assert m.get_bytes(buf, 100) is None
    m.close()
