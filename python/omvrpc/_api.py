"""The modern API: constructors per link, decorators, streams as iterators.

The hot paths (call, streams, the slave's loop) are the C type's own
methods; this file only adds what Python does better.
"""

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from . import _omvrpc

DEFAULT_NET_PORT = _omvrpc.NET_DEFAULT_PORT


def _ms(seconds: Optional[float], default: int) -> int:
    if seconds is None:
        return default
    if seconds < 0:
        raise ValueError("a timeout must be >= 0 seconds")
    return int(seconds * 1000 + 0.999)


class Master(_omvrpc.Master):
    """An RPC master: calls functions on a slave (an OpenMV Cam).

    Make one with a constructor per link (``Master.usb_vcp("auto")``,
    ``.uart(port, baudrate)``, ``.network(host)``, ``.can(interface)``,
    ``.kvaser(channel)``, ``.i2c(device)``, ``.spi(device)``) or on a Python
    transport: ``Master(obj)`` where obj has ``get_bytes(buff, timeout_ms)``
    (fill buff, return it, or None on timeout) and ``put_bytes(data,
    timeout_ms)``. ``with`` closes the link. ``max_payload`` (bytes, keyword
    of every constructor) limits results and frames (default 64 MiB).
    Timeouts are in seconds.
    """

    @classmethod
    def usb_vcp(cls, port: str = "auto", **options: Any) -> "Master":
        """A USB virtual COM port ("auto": the one OpenMV Cam attached)."""
        return cls(_omvrpc.serial_link(port, 0), **options)

    @classmethod
    def uart(cls, port: str, baudrate: int = 9600, **options: Any) -> "Master":
        """A hardware UART or USB-serial adapter at `baudrate` (8N1)."""
        return cls(_omvrpc.serial_link(port, baudrate), **options)

    @classmethod
    def network(cls, host: str, bind: str = "", port: int = DEFAULT_NET_PORT,
                **options: Any) -> "Master":
        """The slave at `host` over UDP and TCP on `port`; `bind`: own address."""
        return cls(_omvrpc.net_master_link(host, bind or None, port), **options)

    @classmethod
    def can(cls, interface: str, message_id: int = 0x7FF, bit_rate: int = 250000,
            sample_point: int = 75, **options: Any) -> "Master":
        """Linux SocketCAN `interface` (e.g. "can0")."""
        return cls(_omvrpc.socketcan_link(interface, message_id, bit_rate, sample_point),
                   **options)

    @classmethod
    def kvaser(cls, channel: int, message_id: int = 0x7FF, bit_rate: int = 250000,
               sample_point: int = 75, library: Optional[str] = None,
               **options: Any) -> "Master":
        """Kvaser CANlib `channel` (CANlib is loaded at run time)."""
        return cls(_omvrpc.kvaser_link(channel, message_id, bit_rate, sample_point, library),
                   **options)

    @classmethod
    def i2c(cls, device: str, address: int = 0x12, rate: int = 100000,
            **options: Any) -> "Master":
        """Linux i2c-dev `device` (e.g. "/dev/i2c-1"), the camera at `address`."""
        return cls(_omvrpc.i2c_link(device, address, rate), **options)

    @classmethod
    def spi(cls, device: str, hz: int = 1000000, polarity: int = 1, phase: int = 0,
            **options: Any) -> "Master":
        """Linux spidev `device` (e.g. "/dev/spidev0.0"), OpenMV's mode 2 by default."""
        return cls(_omvrpc.spi_link(device, polarity * 2 + phase, hz), **options)

    def stream_reader(self, callback: Callable[[memoryview], Any], queue_depth: int = 1,
                      timeout: float = 5.0) -> int:
        """Receive a stream (after the call that starts it): callback(frame)
        gets each frame as a memoryview of the receive buffer (no copy; valid
        during the callback). Return False from it, or raise, to end the
        stream. Returns the number of frames; raises when the stream breaks."""
        return self._stream_read(callback, queue_depth, _ms(timeout, 5000), strict=True)

    def stream_writer(self, frames: Iterable[Any], timeout: float = 5.0) -> int:
        """Send every bytes-like object of `frames` as one stream frame (sent
        from its own memory, no copy). Returns the number of frames."""
        it = iter(frames)
        return self._stream_write(lambda: next(it, None), _ms(timeout, 5000), strict=True)

    def stream(self, name: Optional[str] = None, data: Any = b"", *, queue_depth: int = 1,
               timeout: float = 5.0, send_timeout: float = 1.0,
               recv_timeout: float = 1.0) -> Iterator[bytes]:
        """Iterate over a stream's frames (bytes). With `name`, first call
        that function with `data` (e.g. "jpeg_image_stream"). Leaving the
        loop ends the stream; so does the writer going silent for `timeout`
        seconds (the protocol has no end-of-stream mark). Other failures
        raise. A background thread receives the frames, so the loop body may
        take its time (up to 2 * `queue_depth` frames wait); for zero copy
        use stream_reader()."""
        if name is not None:
            self.call(name, data, send_timeout=send_timeout, recv_timeout=recv_timeout)
        return _frames(_StreamIterator(self, queue_depth, _ms(timeout, 5000)))


def _frames(it: "_StreamIterator") -> Iterator[bytes]:
    # A generator, so that leaving the for loop (break, an exception, the
    # iterator dropped) ends the stream and joins the reader thread.
    try:
        yield from it
    finally:
        it.close()


