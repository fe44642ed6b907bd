"""Benchmark: the Python package against the C master on the same link.

    python -m omvrpc.bench [--openmv PATH/rpc.py] [--links pty,net] [--seconds S]

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
per second (30000-byte frames, queue depth 8). Each figure is the median
of --rounds rounds taken in turn; ratios are against the C master of the
same run. Timing varies with the machine's load: compare ratios.
"""

import argparse
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import time

import omvrpc

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
        slave.schedule_callback(lambda: _write_until_stopped(slave, frame))
        return None

    print(where, flush=True)
    try:
        slave.loop(recv_timeout=0.25)
    except KeyboardInterrupt:
        pass


def _write_until_stopped(slave, frame):
    try:
        slave._stream_write(lambda: frame, 1000)
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


def timed_calls(call, seconds):
    for _ in range(100):  # warm up: buffers grown, caches filled
        call()
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while True:
        for _ in range(50):
            if call() is None:
                raise RuntimeError("a benchmark call failed")
            n += 1
        t = time.perf_counter()
        if t >= end:
            return n / (t - t0)


class Enough(Exception):
    pass


def timed_stream(start, reader, frames):
    """frames/s of `reader(callback)` until `frames` frames came."""
    count = [0]

    def cb(view):
        count[0] += 1
        if count[0] == frames:
            raise Enough()

    if start() is None:
        raise RuntimeError("the stream did not start")
    t0 = time.perf_counter()
    try:
        reader(cb)
    except Enough:
        pass
    dt = time.perf_counter() - t0
    if count[0] < frames:
        raise RuntimeError("the stream broke after %d frames" % count[0])
    return frames / dt


def settle(call):
    """After a stream the slave's writer waits for credits before it serves
    calls again: wait for that."""
    for _ in range(200):
        try:
            if call() is not None:
                return
        except omvrpc.Error:
            pass


def measure(link, openmv, seconds, frames, rounds):
    import rpc as dropin
    results = {}

    def add(key, value):
        results.setdefault(key, []).append(value)

    for _ in range(rounds):
        with link.omvrpc_master() as m:
            n = max(100, int(seconds * 2000))
            m._c_calls(SMALL, b"", 100)  # warm up, as timed_calls does
            add(("calls", "C master"), n / m._c_calls(SMALL, b"", n))
            add(("calls", "omvrpc"), timed_calls(lambda: m.call(SMALL), seconds))
            m.call("bench_stream")
            dt, _ = m._c_stream(frames, DEPTH)
            add(("frames", "C master"), frames / dt)
            settle(lambda: m.call(SMALL, send_timeout=0.2))
            add(("frames", "omvrpc"), timed_stream(
                lambda: m.call("bench_stream"),
                lambda cb: m.stream_reader(cb, DEPTH), frames))
            settle(lambda: m.call(SMALL, send_timeout=0.2))
        r = link.rpc_master(dropin)
        add(("calls", "rpc (drop-in)"), timed_calls(lambda: r.call(SMALL), seconds))
        add(("frames", "rpc (drop-in)"), timed_stream(
            lambda: r.call("bench_stream"), lambda cb: r.stream_reader(cb, DEPTH), frames))
        settle(lambda: r.call(SMALL, send_timeout=200))
        r.close()
        if openmv is not None:
            o = link.rpc_master(openmv)
            add(("calls", "OpenMV rpc.py"), timed_calls(lambda: o.call(SMALL), seconds))
            try:
                add(("frames", "OpenMV rpc.py"), timed_stream(
                    lambda: o.call("bench_stream"),
                    lambda cb: o.stream_reader(cb, DEPTH), max(frames // 10, 10)))
            except RuntimeError as e:
                add(("frames", "OpenMV rpc.py"), float("nan"))
                print("  OpenMV rpc.py stream on %s: %s" % (link.kind, e), file=sys.stderr)
            settle(lambda: o.call(SMALL, send_timeout=200))
            _close_openmv(o)
    return {k: statistics.median(v) for k, v in results.items()}


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
    for link, res in rows:
        for metric, unit in (("calls", "small calls/s"), ("frames", "stream frames/s")):
            base = res.get((metric, "C master"))
            cells = []
            for w in who:
                v = res.get((metric, w))
                if v is None:
                    cells.append("-")
                elif w == "C master":
                    cells.append("%.0f" % v)
                else:
                    cells.append("%.0f (%.2fx)" % (v, v / base) if v == v else "failed")
            lines.append("| %s | %s | %s |" % (link, unit, " | ".join(cells)))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m omvrpc.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--openmv", metavar="PATH", help="OpenMV's desktop rpc.py, to compare")
    p.add_argument("--links", default="pty,net", help="pty,net (default both)")
    p.add_argument("--seconds", type=float, default=1.0, help="per small-call figure")
    p.add_argument("--frames", type=int, default=2000, help="per stream figure")
    p.add_argument("--rounds", type=int, default=3)
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
            rows.append((kind, measure(link, openmv, a.seconds, a.frames, a.rounds)))
        finally:
            link.close()
    print("omvrpc %s, Python %s; median of %d rounds; ratio to the C master in ()"
          % (omvrpc.__version__, sys.version.split()[0], a.rounds))
    print(table(rows, who))
    return 0


if __name__ == "__main__":
    sys.exit(main())
