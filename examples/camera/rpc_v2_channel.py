# omvrpc camera script: the camera's rpc slave over a Protocol V2 channel.
#
# Current OpenMV firmware has no rpc interface for its USB port: the port
# speaks OpenMV Protocol V2 (the IDE's protocol). This script registers a
# V2 channel named "rpc" and runs the camera's own `rpc` slave over it, so
# that a PC controls the camera over plain USB:
#
#     omv-rpc cam run examples/camera/rpc_v2_channel.py &   (or save it as main.py)
#     omv-rpc call face_detection --cam auto
#
# To turn any remote-device script into one for USB, copy the two classes
# below into it (or save this file on the camera as rpc_v2_channel.py and
# `from rpc_v2_channel import rpc_v2_channel_slave`) and change only its
# interface line to:
#
#     interface = rpc_v2_channel_slave("rpc")
#
# The channel's rules are those of omvrpc's include/omv_rpc/v2_link.h: each
# direction is a byte stream whose position counts its bytes modulo 2^24;
# the host writes at its position (a repeated write is taken once), asks
# CHANNEL_SIZE for our end position, and reads at its position (which
# confirms everything before it). Ioctl 1 empties both directions.
#
# The protocol task calls the channel's methods between the main loop's
# bytecodes, so each counter has one writer: the task writes rx_end and
# tx_pos, the main loop rx_taken and tx_end; a reset by the host is done by
# both sides in turn (gen / main_gen).

import struct
import time

import image
import csi
import protocol
import rpc

_MASK = 0xFFFFFF  # positions modulo 2^24
_HALF = _MASK // 2
_BUF = 8192  # each direction's ring; divides 2^24
_RESET = 1  # the channel's ioctl


class _RpcChannelBackend:
    def __init__(self):
        self.rx = bytearray(_BUF)  # host -> camera
        self.rx_end = 0  # position past the last byte received (task)
        self.rx_taken = 0  # position past the last byte the slave took (main)
        self.tx = bytearray(_BUF)  # camera -> host
        self.tx_pos = 0  # first byte the host has not confirmed (task)
        self.tx_end = 0  # position past the last byte put (main)
        self.gen = 0  # resets asked by the host (task)
        self.main_gen = 0  # resets the main loop has done (main)

    # ---- called by the protocol task ----

    def _ready(self):
        return self.gen == self.main_gen

    def size(self):
        return self.tx_end if self._ready() else 0

    def poll(self):
        return self._ready() and self.tx_end != self.tx_pos

    def read(self, offset, size):
        if not self._ready():
            return b""
        avail = (self.tx_end - self.tx_pos) & _MASK
        skip = (offset - self.tx_pos) & _MASK
        if skip >= avail:
            return b""  # nothing there (the firmware answers FAILED)
        self.tx_pos = offset & _MASK  # the host has all before it
        n = min(size, avail - skip)
        i = self.tx_pos % _BUF
        n = min(n, _BUF - i)  # up to the ring's end; the firmware asks on
        return memoryview(self.tx)[i : i + n]

    def write(self, offset, data):
        if not self._ready():
            return 0
        n = len(data)
        have = (self.rx_end - offset) & _MASK  # bytes of it we already have
        if have > _HALF:
            return 0  # it starts past our end
        if have >= n:
            return n
        if ((self.rx_end - self.rx_taken) & _MASK) + (n - have) > _BUF:
            return 0  # no room: the host tries again
        end = self.rx_end
        while have < n:
            i = end % _BUF
            k = min(n - have, _BUF - i)
            self.rx[i : i + k] = data[have : have + k]
            have += k
            end = (end + k) & _MASK
        self.rx_end = end  # published after the bytes
        return n

    def ioctl(self, cmd, length, arg):
        if cmd != _RESET:
            return -1
        self.rx_end = 0
        self.tx_pos = 0
        self.gen += 1
        return 0

    # ---- called by the main loop ----

    def sync(self):
        if self.gen != self.main_gen:
            gen = self.gen
            self.rx_taken = 0
            self.tx_end = 0
            self.main_gen = gen

    def take(self, mv, want):
        avail = (self.rx_end - self.rx_taken) & _MASK
        i = self.rx_taken % _BUF
        k = min(avail, want, _BUF - i)
        if k:
            mv[0:k] = self.rx[i : i + k]
            self.rx_taken = (self.rx_taken + k) & _MASK
        return k

    def give(self, mv):
        room = _BUF - ((self.tx_end - self.tx_pos) & _MASK)
        i = self.tx_end % _BUF
        k = min(room, len(mv), _BUF - i)
        if k:
            self.tx[i : i + k] = mv[0:k]
            self.tx_end = (self.tx_end + k) & _MASK
        return k

    def drop(self):
        self.rx_taken = self.rx_end


class rpc_v2_channel_slave(rpc.rpc_slave):
    def __init__(self, name="rpc"):
        self.__ch = _RpcChannelBackend()
        self.__handle = protocol.register(name=name, backend=self.__ch)
        rpc.rpc_slave.__init__(self)
        # Each rpc packet costs the host V2 round trips (and the protocol
        # task runs every few ms), so the few-ms short timeouts are raised.
        self._put_short_timeout_reset = 200
        self._get_short_timeout_reset = 200

    def _flush(self):
        self.__ch.sync()
        self.__ch.drop()

    def get_bytes(self, buff, timeout_ms):
        ch = self.__ch
        mv = memoryview(buff)
        got = 0
        start = time.ticks_ms()
        while got < len(buff):
            ch.sync()
            k = ch.take(mv[got:], len(buff) - got)
            if k:
                got += k
            elif time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
                return None
            else:
                time.sleep_ms(1)  # the protocol task runs meanwhile
        return buff

    def put_bytes(self, data, timeout_ms):
        ch = self.__ch
        mv = memoryview(data)
        done = 0
        start = time.ticks_ms()
        while done < len(mv):
            ch.sync()
            k = ch.give(mv[done:])
            if k:
                done += k
            elif time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
                return  # the host stopped reading; rpc retries
            else:
                time.sleep_ms(1)


################################################################
# A remote device: the calls omv-rpc's virtual camera answers too.
################################################################

csi0 = csi.CSI()
csi0.reset()
csi0.pixformat(csi.RGB565)
csi0.framesize(csi.QVGA)
csi0.snapshot(time=2000)


# The largest face in view: x, y, w, h as four u16; nothing if none.
def face_detection(data):
    csi0.pixformat(csi.GRAYSCALE)
    csi0.framesize(csi.QVGA)
    img = csi0.snapshot()
    faces = img.find_features(image.HaarCascade("/rom/haarcascade_frontalface.cascade"))
    if not faces:
        return bytes()
    f = max(faces, key=lambda r: r[2] * r[3])
    return struct.pack("<HHHH", f[0], f[1], f[2], f[3])


# The payload of the largest QR code in view.
def qrcode_detection(data):
    csi0.pixformat(csi.RGB565)
    csi0.framesize(csi.QVGA)
    codes = csi0.snapshot().find_qrcodes()
    if not codes:
        return bytes()
    return max(codes, key=lambda c: c.w * c.h).payload.encode()


# A JPEG of the current view.
def jpeg_snapshot(data):
    csi0.pixformat(csi.RGB565)
    csi0.framesize(csi.QVGA)
    img = csi0.snapshot()
    img.to_jpeg(quality=90)
    return img.bytearray()


interface = rpc_v2_channel_slave("rpc")
interface.register_callback(face_detection)
interface.register_callback(qrcode_detection)
interface.register_callback(jpeg_snapshot)
interface.loop()
