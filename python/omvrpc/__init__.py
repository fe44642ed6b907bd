"""omvrpc: the OpenMV Cam's RPC protocol, as master or slave, on a C core.

    import omvrpc
    with omvrpc.Master.usb_vcp("auto") as cam:
        face = cam.call("face_detection")          # bytes; b"" for nothing found
        for jpeg in cam.stream("jpeg_image_stream", "sensor.RGB565,sensor.QVGA",
                               queue_depth=8):
            ...

A camera with current firmware speaks OpenMV Protocol V2 on USB instead:

    with omvrpc.Camera("auto") as cam:
        for text in cam.run('print("hello")'):     # the script's output
            print(text, end="")
        for frame in cam.frames(count=10):         # omvrpc.Frame: JPEG bytes
            ...

Timeouts are in seconds everywhere in this package (floats welcome). The
drop-in module ``rpc`` keeps OpenMV's names and milliseconds.

Errors raise subclasses of omvrpc.Error, each carrying the C status name
(``.status``): TimeoutError (``.phase`` "send" or "recv"), LinkError,
ProtocolError, TooLargeError, StoppedError; a Camera also DeviceError (the
camera refused: ``.device_status``) and ResetError (its script ended during
the command: send it again). Ctrl-C interrupts any call,
stream or loop and raises KeyboardInterrupt; the next call works.

The library's log lines (retries, refused packets, advice on opening a
port) go to ``logging.getLogger("omvrpc")``.

Every blocking call releases the GIL: masters in several threads run in
parallel. One Master or Slave is used by one thread at a time (a second
thread gets RuntimeError); Slave.stop() is the exception.
"""

from ._omvrpc import (  # noqa: F401
    DeviceError,
    Error,
    LinkError,
    ProtocolError,
    ResetError,
    StoppedError,
    TimeoutError,
    TooLargeError,
    __version__,
    crc16,
    hash,
)
from ._api import Master, PortInfo, Slave, list_ports, pair  # noqa: F401
from ._camera import Camera, Channel, ChannelInfo, Event, Frame  # noqa: F401

__all__ = [
    "Master",
    "Slave",
    "Camera",
    "Channel",
    "ChannelInfo",
    "Event",
    "Frame",
    "pair",
    "list_ports",
    "PortInfo",
    "Error",
    "TimeoutError",
    "LinkError",
    "ProtocolError",
    "TooLargeError",
    "StoppedError",
    "DeviceError",
    "ResetError",
    "hash",
    "crc16",
    "__version__",
]
