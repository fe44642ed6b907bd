"""Benchmark: the Python package against the C master on the same link.

    python -m omvrpc.bench [--openmv PATH/rpc.py] [--links pty,net] [--slices N]

A slave runs in a child process (omvrpc.Slave: the C core; small calls go
to a name it does not serve, so it answers in C without Python). In this
process, on a pseudo-terminal and on loopback UDP/TCP, one after the
other on the same link and the same slave:

* the C master's own loop (omv_rpc_master_call in C, no Python between
  calls): the baseline;
* omvrpc.Master.call() and the drop-in rpc module's call();
* OpenMV's desktop rpc.py, when --openmv points to a copy of it (it is
  not shipped: it is OpenMV's code).

Small calls per second (empty argument, empty result) and stream frames
per second (30000-byte frames, queue depth 8). Our Python figures are taken
in slices, each right after a C slice on the same master; a ratio is the
median of those pairs' ratios, so the machine's load moves both sides
alike. Rates still vary with the load: compare ratios.
"""

import argparse
import importlib.util
import os
import socket
import statistics
import struct
import subprocess
import sys
import time

import omvrpc
from . import _omvrpc

SMALL = "bench_not_served"  # the slave answers empty, in C
FRAME = 30000
DEPTH = 8


# ------------------------------------------------------------ the slave

