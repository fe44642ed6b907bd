"""Ctrl-C and omvrpc.Camera: SIGINT to a child process blocked in a
command (a silent device) ends it with KeyboardInterrupt; during run() it
stops the camera's script, and the camera is usable afterwards. The
bounds are "does it finish" checks, far above the ~100 ms aimed at and
far below the 60 s the command would wait without it."""

import os
import signal
import subprocess
import sys

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "camera_child.py")


def run_child(mode, path):
    p = subprocess.Popen([sys.executable, CHILD, mode, path], stdout=subprocess.PIPE,
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
    assert p.returncode == 0, out + err
    lines = out.splitlines()
    words = lines[0].split()
    assert words[:2] == ["INTERRUPTED", mode], out + err
    assert lines[-1] == "NEXT ok", out + err
    return float(words[2]), words[3:]


def test_ctrl_c_ends_a_command(sim_v2):
    seconds, _ = run_child("connect", sim_v2.path)
    assert seconds < 10


def test_ctrl_c_stops_the_running_script(sim_v2):
    seconds, _ = run_child("run", sim_v2.path)
    assert seconds < 10
