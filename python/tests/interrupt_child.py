"""Run by test_interrupt.py in a child process: blocks in one of the
package's calls on the main thread, prints READY, and reports how the
SIGINT the parent sends ended it, then checks that the next call works.
Usage: interrupt_child.py loop|call|stream [sim pty path]"""

import sys
import threading
import time

import omvrpc
import rpc


def report(what, t_ready):
    print("INTERRUPTED %s %.3f" % (what, time.monotonic() - t_ready), flush=True)


def ready_soon():
    """READY once the main thread is surely inside the blocking call."""
    threading.Timer(0.3, lambda: print("READY", flush=True)).start()
    return time.monotonic() + 0.3


def main():
    mode = sys.argv[1]
    if mode == "loop":
        master, slave = omvrpc.pair()
        slave.register("ping", lambda d: b"pong")
        t = ready_soon()
        try:
            slave.loop()  # OpenMV's default one-second passes
        except KeyboardInterrupt:
            report("loop", t)
        # Nothing half-open: serve again, from a thread this time.
        th = threading.Thread(target=slave.loop, kwargs=dict(recv_timeout=0.05))
        th.start()
        ok = master.call("ping") == b"pong"
        slave.stop()
        th.join()
        print("NEXT", "ok" if ok else "bad", flush=True)
    elif mode == "call":
        master, slave = omvrpc.pair()  # nobody serves: the call waits
        t = ready_soon()
        try:
            master.call("ping", send_timeout=60, recv_timeout=60)
        except KeyboardInterrupt:
            report("call", t)
        slave.register("ping", lambda d: b"pong")
        th = threading.Thread(target=slave.loop, kwargs=dict(recv_timeout=0.05))
        th.start()
        ok = master.call("ping") == b"pong"
        slave.stop()
        th.join()
        print("NEXT", "ok" if ok else "bad", flush=True)
    elif mode == "stream":
        interface = rpc.rpc_usb_vcp_master(sys.argv[2])
        assert interface.call("jpeg_image_stream", "sensor.GRAYSCALE,sensor.QQVGA") is not None
        frames = []
        printed = []

        def cb(data):
            frames.append(len(data))
            if not printed:
                printed.append(1)
                cb.t = time.monotonic()
                print("READY", flush=True)

        try:
            interface.stream_reader(cb, queue_depth=8)
        except KeyboardInterrupt:
            report("stream", cb.t)
        ok = False
        for _ in range(100):
            if interface.call("face_detection", send_timeout=200) is not None:
                ok = True
                break
        print("NEXT", "ok" if ok else "bad", flush=True)


main()
