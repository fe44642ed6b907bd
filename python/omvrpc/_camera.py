"""omvrpc.Camera: a camera with current OpenMV firmware, over OpenMV
Protocol V2 (the protocol of OpenMV IDE on the USB port).

The commands are the C type's own methods (each releases the GIL, and
ends with StoppedError on abort() or KeyboardInterrupt on Ctrl-C within
about 100 ms); this file adds names, iterators and the event objects.
The method names follow OpenMV's own host (``openmv.Camera``) where it
has one: exec, stop, read_stdout, streaming, read_frame, channel_read,
channel_write, channel_size, has_channel, read_status, version,
system_info, host_stats, device_stats, reset, boot.
"""

import codecs
import contextlib
import time
from typing import (Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple,
                    Union)

from . import _omvrpc
from ._api import Master

USB_BAUD = _omvrpc.V2_USB_BAUD

# Opcodes and event values of the protocol (include/omv_rpc/v2.h).
_SYS_EVENT = 0x13
_CHANNEL_EVENT = 0x29
_STDIN, _STDOUT, _STREAM = 1, 2, 3
_SYS_EVENTS = {0: "channel_registered", 1: "channel_unregistered", 2: "soft_reboot"}
_STDIN_EVENTS = {1: "script_started", 0: "script_stopped"}

_PIXFMT_NAMES = {
    _omvrpc.V2_PIXFMT_JPEG: "JPEG",
    _omvrpc.V2_PIXFMT_GRAY: "GRAY",
    _omvrpc.V2_PIXFMT_RGB565: "RGB565",
}

ChannelRef = Union[int, str, "Channel"]

# SYS_INFO's hw_caps[0] bits, under openmv-python's names.
_HW_CAPS = (("gpu_present", 0), ("npu_present", 1), ("isp_present", 2),
            ("venc_present", 3), ("jpeg_present", 4), ("dram_present", 5),
            ("crc_present", 6), ("pmu_present", 7), ("wifi_present", 16),
            ("bt_present", 17), ("sd_present", 18), ("eth_present", 19),
            ("usb_highspeed", 20), ("multicore_present", 21))


class Event(NamedTuple):
    """An event the camera sent. kind: "channel_registered",
    "channel_unregistered", "soft_reboot" (a script ended: the camera
    restarted its protocol; the host has resynchronised), "stdout" (the
    script printed something), "script_started", "script_stopped", or
    "event" for any other. value: the event's number (-1: none)."""
    kind: str
    channel: int
    value: int
    opcode: int

    @classmethod
    def _make_from(cls, opcode: int, channel: int, value: int) -> "Event":
        kind = "event"
        if opcode == _SYS_EVENT and channel == 0:
            kind = _SYS_EVENTS.get(value, "event")
        elif opcode == _CHANNEL_EVENT and channel == _STDOUT:
            kind = "stdout"
        elif opcode == _CHANNEL_EVENT and channel == _STDIN:
            kind = _STDIN_EVENTS.get(value, "event")
        return cls(kind, channel, value, opcode)


class Frame(NamedTuple):
    """One frame of the camera's stream: the decoded 32-byte header and the
    image bytes (JPEG, or raw pixels after streaming(raw=True)). data is
    bytes, or a read-only memoryview with view=True (its buffer is never
    reused while a view of it lives)."""
    width: int
    height: int
    pixfmt: int
    size: int  # JPEG: its byte count; raw: bytes per pixel
    offset: int
    fps: float
    data: Any

    @property
    def format(self) -> str:
        """"JPEG", "GRAY", "RGB565", or the pixel format number in hex."""
        return _PIXFMT_NAMES.get(self.pixfmt, "0x%08X" % self.pixfmt)

    @property
    def is_jpeg(self) -> bool:
        return self.pixfmt == _omvrpc.V2_PIXFMT_JPEG

    @property
    def depth(self) -> Optional[int]:
        """Bytes per pixel of a raw frame (openmv-python's name); None for JPEG."""
        return None if self.is_jpeg else self.size


class ChannelInfo(NamedTuple):
    id: int
    flags: int
    name: str


