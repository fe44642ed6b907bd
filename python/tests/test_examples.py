"""OpenMV's three desktop example programs' use of the rpc module, as our own
tests against `omv-rpc sim`: the same calls in the same order, with the
same use of the results (struct.unpack, .tobytes(), json.loads,
pygame.image.load of the JPEG under SDL's dummy video driver)."""

import io
import json
import os
import struct

import pytest

from conftest import SANITIZED

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
pygame = pytest.importorskip("pygame")


@pytest.fixture
def screen():
    if SANITIZED:
        # Debian's pygame 2.1.2 reads freed memory in display.set_mode (its
        # window icon's file name): ASan stops the process there.
        pytest.skip("pygame's display reads freed memory under ASan (pygame's own bug)")
    pygame.init()
    surface = pygame.display.set_mode((640, 480))
    yield surface
    pygame.quit()


def fetch_frame(interface, pixformat, framesize, cutthrough):
    """The image transfer example's frame fetch: a snapshot that answers
    the JPEG's size, then the bytes by cut-through or in 32 KiB chunks."""
    result = interface.call("jpeg_image_snapshot", "%s,%s" % (pixformat, framesize))
    if result is None:
        return None
    size = struct.unpack("<I", result)[0]
    img = bytearray(size)
    if cutthrough:
        if interface.call("jpeg_image_read") is None:
            return None
        interface.get_bytes(img, 5000)
    else:
        chunk_size = 1 << 15
        for i in range(0, size, chunk_size):
            for _ in range(3):
                result = interface.call("jpeg_image_read", struct.pack("<II", i, chunk_size))
                if result is not None:
                    img[i:i + chunk_size] = result
                    break
            else:
                return None
    return img


@pytest.mark.parametrize("cutthrough", [True, False])
def test_image_transfer_example(sim, screen, cutthrough):
    interface = sim.rpc_master()
    clock = pygame.time.Clock()
    for framesize, want in (("sensor.QQVGA", (160, 120)), ("sensor.QVGA", (320, 240))):
        img = fetch_frame(interface, "sensor.RGB565", framesize, cutthrough)
        assert img is not None
        image = pygame.image.load(io.BytesIO(img), "jpg")
        assert image.get_size() == want
        screen.blit(pygame.transform.scale(image, (640, 480)), (0, 0))
        pygame.display.update()
        clock.tick()
    interface.close()


class StopStreaming(Exception):
    pass


def test_image_streaming_example(sim, screen):
    interface = sim.rpc_master()
    clock = pygame.time.Clock()
    shown = []

    def jpg_frame_buffer_cb(data):
        image = pygame.image.load(io.BytesIO(data), "jpg")
        screen.blit(pygame.transform.scale(image, (640, 480)), (0, 0))
        pygame.display.update()
        clock.tick()
        shown.append(image.get_size())
        pygame.event.get()
        if len(shown) % 15 == 0:
            raise StopStreaming()  # the example runs until its window closes

    for _ in range(2):  # the example sets the stream up again after it ends
        result = interface.call("jpeg_image_stream", "sensor.RGB565,sensor.QQVGA")
        assert result is not None
        with pytest.raises(StopStreaming):
            interface.stream_reader(jpg_frame_buffer_cb, queue_depth=8)
        # The camera gives up on its stream when credits stop; wait for it.
        for _ in range(200):
            if interface.call("face_detection", send_timeout=200) is not None:
                break
    assert shown == [(160, 120)] * 30
    interface.close()


def test_popular_features_example(sim, tmp_path):
    interface = sim.rpc_master()
    lines = []

    result = interface.call("face_detection")
    assert result is not None and len(result)
    lines.append("Largest Face Detected [x=%d, y=%d, w=%d, h=%d]" %
                 struct.unpack("<HHHH", result))

    for single in ("qrcode_detection", "datamatrix_detection", "barcode_detection"):
        result = interface.call(single)
        assert result is not None and len(result), single
        lines.append(result.tobytes())

    for every in ("all_qrcode_detection", "all_apriltag_detection",
                  "all_datamatrix_detection", "all_barcode_detection"):
        result = interface.call(every)
        assert result is not None and len(result), every
        for obj in json.loads(result.tobytes()):
            assert isinstance(obj, dict)
            lines.append(obj)

    result = interface.call("apriltag_detection")
    assert result is not None and len(result)
    lines.append("Largest Tag Detected [cx=%d, cy=%d, id=%d, rot=%d]" %
                 struct.unpack("<HHHH", result))

    thresholds = (30, 100, 15, 127, 15, 127)  # the example's red
    result = interface.call("color_detection", struct.pack("<bbbbbb", *thresholds))
    assert result is not None
    if len(result):
        lines.append("Largest Color Detected [cx=%d, cy=%d]" % struct.unpack("<HH", result))

    result = interface.call("jpeg_snapshot")
    assert result is not None
    name = tmp_path / "snapshot.jpg"
    with open(name, "wb") as snap:
        snap.write(result)
    assert name.read_bytes()[:2] == b"\xff\xd8"
    assert len(lines) >= 9
    interface.close()
