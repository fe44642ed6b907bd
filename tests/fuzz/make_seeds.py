#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (corpus/<target>/*): a few valid
exchanges for each receive path, as the peer sends them, so that the
fuzzer starts from inputs that reach deep into the protocol. Run from this
folder after changing an input format; the files are committed."""
import os
import struct


def crc16(data, crc=0xFFFF):
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def packet(magic, payload=b""):
    body = struct.pack("<H", magic) + payload
    return body + struct.pack("<H", crc16(body))


def name_hash(name):
    h = 5381
    for b in name.encode():
        h = ((h * 33) ^ b) & 0xFFFFFFFF
    return h


def lfsr(n):
    x, out = 0xFF, []
    for _ in range(n):
        out.append(x)
        x = (x >> 1) ^ (0xB8 if x & 1 else 0)
    return bytes(out)


def slave_answers(result):
    """What a slave sends during one call: both acks, the result header
    and the result data."""
    return (packet(0x1209) + packet(0xABD1) + packet(0x9021, struct.pack("<I", len(result)))
            + packet(0x1DBA, result))


def master_sends(name, arg):
    """What a master sends during one call."""
    return (packet(0x1209, struct.pack("<II", name_hash(name), len(arg))) + packet(0xABD1, arg)
            + packet(0x9021) + packet(0x1DBA))


def stream_frames(sizes):
    return b"".join(packet(0x542E, struct.pack("<I", n)) + bytes(i & 0xFF for i in range(n))
                    for n in sizes)


def write(target, name, data):
    os.makedirs(os.path.join("corpus", target), exist_ok=True)
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)


def main():
    arg29 = bytes((i * 13) & 0xFF for i in range(29))
    write("master_call", "empty", bytes([0x09, 0x00]) + slave_answers(b"") * 3)
    write("master_call", "echo29", bytes([0x03, 0x04]) + slave_answers(arg29) * 2)
    write("master_call", "into_cut", bytes([0x17, 0x07]) + slave_answers(b"\x01\x02") + bytes(7))
    write("master_call", "stale_acks",
          bytes([0x01, 0x00]) + packet(0x1209) + packet(0x1209) + packet(0xABD1)
          + packet(0x9021, struct.pack("<I", 3)) + packet(0x9021, struct.pack("<I", 3))
          + packet(0x1DBA, b"abc"))
    write("slave_serve", "echo", bytes([0x09]) + master_sends("echo", b"hello") * 2)
    write("slave_serve", "big_cut", bytes([0x0B]) + master_sends("big", b"\x10")
          + master_sends("cut", b""))
    write("slave_serve", "unknown", bytes([0x01]) + master_sends("nothing_here", bytes(40)))
    write("stream_reader", "master", bytes([0x09, 0x0E]) + stream_frames([10, 0, 300, 5] * 2))
    write("stream_reader", "slave", bytes([0x0D, 0x03]) + stream_frames([1] * 8))
    write("stream_writer", "depth4", bytes([0x09, 0x20]) + packet(0xEDF6, struct.pack("<I", 4))
          + lfsr(16))
    write("stream_writer", "slave_depth1", bytes([0x0D, 0x09])
          + packet(0xEDF6, struct.pack("<I", 1)) + lfsr(16))
    # CAN: the slave's bytes in frames of 8 (descriptor: the length).
    answers = slave_answers(bytes(range(20)))
    frames = b"".join(bytes([len(answers[i:i + 8])]) + answers[i:i + 8]
                      for i in range(0, len(answers), 8))
    write("can_frames", "master_echo20", bytes([0x28]) + frames)
    calls = master_sends("echo", b"hi")
    frames = b"".join(bytes([len(calls[i:i + 8])]) + calls[i:i + 8] for i in range(0, len(calls), 8))
    write("can_frames", "slave_echo", bytes([0x01]) + frames)
    write("bus_transactions", "i2c_echo3", bytes([0x06]) + slave_answers(b"\x09\x08\x07"))
    write("bus_transactions", "spi_empty", bytes([0x01]) + slave_answers(b""))
    # Network: records (see fuzz_net_datagrams.c).
    def send(to_master, sender, data):
        return bytes([(4 if to_master else 0) | sender]) + struct.pack("<H", len(data)) + data

    def read(to_master, n, echo=False):
        return bytes([(4 if to_master else 0) | 8 | (0x10 if echo else 0)]) + struct.pack("<H", n - 1)

    header = packet(0x1209, struct.pack("<II", name_hash("echo"), 2))
    write("net_datagrams", "slave_call",
          send(0, 0, header) + read(0, 12, True) + send(0, 1, header) + read(0, 12)
          + send(0, 0, packet(0xABD1, b"hi")) + read(0, 6) + send(0, 0, packet(0x1DBA))
          + read(0, 4) + send(0, 2, b"junk") + read(0, 4))
    write("net_datagrams", "master_result",
          send(1, 0, packet(0x9021, struct.pack("<I", 3))) + read(1, 8)
          + send(1, 1, packet(0x1DBA, b"abc")) + send(1, 0, packet(0x1DBA, b"ab"))
          + send(1, 0, b"c") + read(1, 7) + send(1, 0, bytes(1500)) + read(1, 4))


if __name__ == "__main__":
    main()