class Channel:
    """A channel of the camera (a script's custom channel, or stdin,
    stdout, stream): ``cam.channel("name")``. Holds the id, so that its
    commands need no lookup."""

    def __init__(self, camera: "Camera", info: ChannelInfo) -> None:
        self.camera = camera
        self.id, self.flags, self.name = info

    def __repr__(self) -> str:
        return "<omvrpc.Channel %d %r flags 0x%02x>" % (self.id, self.name, self.flags)

    def size(self) -> int:
        """CHANNEL_SIZE: the bytes it holds now."""
        return self.camera._channel_size(self.id)

    def shape(self) -> Tuple[int, ...]:
        """CHANNEL_SHAPE: up to 4 dimensions."""
        return self.camera._channel_shape(self.id)

    def read(self, size: Optional[int] = None, offset: int = 0) -> bytes:
        """CHANNEL_READ of `size` bytes at `offset` (None: all it holds now;
        fragments reassembled). May return fewer bytes."""
        if size is None:
            size = max(self.size() - offset, 0)
        return self.camera._channel_read(self.id, size, offset)

    def readinto(self, buffer: Any, offset: int = 0) -> int:
        """CHANNEL_READ straight into a writable buffer; returns the count."""
        return self.camera._channel_read(self.id, buffer, offset)

    def write(self, data: Any, offset: int = 0) -> None:
        """CHANNEL_WRITE (split into writes of max_payload - 8 bytes)."""
        self.camera._channel_write(self.id, data, offset)

    def ioctl(self, request: int, arg: Any = b"") -> None:
        """CHANNEL_IOCTL with a u32 request and up to 60 bytes of arguments."""
        self.camera._channel_ioctl(self.id, request, arg)

    @contextlib.contextmanager
    def lock(self, timeout: float = 1.0) -> Iterator["Channel"]:
        """``with ch.lock():`` CHANNEL_LOCK, retried while the camera says
        BUSY (up to `timeout` seconds), and CHANNEL_UNLOCK at the end."""
        self.camera._lock_retrying(self.id, timeout)
        try:
            yield self
        finally:
            self.camera._channel_unlock(self.id)

    def unlock(self) -> None:
        self.camera._channel_unlock(self.id)


