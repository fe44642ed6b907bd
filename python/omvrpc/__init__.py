"""omvrpc: the OpenMV Cam's RPC protocol, as master or slave, on a C core.

    import omvrpc
    with omvrpc.Master.usb_vcp("auto") as cam:
        face = cam.call("face_detection")          # bytes; b"" for nothing found
        for jpeg in cam.stream("jpeg_image_stream", "sensor.RGB565,sensor.QVGA",
                               queue_depth=8):
            ...

Timeouts are in seconds everywhere in this package (floats welcome). The
drop-in module ``rpc`` keeps OpenMV's names and milliseconds.

Errors raise subclasses of omvrpc.Error, each carrying the C status name
(``.status``): TimeoutError (``.phase`` "send" or "recv"), LinkError,
ProtocolError, TooLargeError, StoppedError. Ctrl-C interrupts any call,
stream or loop and raises KeyboardInterrupt; the next call works.

The library's log lines (retries, refused packets, advice on opening a
port) go to ``logging.getLogger("omvrpc")``.

Every blocking call releases the GIL: masters in several threads run in
parallel. One Master or Slave is used by one thread at a time (a second
thread gets RuntimeError); Slave.stop() is the exception.
"""

from ._omvrpc import (  # noqa: F401
    Error,
    LinkError,
    ProtocolError,
    StoppedError,
    TimeoutError,
    TooLargeError,
    __version__,
    crc16,
    hash,
)
from ._api import Master, PortInfo, Slave, list_ports, pair  # noqa: F401

__all__ = [
    "Master",
    "Slave",
    "pair",
    "list_ports",
    "PortInfo",
    "Error",
    "TimeoutError",
    "LinkError",
    "ProtocolError",
    "TooLargeError",
    "StoppedError",
    "hash",
    "crc16",
    "__version__",
]
