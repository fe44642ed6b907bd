"""Ctrl-C: SIGINT to a child process blocked in a slave's loop, a master's
call and a stream ends the wait with KeyboardInterrupt, and the next call
works. The bounds are "does it finish" checks, far above the ~100 ms the
library aims at and far below the waits that would run without it."""

import os
import signal
import subprocess
import sys


CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interrupt_child.py")


def run_child(*args):
    p = subprocess.Popen([sys.executable, CHILD] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert line.strip() == "READY", line + p.stderr.read()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    words = out.split()
    assert words[0] == "INTERRUPTED", out + err
    assert words[3:5] == ["NEXT", "ok"], out + err
    return float(words[2])


def test_ctrl_c_ends_a_slave_loop():
    # One pass of the loop waits a second: the signal ends it well before
    # the process would otherwise wait forever.
    assert run_child("loop") < 10


def test_ctrl_c_ends_a_master_call():
    # The call would wait 60 s for a slave that never answers.
    assert run_child("call") < 10


def test_ctrl_c_ends_a_stream(sim_pty):
    assert run_child("stream", sim_pty.path) < 10