class Camera(_omvrpc.Camera):
    """A camera with current OpenMV firmware (Protocol V2).

        with omvrpc.Camera("auto") as cam:           # or a port, a pty path
            print(cam.version()["firmware_version"])
            for text in cam.run(open("main.py").read()):
                print(text, end="")                  # Ctrl-C stops the script
            for frame in cam.frames(count=10):
                open("f.jpg", "wb").write(frame.data)

    ``port``: "auto" finds the one OpenMV Cam attached (by its USB IDs);
    else a serial port name or a pseudo-terminal path. ``Camera.udp(host)``
    for the protocol over the network. ``baudrate`` None:
    USB (the camera's 921600 with DTR); else a UART's rate. ``timeout``
    (seconds) bounds each command's silence. ``max_payload`` asks the camera
    for smaller packets (50..4082). ``on_event`` is called with each Event
    (on the thread whose command received it, after that command);
    without it, events queue for events() / poll_events(). Connects at once
    (connect=False: call connect() yourself).
    Errors raise omvrpc.Error subclasses (``.status`` the C status name):
    LinkError, TimeoutError, DeviceError (the camera refused: its
    ``.device_status``), ResetError (a soft reboot interrupted the command:
    send it again), StoppedError (abort()).
    """

    def __init__(self, port: str = "auto", baudrate: Optional[int] = None, *,
                 timeout: float = 3.0, max_payload: Optional[int] = None,
                 on_event: Optional[Callable[[Event], Any]] = None,
                 connect: bool = True, _link: Any = None) -> None:
        link = _link if _link is not None else _omvrpc.serial_link(port, baudrate or USB_BAUD)
        super().__init__(link, timeout=timeout, max_payload=max_payload or 0)
        self._events_cb: Optional[Callable[[Event], Any]] = None
        self.on_event = on_event
        if not connect:
            return
        try:
            self.connect()
        except BaseException:
            self.close()
            raise

    @classmethod
    def udp(cls, host: str, port: int = _omvrpc.V2_UDP_DEFAULT_PORT,
            **options: Any) -> "Camera":
        """A camera whose script runs the protocol over the network (the
        firmware's network transport example): one packet per UDP datagram
        to `host`:`port`. max_payload defaults to 1400 (a packet fits a
        datagram), as that script sets it."""
        options.setdefault("max_payload", _omvrpc.V2_UDP_MAX_PAYLOAD)
        return cls(_link=_omvrpc.v2_udp_link(host, port), **options)

    # ---------------------------------------------------------- events

    @property
    def on_event(self) -> Optional[Callable[[Event], Any]]:
        """The event callback (see the class); None: events queue."""
        return self._events_cb

    @on_event.setter
    def on_event(self, fn: Optional[Callable[[Event], Any]]) -> None:
        self._events_cb = fn
        self._on_event = None if fn is None else (
            lambda op, ch, ev: fn(Event._make_from(op, ch, ev)))

    def poll_events(self, timeout: float = 0.0) -> List[Event]:
        """Wait up to `timeout` seconds for an event and return the queued
        ones (without an on_event callback; with one, they went to it)."""
        events = self._take_events()
        if not events:
            self._poll_events(timeout)
            events = self._take_events()
        return [Event._make_from(*e) for e in events]

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Iterate over the camera's events as they come; the iterator ends
        when none came for `timeout` seconds (None: never). Ctrl-C ends it
        with KeyboardInterrupt."""
        last = time.monotonic()
        while True:
            got = self._take_events()
            if got:
                for e in got:
                    yield Event._make_from(*e)
                last = time.monotonic()
                continue
            wait = 0.1
            if timeout is not None:
                left = timeout - (time.monotonic() - last)
                if left <= 0:
                    return
                wait = min(wait, left)
            self._poll_events(wait)

    # ------------------------------------------------------ information

    def version(self) -> Dict[str, Tuple[int, int, int]]:
        """firmware_version, protocol_version, bootloader_version (tuples)."""
        info = self._sys_info()
        return {k: info[k] for k in ("firmware_version", "protocol_version",
                                     "bootloader_version")}

    def system_info(self) -> Dict[str, Any]:
        """SYS_INFO: cpu_id, device_id, chip_id, usb_vid, usb_pid, hw_caps
        (the two words) and its bits (gpu_present, npu_present, isp_present,
        venc_present, jpeg_present, dram_present, crc_present, pmu_present,
        pmu_eventcnt, wifi_present, bt_present, sd_present, eth_present,
        usb_highspeed, multicore_present), flash/ram/framebuffer/
        stream_buffer sizes in KB, and the versions (PROTO_VERSION)."""
        info = self._sys_info()
        caps = info["hw_caps"][0]
        for name, bit in _HW_CAPS:
            info[name] = bool(caps >> bit & 1)
        info["pmu_eventcnt"] = caps >> 8 & 0xFF
        return info

    def caps(self) -> Dict[str, Any]:
        """The negotiated capabilities: crc, seq, ack, events, max_payload."""
        return self._get_caps()

    def info(self) -> Dict[str, Any]:
        """Everything at once: system_info() with "caps", "channels" (a
        list of ChannelInfo) and "stats" (device_stats())."""
        info = self.system_info()
        info["caps"] = self._get_caps()
        info["channels"] = self.channels()
        info["stats"] = self.device_stats()
        return info

    def stats(self) -> Dict[str, int]:
        """The camera's protocol statistics (device_stats())."""
        return self.device_stats()

    def is_connected(self) -> bool:
        return not self.closed

    def disconnect(self) -> None:
        """Close the port (as close())."""
        self.close()

    # -------------------------------------------------------- channels

    def channels(self) -> List[ChannelInfo]:
        """CHANNEL_LIST: every channel's id, flags and name."""
        return [ChannelInfo(*c) for c in self._channel_list()]

    def channel(self, ref: ChannelRef) -> Channel:
        """The channel named `ref` (or with that id). Raises KeyError when
        the camera has none such."""
        if isinstance(ref, Channel):
            return ref
        for c in self.channels():
            if c.name == ref or c.id == ref:
                return Channel(self, c)
        raise KeyError("the camera has no channel %r (channels(): %s)"
                       % (ref, ", ".join(c.name for c in self.channels())))

    def has_channel(self, name: str) -> bool:
        return any(c.name == name for c in self.channels())

    def _id(self, ref: ChannelRef) -> int:
        if isinstance(ref, Channel):
            return ref.id
        if isinstance(ref, int):
            return ref
        return self.channel(ref).id

    def channel_size(self, ref: ChannelRef) -> int:
        return self._channel_size(self._id(ref))

    def channel_read(self, ref: ChannelRef, size: Optional[int] = None,
                     offset: int = 0) -> bytes:
        """Read a channel (by name, id or Channel); size None: all it holds."""
        cid = self._id(ref)
        if size is None:
            size = max(self._channel_size(cid) - offset, 0)
        return self._channel_read(cid, size, offset)

    def channel_write(self, ref: ChannelRef, data: Any, offset: int = 0) -> None:
        self._channel_write(self._id(ref), data, offset)

    def channel_ioctl(self, ref: ChannelRef, request: int, arg: Any = b"") -> None:
        self._channel_ioctl(self._id(ref), request, arg)

    def channel_lock(self, ref: ChannelRef, timeout: float = 1.0) -> None:
        """CHANNEL_LOCK, retried while the camera says BUSY."""
        self._lock_retrying(self._id(ref), timeout)

    def channel_unlock(self, ref: ChannelRef) -> None:
        self._channel_unlock(self._id(ref))

    def _lock_retrying(self, cid: int, timeout: float) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                self._channel_lock(cid)
                return
            except _omvrpc.DeviceError as e:
                if e.device_status != "BUSY" or time.monotonic() >= end:
                    raise
            time.sleep(0.005)  # the camera refuses a lock within 10 ms of the last

    def read_status(self) -> Dict[str, bool]:
        """CHANNEL_POLL by name: which channels hold data now."""
        bits = self.channel_poll()
        return {c.name: bool(bits >> c.id & 1) for c in self.channels()}

    # --------------------------------------------------------- scripts

    def read_stdout(self) -> Optional[str]:
        """What the script printed since the last read (None: nothing)."""
        data = self._read_stdout()
        return data.decode("utf-8", "replace") if data else None

    def stdout(self) -> str:
        """As read_stdout(), "" when there is nothing."""
        return self._read_stdout().decode("utf-8", "replace")

    def run(self, script: Union[str, bytes], *, stop_on_exit: bool = True) -> Iterator[str]:
        """Run `script` and iterate over its output (str pieces, as the
        camera prints them) until it ends. Ctrl-C stops the script: the
        iterator gives what the camera still prints (its KeyboardInterrupt
        traceback), then raises KeyboardInterrupt. Leaving the loop early
        (break, an exception) stops the script too, unless stop_on_exit is
        False."""
        self.exec(script)
        return self._follow(stop_on_exit)

    def _follow(self, stop_on_exit: bool) -> Iterator[str]:
        start = self.host_stats()["soft_reboots"]
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        ended = False
        interrupted = False
        try:
            while not ended:
                try:
                    self._poll_events(0.05)
                    ended = self.host_stats()["soft_reboots"] != start
                    text = decoder.decode(self._read_stdout())
                except KeyboardInterrupt:
                    if interrupted:
                        raise
                    interrupted = True
                    self._stop_quietly()
                    continue
                if text:
                    yield text
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
            ended = True
            if interrupted:
                raise KeyboardInterrupt
        finally:
            if not ended and stop_on_exit and not self.closed:
                self._stop_and_wait()

    def _stop_quietly(self) -> None:
        try:
            self.stop()
        except _omvrpc.ResetError:
            pass

    def _stop_and_wait(self, timeout: float = 3.0) -> None:
        """Stop the script, wait (bounded) for its soft reboot, and drop
        what it printed (nobody follows it any more)."""
        start = self.host_stats()["soft_reboots"]
        self._stop_quietly()
        end = time.monotonic() + timeout
        while self.host_stats()["soft_reboots"] == start and time.monotonic() < end:
            self._poll_events(0.05)
            self._read_stdout()
        self._read_stdout()

    # ------------------------------------------------------ rpc over V2

    def rpc_master(self, channel: str = "rpc", **options: Any) -> Master:
        """An omvrpc.Master that calls the camera's rpc functions over the
        channel `channel`, which a camera script registers and serves with
        the camera's own rpc slave (examples/camera/rpc_v2_channel.py;
        run it with exec()). Raises LinkError (status
        OMV_RPC_ERR_NO_DEVICE) while no script has registered the channel.
        The camera stays open while the master lives (close the master
        first); its commands and the master's calls take turns, one at a
        time. ``options``: Master's (max_payload)."""
        return Master(self._rpc_link(channel), **options)

    # ---------------------------------------------------------- frames

    def streaming(self, enable: bool, raw: bool = False,
                  resolution: Optional[Tuple[int, int]] = None) -> None:
        """Turn the frame stream on or off; raw=True with resolution=(w, h)
        asks for uncompressed frames of that size (else JPEG)."""
        if raw:
            if resolution is None:
                raise ValueError("raw frames need resolution=(width, height)")
            self._stream_raw(True, int(resolution[0]), int(resolution[1]))
        else:
            self._stream_raw(False)
        self._stream_enable(enable)

    def read_frame(self, view: bool = False) -> Optional[Frame]:
        """The frame ready now (None: none yet). With view=True, data is a
        memoryview (no copy)."""
        f = self._read_frame(view=view)
        return None if f is None else Frame(*f)

    def frames(self, count: Optional[int] = None, *, view: bool = False,
               raw: Optional[Tuple[int, int]] = None, timeout: float = 5.0) -> Iterator[Frame]:
        """Turn the stream on and iterate over its frames (`count` of them,
        None: until the loop ends). raw=(w, h): uncompressed frames of that
        size. Raises TimeoutError when no frame came for `timeout` seconds."""
        self.streaming(True, raw=raw is not None, resolution=raw)
        done = 0
        last = time.monotonic()
        while count is None or done < count:
            f = self._read_frame(view=view)
            if f is None:
                if time.monotonic() - last > timeout:
                    raise _omvrpc._error("OMV_RPC_ERR_TIMEOUT",
                                         "no frame came for %g s" % timeout)
                self._poll_events(0.01)
                continue
            last = time.monotonic()
            done += 1
            yield Frame(*f)