def serve(kind, port):
    if kind == "pty":
        slave = omvrpc.Slave.pty()
        where = slave.port
    else:
        slave = omvrpc.Slave.network(bind="127.0.0.2", port=port)
        where = "127.0.0.2:%d" % port
    frame = bytes(range(256)) * (FRAME // 256) + bytes(FRAME % 256)

    @slave.callback
    def bench_stream(arg):
        # <I> frames to send (0: until the reader stops), then the stream ends.
        count = struct.unpack("<I", arg)[0] if len(arg) == 4 else 0
        left = [count or -1]

        def next_frame():
            if left[0] == 0:
                return None
            left[0] -= 1
            return frame

        slave.schedule_callback(lambda: _write(slave, next_frame))
        return None

    print(where, flush=True)
    try:
        slave.loop(recv_timeout=0.25)
    except KeyboardInterrupt:
        pass


def _write(slave, next_frame):
    try:
        slave._stream_write(next_frame, 1000)
    except Exception:
        pass


# ----------------------------------------------------------- the masters

def free_port():
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
        try:
            for addr in ("127.0.0.1", "127.0.0.2"):
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    with socket.socket(socket.AF_INET, kind) as s:
                        s.bind((addr, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


class Link:
    def __init__(self, kind):
        self.kind = kind
        self.port = free_port() if kind == "net" else 0
        self.proc = subprocess.Popen([sys.executable, "-m", "omvrpc.bench", "--serve", kind,
                                      "--port", str(self.port)],
                                     stdout=subprocess.PIPE, text=True)
        self.where = self.proc.stdout.readline().strip()

    def omvrpc_master(self):
        if self.kind == "pty":
            return omvrpc.Master.usb_vcp(self.where)
        return omvrpc.Master.network("127.0.0.2", bind="127.0.0.1", port=self.port)

    def rpc_master(self, module):
        if self.kind == "pty":
            return module.rpc_usb_vcp_master(self.where)
        return module.rpc_network_master("127.0.0.2", "127.0.0.1", self.port)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


FAILED_CALLS = {}


def per_call(call, n, who=None):
    """Seconds per successful call over `n` calls. Only OpenMV's rpc.py
    (`who`) may fail calls (its fixed waits miss answers on a loaded
    machine): they are counted in FAILED_CALLS and left out."""
    ok = 0
    t0 = time.perf_counter()
    for _ in range(n):
        if call() is None:
            if who is None:
                raise RuntimeError("a benchmark call failed")
            FAILED_CALLS[who] = FAILED_CALLS.get(who, 0) + 1
        else:
            ok += 1
    return (time.perf_counter() - t0) / max(ok, 1)


class Enough(Exception):
    pass


def per_frame(start, reader, frames):
    """Seconds per frame of `reader(callback)` over `frames` frames; the
    slave sends exactly that many, so neither side waits for a timeout."""
    count = [0]

    def cb(view):
        count[0] += 1
        if count[0] == frames:
            raise Enough()

    if start(struct.pack("<I", frames)) is None:
        raise RuntimeError("the stream did not start")
    t0 = time.perf_counter()
    try:
        reader(cb)
    except Enough:
        pass
    dt = time.perf_counter() - t0
    if count[0] < frames:
        raise RuntimeError("the stream broke after %d frames" % count[0])
    return dt / frames


def measure(link, openmv, calls, frames, slices):
    """Interleaved: each Python figure is taken right after a C figure on
    the same master, and the ratio of each such pair is kept, so that the
    machine's load changes both sides of a ratio alike."""
    base = _omvrpc.Master
    rates, ratios = {}, {}

    def keep(key, c, p):
        rates.setdefault(key[:1] + ("C master",), []).append(1 / c)
        rates.setdefault(key, []).append(1 / p)
        ratios.setdefault(key, []).append(c / p)

    with link.omvrpc_master() as m:
        c_call = lambda: m._c_calls(SMALL, b"", calls) / calls  # noqa: E731
        c_call()
        per_call(lambda: m.call(SMALL), 100)
        for _ in range(slices):
            keep(("calls", "omvrpc"), c_call(), per_call(lambda: m.call(SMALL), calls))
            # The drop-in's call is this very method (rpc_master.call).
            keep(("calls", "rpc (drop-in)"), c_call(),
                 per_call(lambda: base._rpc_call(m, SMALL), calls))

        def c_frames():
            m.call("bench_stream", struct.pack("<I", frames))
            return m._c_stream(frames, DEPTH)[0] / frames

        start = lambda arg: m.call("bench_stream", arg)  # noqa: E731
        for _ in range(slices):
            keep(("frames", "omvrpc"), c_frames(),
                 per_frame(start, lambda cb: m.stream_reader(cb, DEPTH), frames))
            keep(("frames", "rpc (drop-in)"), c_frames(),
                 per_frame(start, lambda cb: base._stream_read(m, cb, DEPTH), frames))
    if openmv is not None:
        # Its own port opening: taken after ours, not interleaved (its
        # ratio is far from 1 either way).
        o = link.rpc_master(openmv)
        c = 1 / statistics.median(rates[("calls", "C master")])
        keep(("calls", "OpenMV rpc.py"), c,
             per_call(lambda: o.call(SMALL), calls, "OpenMV rpc.py on " + link.kind))
        c = 1 / statistics.median(rates[("frames", "C master")])
        try:
            keep(("frames", "OpenMV rpc.py"), c,
                 per_frame(lambda arg: o.call("bench_stream", arg),
                           lambda cb: o.stream_reader(cb, DEPTH), frames))
        except RuntimeError as e:
            print("  OpenMV rpc.py stream on %s: %s" % (link.kind, e), file=sys.stderr)
        _close_openmv(o)
    return ({k: statistics.median(v) for k, v in rates.items()},
            {k: statistics.median(v) for k, v in ratios.items()})


def _close_openmv(o):
    for attr in dir(o):
        obj = getattr(o, attr, None)
        if hasattr(obj, "close") and attr.endswith(("ser", "socket")):
            try:
                obj.close()
            except Exception:
                pass


def load_openmv(path):
    spec = importlib.util.spec_from_file_location("openmv_rpc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table(rows, who):
    lines = ["| link | figure | " + " | ".join(who) + " |",
             "|---|---|" + "---|" * len(who)]
    for link, (rates, ratios) in rows:
        for metric, unit in (("calls", "small calls/s"), ("frames", "stream frames/s")):
            cells = []
            for w in who:
                v = rates.get((metric, w))
                if v is None:
                    cells.append("failed")
                elif w == "C master":
                    cells.append("%.0f" % v)
                else:
                    cells.append("%.0f (%.2fx)" % (v, ratios[(metric, w)]))
            lines.append("| %s | %s | %s |" % (link, unit, " | ".join(cells)))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m omvrpc.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--openmv", metavar="PATH", help="OpenMV's desktop rpc.py, to compare")
    p.add_argument("--links", default="pty,net", help="pty,net (default both)")
    p.add_argument("--calls", type=int, default=500, help="small calls per slice")
    p.add_argument("--frames", type=int, default=500, help="stream frames per slice")
    p.add_argument("--slices", type=int, default=7, help="interleaved C/Python pairs")
    p.add_argument("--serve", choices=["pty", "net"], help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.serve:
        serve(a.serve, a.port)
        return 0
    openmv = load_openmv(a.openmv) if a.openmv else None
    who = ["C master", "omvrpc", "rpc (drop-in)"] + (["OpenMV rpc.py"] if openmv else [])
    rows = []
    for kind in a.links.split(","):
        link = Link(kind)
        try:
            rows.append((kind, measure(link, openmv, a.calls, a.frames, a.slices)))
        finally:
            link.close()
    print("omvrpc %s, Python %s; medians of %d interleaved slices; in (): the median "
          "ratio to the C master" % (omvrpc.__version__, sys.version.split()[0], a.slices))
    print(table(rows, who))
    for what, n in sorted(FAILED_CALLS.items()):
        print("%s: %d small calls failed (not counted)" % (what, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
