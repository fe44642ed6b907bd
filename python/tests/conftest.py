"""Fixtures: the virtual camera (`omv-rpc sim`) on a pseudo-terminal and on
loopback, free ports, a slave running in a thread.

OMVRPC_CLI names the omv-rpc binary (ctest sets it); tests that need it
are skipped without it."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

import omvrpc

CLI = os.environ.get("OMVRPC_CLI", "")
SANITIZED = os.environ.get("OMVRPC_TEST_SANITIZED") == "1"


def need_cli():
    if not CLI or not os.path.exists(CLI):
        pytest.skip("OMVRPC_CLI does not name the omv-rpc binary")
    return CLI


def free_port():
    """A port free for UDP and TCP on the two loopback addresses used."""
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


def die_with_parent():
    """preexec_fn: on Linux the child gets SIGTERM when this process dies,
    so that a crashed test run leaves no virtual camera behind."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class Sim:
    """`omv-rpc sim` in a child process."""

    def __init__(self, kind):
        cli = need_cli()
        self.kind = kind
        if kind == "pty":
            args = [cli, "sim", "--pty", "-q"]
        else:
            self.port = free_port()
            args = [cli, "sim", "--net", "--bind", "127.0.0.2", "--net-port", str(self.port)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, preexec_fn=die_with_parent)
        if kind == "pty":
            self.path = self.proc.stdout.readline().strip()
            assert self.path.startswith("/dev/"), self.proc.stderr.read()
        else:
            line = self.proc.stderr.readline()
            assert "ready" in line, line + self.proc.stderr.read()

    def rpc_master(self):
        """A master of the drop-in module on this sim."""
        import rpc
        if self.kind == "pty":
            return rpc.rpc_usb_vcp_master(self.path)
        return rpc.rpc_network_master("127.0.0.2", "127.0.0.1", self.port)

    def master(self):
        """A master of the modern API on this sim."""
        if self.kind == "pty":
            return omvrpc.Master.usb_vcp(self.path)
        return omvrpc.Master.network("127.0.0.2", bind="127.0.0.1", port=self.port)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class SimV2:
    """`omv-rpc sim --v2` (the OpenMV Protocol V2 virtual camera) on a
    pseudo-terminal (or UDP with options "--udp", PORT), in a child
    process."""

    def __init__(self, *options):
        cli = need_cli()
        self.proc = subprocess.Popen([cli, "sim", "--v2"] + list(options),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=die_with_parent)
        self.path = self.proc.stdout.readline().strip()
        assert self.path.startswith(("/dev/", "udp:")), self.proc.stderr.read()

    def camera(self, **options):
        if self.path.startswith("udp:"):
            return omvrpc.Camera.udp("127.0.0.1", int(self.path[4:]), **options)
        return omvrpc.Camera(self.path, **options)

    close = Sim.close


@pytest.fixture
def sim_v2():
    s = SimV2()
    yield s
    s.close()


@pytest.fixture
def cam(sim_v2):
    """An omvrpc.Camera connected to a fresh V2 virtual camera."""
    c = sim_v2.camera()
    yield c
    c.close()


@pytest.fixture(params=["pty", "net"])
def sim(request):
    s = Sim(request.param)
    yield s
    s.close()


@pytest.fixture
def sim_pty():
    s = Sim("pty")
    yield s
    s.close()


class SlaveThread:
    """A slave's loop in a thread, stopped and joined at the end."""

    def __init__(self, slave, **loop_args):
        self.slave = slave
        self.error = None
        loop_args.setdefault("recv_timeout", 0.05)
        self.thread = threading.Thread(target=self._run, kwargs=loop_args, daemon=True)
        self.thread.start()

    def _run(self, **loop_args):
        try:
            self.slave.loop(**loop_args)
        except BaseException as e:  # checked by the test
            self.error = e

    def stop(self):
        self.slave.stop()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


@pytest.fixture
def pair():
    """A master and a slave on an in-process pair; the slave's loop runs in a
    thread once the test calls start()."""
    master, slave = omvrpc.pair()
    runner = {}

    def start(**loop_args):
        runner["t"] = SlaveThread(slave, **loop_args)
        return runner["t"]

    yield master, slave, start
    if "t" in runner:
        runner["t"].stop()
    master.close()
    slave.close()


def wait_for(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()
