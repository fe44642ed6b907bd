"""Run by test_camera_interrupt.py in a child process: blocks in an
omvrpc.Camera command on the main thread, prints READY, and reports how
the SIGINT the parent sends ended it, then checks that the camera works.
Usage: camera_child.py connect|run SIM_V2_PATH"""

import sys
import threading
import time

import omvrpc
from omvrpc import _omvrpc

ENDLESS = 'import time\nwhile True:\n    print("tick")\n    time.sleep_ms(50)\n'


def report(what, t_ready, extra=""):
    print("INTERRUPTED %s %.3f %s" % (what, time.monotonic() - t_ready, extra), flush=True)


def main():
    mode, sim_path = sys.argv[1], sys.argv[2]
    if mode == "connect":
        # Nobody answers on this pty: connect() would wait its 60 s.
        link = _omvrpc.pty_link()
        cam = omvrpc.Camera(link.name, timeout=60, connect=False)
        threading.Timer(0.3, lambda: print("READY", flush=True)).start()
        t = time.monotonic() + 0.3
        try:
            cam.connect()
            print("NOT INTERRUPTED", flush=True)
        except KeyboardInterrupt:
            report("connect", t)
        cam.close()
        with omvrpc.Camera(sim_path) as other:
            ok = other.version()["firmware_version"] == (4, 7, 0)
    else:
        cam = omvrpc.Camera(sim_path)
        out = []
        t = None
        try:
            for text in cam.run(ENDLESS):
                out.append(text)
                if t is None:
                    t = time.monotonic()
                    print("READY", flush=True)
            print("NOT INTERRUPTED", flush=True)
        except KeyboardInterrupt:
            report("run", t, "traceback" if "KeyboardInterrupt" in "".join(out) else "-")
        # The script was stopped: the camera is free for the next one.
        ok = "".join(cam.run('print("next")\n')).endswith("next\n")
        cam.close()
    print("NEXT", "ok" if ok else "bad", flush=True)


main()