class _StreamIterator:
    """Frames from a stream reader running in a thread, through a queue."""

    _END = object()

    def __init__(self, master: Master, depth: int, timeout_ms: int) -> None:
        self._q: "queue.Queue[Any]" = queue.Queue(maxsize=max(depth, 1) * 2)
        self._stop = threading.Event()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(master, depth, timeout_ms),
                                        name="omvrpc-stream", daemon=True)
        self._thread.start()

    def _run(self, master: Master, depth: int, timeout_ms: int) -> None:
        def frame(view: memoryview) -> Optional[bool]:
            item = bytes(view)
            while not self._stop.is_set():
                try:
                    self._q.put(item, timeout=0.05)
                    return None
                except queue.Full:
                    continue
            return False

        try:
            master._stream_read(frame, depth, timeout_ms, strict=True)
        except _omvrpc.TimeoutError as e:
            if e.phase is not None or e.status != "OMV_RPC_ERR_TIMEOUT":
                self._error = e
            # else: the writer went silent: the end of the stream
        except BaseException as e:  # handed to the consumer
            self._error = e
        finally:
            while True:
                try:
                    self._q.put(self._END, timeout=0.05)
                    break
                except queue.Full:
                    if self._stop.is_set():
                        break

    def __iter__(self) -> "_StreamIterator":
        return self

    def __next__(self) -> bytes:
        if self._stop.is_set():
            raise StopIteration
        item = self._q.get()
        if item is self._END:
            self._stop.set()
            self._thread.join()
            if self._error is not None:
                raise self._error
            raise StopIteration
        return item

    def close(self) -> None:
        """End the stream (the writer sees the reader stop)."""
        self._stop.set()
        self._thread.join()

    def __del__(self) -> None:
        self._stop.set()

    def __enter__(self) -> "_StreamIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Slave(_omvrpc.Slave):
    """An RPC slave: serves Python functions to a master (plays the camera).

    Constructors per link as Master's (``usb_vcp``, ``uart``, ``network``,
    ``can``, ``kvaser``), ``Slave.pty()`` (a new pseudo-terminal: open
    ``slave.port`` with a master), or ``Slave(transport)``.

        slave = omvrpc.Slave.network()

        @slave.callback
        def echo(arg):              # arg: memoryview, valid during the call
            return bytes(arg)       # bytes-like, str or None (empty)

        slave.loop()                # until slave.stop() or Ctrl-C
    """

    port: Optional[str] = None

    @classmethod
    def usb_vcp(cls, port: str, **options: Any) -> "Slave":
        """Serve on a USB virtual COM port (or any tty)."""
        return cls(_omvrpc.serial_link(port, 0), **options)

    @classmethod
    def uart(cls, port: str, baudrate: int = 9600, **options: Any) -> "Slave":
        """Serve on a UART at `baudrate` (8N1)."""
        return cls(_omvrpc.serial_link(port, baudrate), **options)

    @classmethod
    def network(cls, bind: str = "", port: int = DEFAULT_NET_PORT,
                allowed: Optional[List[str]] = None, **options: Any) -> "Slave":
        """Serve masters on UDP/TCP `port`; `allowed`: master hosts to accept."""
        return cls(_omvrpc.net_slave_link(bind or None, port, allowed), **options)

    @classmethod
    def can(cls, interface: str, message_id: int = 0x7FF, bit_rate: int = 250000,
            sample_point: int = 75, **options: Any) -> "Slave":
        """Serve on Linux SocketCAN `interface`."""
        return cls(_omvrpc.socketcan_link(interface, message_id, bit_rate, sample_point),
                   **options)

    @classmethod
    def kvaser(cls, channel: int, message_id: int = 0x7FF, bit_rate: int = 250000,
               sample_point: int = 75, library: Optional[str] = None,
               **options: Any) -> "Slave":
        """Serve on Kvaser CANlib `channel`."""
        return cls(_omvrpc.kvaser_link(channel, message_id, bit_rate, sample_point, library),
                   **options)

    @classmethod
    def pty(cls, **options: Any) -> "Slave":
        """On a new pseudo-terminal; its path is ``.port`` (POSIX)."""
        link = _omvrpc.pty_link()
        slave = cls(link, **options)
        slave._pty = link  # keeps the terminal side open while the slave lives
        slave.port = link.name
        return slave

    def callback(self, fn: Any = None, *, name: Optional[str] = None) -> Any:
        """Decorator: serve the function under its own name or `name`.
        ``@slave.callback``, ``@slave.callback(name="other")``."""
        def register(f: Callable[[memoryview], Any]) -> Callable[[memoryview], Any]:
            self.register(name or f.__name__, f)
            return f
        if fn is None:
            return register
        if isinstance(fn, str):
            name = fn
            return register
        return register(fn)

    def stream_writer(self, frames: Iterable[Any], timeout: float = 5.0) -> int:
        """Send each bytes-like object of `frames` as a stream frame (call it
        from a callback scheduled with schedule_callback). Returns the count."""
        it = iter(frames)
        return self._stream_write(lambda: next(it, None), _ms(timeout, 5000), strict=True)

    def stream_reader(self, callback: Callable[[memoryview], Any], queue_depth: int = 1,
                      timeout: float = 5.0) -> int:
        """Receive a stream from the master; see Master.stream_reader."""
        return self._stream_read(callback, queue_depth, _ms(timeout, 5000), strict=True)


def pair(capacity: int = 0, **options: Any) -> Tuple[Master, Slave]:
    """A master and a slave joined by an in-process link (for tests, and for
    running both ends in two threads of one program)."""
    a, b = _omvrpc.pair_links(capacity)
    return Master(a, **options), Slave(b, **options)


class PortInfo(NamedTuple):
    """A serial port; is_openmv marks an OpenMV Cam (by its USB IDs)."""
    name: str
    description: str
    serial_number: str
    manufacturer: str
    vid: int
    pid: int
    is_usb: bool
    is_openmv: bool


def list_ports() -> List[PortInfo]:
    """The serial ports of this machine, OpenMV Cams marked."""
    return [PortInfo(*p) for p in _omvrpc.list_ports()]
