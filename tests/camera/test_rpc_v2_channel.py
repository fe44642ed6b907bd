"""The camera script examples/camera/rpc_v2_channel.py under CPython, with
stand-ins for the camera's modules (csi, image, protocol, rpc, and
MicroPython's time.ticks_ms / ticks_diff / sleep_ms): its channel backend
follows include/omv_rpc/v2_link.h's rules (reset handshake, gaps refused,
repeated and overlapping writes taken once, reads repeatable until the next
position confirms them), and bytes cross the 8 KB rings both ways intact
while a second thread plays the protocol task.

    python3 test_rpc_v2_channel.py PATH/rpc_v2_channel.py
"""
import sys
import threading
import time as _t
import types


def install_stand_ins():
    m = types.ModuleType("csi")
    class CSI:
        def __getattr__(self, n): return lambda *a, **k: None
    m.CSI = CSI; m.RGB565 = 1; m.GRAYSCALE = 2; m.QVGA = 3
    sys.modules["csi"] = m
    sys.modules["image"] = types.ModuleType("image")
    p = types.ModuleType("protocol"); p.backends = []
    p.register = lambda name, backend, flags=0: p.backends.append((name, backend)) or object()
    sys.modules["protocol"] = p
    r = types.ModuleType("rpc")
    class rpc_slave:
        def __init__(self): pass
        def register_callback(self, cb): pass
        def loop(self): pass
    r.rpc_slave = rpc_slave
    sys.modules["rpc"] = r
    t = sys.modules["time"]
    t.ticks_ms = lambda: int(_t.monotonic() * 1000)
    t.ticks_diff = lambda a, b: a - b
    t.sleep_ms = lambda ms: _t.sleep(ms / 1000)


install_stand_ins()
import runpy
g = runpy.run_path(sys.argv[1])
import protocol
name, ch = protocol.backends[0]
assert name == "rpc"
slave = g["interface"]
assert ch.ioctl(1, 0, None) == 0
assert ch.size() == 0            # main has not synced: refused as 0
slave._flush()                    # main syncs
assert ch.write(5, bytearray(b"x")) == 0   # gap
assert ch.write(0, bytearray(b"abc")) == 3
assert ch.write(0, bytearray(b"abc")) == 3 # duplicate
assert ch.write(2, bytearray(b"cd")) == 2  # overlap
assert ch.rx_end == 4
buf = bytearray(4)
assert slave.get_bytes(buf, 100) == buf and bytes(buf) == b"abcd"
assert slave.get_bytes(bytearray(1), 20) is None   # timeout
slave.put_bytes(b"hello world", 100)
assert ch.size() == 11
assert bytes(ch.read(0, 5)) == b"hello"
assert bytes(ch.read(0, 5)) == b"hello"   # repeat
assert bytes(ch.read(5, 100)) == b" world"
assert bytes(ch.read(0, 5)) == b""        # confirmed, gone
assert ch.read(11, 1) == b""              # nothing yet
# wrap-around of the ring and of positions
big = bytes(range(256)) * 40   # 10240 > 8192 ring
got = bytearray()
def host():
    pos = 11
    while len(got) < len(big):
        end = ch.size()
        avail = (end - pos) & 0xFFFFFF
        if avail:
            d = bytes(ch.read(pos, avail))
            got.extend(d); pos = (pos + len(d)) & 0xFFFFFF
th = threading.Thread(target=host); th.start()
slave.put_bytes(big, 2000)
th.join(5)
assert bytes(got) == big, (len(got))
# host -> camera over the ring's end
data = bytes(range(200)) * 50   # 10000
pos = 4
out = bytearray(len(data))
def writer():
    global pos
    i = 0
    while i < len(data):
        k = min(4074, len(data) - i)
        if ch.write(pos, bytearray(data[i:i+k])):
            i += k; pos = (pos + k) & 0xFFFFFF
th = threading.Thread(target=writer); th.start()
assert slave.get_bytes(out, 3000) == out
th.join(5)
assert bytes(out) == data
print("1 passed, 0 failed")
