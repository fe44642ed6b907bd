"""OpenMV's desktop ``rpc`` module, on omvrpc's C core: a drop-in.

Programs written for OpenMV's ``rpc.py`` run unchanged: the same classes,
arguments, defaults (timeouts in milliseconds) and results:

* ``call()`` returns a ``memoryview`` of the result (empty for an unknown
  function) or ``None`` when the call failed; link trouble raises nothing.
* ``get_bytes(buff, timeout_ms)`` fills ``buff`` and returns it, or None;
  ``put_bytes(data, timeout_ms)``.
* ``stream_reader`` / ``stream_writer`` return on any error; an exception
  raised in ``call_back`` ends the stream and propagates.
* A slave's ``loop()`` returns only by an exception from a callback, or
  KeyboardInterrupt (Ctrl-C).
* A class deriving from ``rpc_master`` or ``rpc_slave`` that implements
  ``get_bytes`` / ``put_bytes`` (and optionally ``_flush``) and calls
  ``rpc_master.__init__(self)`` / ``rpc_slave.__init__(self)`` is a master
  or slave over that Python transport, driven by the C core.

Beyond OpenMV: the correctly spelled ``rpc_kvaser_can_*``, SocketCAN
(``rpc_socketcan_*``), I2C and SPI masters, and ``rpc_can_*`` taking a
SocketCAN interface or "kvaser:N"; ``rpc_v2_master`` for a camera with
current firmware, whose USB port speaks OpenMV Protocol V2 (the rpc slave
runs over a channel a camera script registers). For the modern API see
``omvrpc``.
"""

from omvrpc import _omvrpc
from omvrpc._camera import Camera as _Camera

__all__ = [
    "rpc",
    "rpc_master",
    "rpc_slave",
    "rpc_usb_vcp_master",
    "rpc_usb_vcp_slave",
    "rpc_uart_master",
    "rpc_uart_slave",
    "rpc_network_master",
    "rpc_network_slave",
    "rpc_kvarser_can_master",
    "rpc_kvarser_can_slave",
    "rpc_kvaser_can_master",
    "rpc_kvaser_can_slave",
    "rpc_socketcan_master",
    "rpc_socketcan_slave",
    "rpc_i2c_master",
    "rpc_spi_master",
    "rpc_v2_master",
]


class rpc:
    """OpenMV's base class of rpc_master and rpc_slave (not used directly).

    A subclass with its own transport implements get_bytes(buff,
    timeout_ms) (fill buff, return it; None on timeout), put_bytes(data,
    timeout_ms) and optionally _flush() (drop received bytes)."""

    def _flush(self):
        pass

    def get_bytes(self, buff, timeout_ms):
        return None

    def put_bytes(self, data, timeout_ms):
        pass


class rpc_master(rpc, _omvrpc.Master):
    """OpenMV's rpc_master. Subclass it with a transport and call
    ``rpc_master.__init__(self)``, or use a concrete master below."""

    def __init__(self):
        _omvrpc.Master.__init__(self)

    call = _omvrpc.Master._rpc_call
    stream_reader = _omvrpc.Master._stream_read
    stream_writer = _omvrpc.Master._stream_write


class rpc_slave(rpc, _omvrpc.Slave):
    """OpenMV's rpc_slave. Subclass it with a transport and call
    ``rpc_slave.__init__(self)``, or use a concrete slave below."""

    def __init__(self):
        _omvrpc.Slave.__init__(self)

    loop = _omvrpc.Slave._rpc_loop
    stream_reader = _omvrpc.Slave._stream_read
    stream_writer = _omvrpc.Slave._stream_write


class _c_master(rpc_master):
    """A master on one of the C library's links."""

    def __init__(self, link):
        _omvrpc.Master.__init__(self, link)

    get_bytes = _omvrpc.Master._rpc_get_bytes
    put_bytes = _omvrpc.Master._rpc_put_bytes

    def _flush(self):
        pass  # the core flushes its own link


class _c_slave(rpc_slave):
    """A slave on one of the C library's links."""

    def __init__(self, link):
        _omvrpc.Slave.__init__(self, link)

    get_bytes = _omvrpc.Slave._rpc_get_bytes
    put_bytes = _omvrpc.Slave._rpc_put_bytes

    def _flush(self):
        pass


class rpc_usb_vcp_master(_c_master):
    """rpc_usb_vcp_master(port): a USB virtual COM port ("auto" finds the
    one OpenMV Cam)."""

    def __init__(self, port):
        _c_master.__init__(self, _omvrpc.serial_link(port, 0))


class rpc_usb_vcp_slave(_c_slave):
    def __init__(self, port):
        _c_slave.__init__(self, _omvrpc.serial_link(port, 0))


class rpc_uart_master(_c_master):
    """rpc_uart_master(port, baudrate=9600): a hardware UART, 8N1."""

    def __init__(self, port, baudrate=9600):
        _c_master.__init__(self, _omvrpc.serial_link(port, baudrate))


class rpc_uart_slave(_c_slave):
    def __init__(self, port, baudrate=9600):
        _c_slave.__init__(self, _omvrpc.serial_link(port, baudrate))


class rpc_network_master(_c_master):
    """rpc_network_master(slave_ip, my_ip="", port=0x1DBA): UDP and TCP."""

    def __init__(self, slave_ip, my_ip="", port=0x1DBA):
        _c_master.__init__(self, _omvrpc.net_master_link(slave_ip, my_ip or None, port))


class rpc_network_slave(_c_slave):
    """rpc_network_slave(my_ip="", port=0x1DBA)."""

    def __init__(self, my_ip="", port=0x1DBA):
        _c_slave.__init__(self, _omvrpc.net_slave_link(my_ip or None, port))


class rpc_kvaser_can_master(_c_master):
    """rpc_kvaser_can_master(channel, message_id=0x7FF, bit_rate=250000,
    sampling_point=75): Kvaser CANlib, loaded at run time."""

    def __init__(self, channel, message_id=0x7FF, bit_rate=250000, sampling_point=75):
        _c_master.__init__(self, _omvrpc.kvaser_link(channel, message_id, bit_rate,
                                                     sampling_point))


class rpc_kvaser_can_slave(_c_slave):
    def __init__(self, channel, message_id=0x7FF, bit_rate=250000, sampling_point=75):
        _c_slave.__init__(self, _omvrpc.kvaser_link(channel, message_id, bit_rate,
                                                    sampling_point))


# OpenMV's spelling.
rpc_kvarser_can_master = rpc_kvaser_can_master
rpc_kvarser_can_slave = rpc_kvaser_can_slave


class rpc_socketcan_master(_c_master):
    """rpc_socketcan_master(interface, message_id=0x7FF, bit_rate=250000,
    sampling_point=75): Linux SocketCAN (e.g. "can0")."""

    def __init__(self, interface, message_id=0x7FF, bit_rate=250000, sampling_point=75):
        _c_master.__init__(self, _omvrpc.socketcan_link(interface, message_id, bit_rate,
                                                        sampling_point))


class rpc_socketcan_slave(_c_slave):
    def __init__(self, interface, message_id=0x7FF, bit_rate=250000, sampling_point=75):
        _c_slave.__init__(self, _omvrpc.socketcan_link(interface, message_id, bit_rate,
                                                       sampling_point))


class rpc_i2c_master(_c_master):
    """rpc_i2c_master(device, slave_addr=0x12, rate=100000): Linux i2c-dev."""

    def __init__(self, device, slave_addr=0x12, rate=100000):
        _c_master.__init__(self, _omvrpc.i2c_link(device, slave_addr, rate))


class rpc_spi_master(_c_master):
    """rpc_spi_master(device, freq=1000000, clk_polarity=1, clk_phase=0):
    Linux spidev."""

    def __init__(self, device, freq=1000000, clk_polarity=1, clk_phase=0):
        _c_master.__init__(self, _omvrpc.spi_link(device, clk_polarity * 2 + clk_phase, freq))


class rpc_v2_master(_c_master):
    """rpc_v2_master(port="auto", channel="rpc", camera=None): a camera with
    current firmware, whose USB port speaks OpenMV Protocol V2 instead of
    rpc. The camera script examples/camera/rpc_v2_channel.py registers the
    channel and runs the camera's rpc slave on it (a remote-device script
    changes only its interface line); this master calls it over USB. Give
    an open omvrpc.Camera as `camera` to share it (exec, stdout, frames
    between calls); else the port is opened here (``.camera``)."""

    def __init__(self, port="auto", channel="rpc", camera=None):
        own = camera is None
        self._own_camera = own
        self.camera = _Camera(port) if own else camera
        try:
            _c_master.__init__(self, self.camera._rpc_link(channel))
        except BaseException:
            if own:
                self.camera.close()
            raise

    def close(self):
        """Close the master, and the camera when it opened it."""
        _c_master.close(self)
        if self._own_camera:
            self.camera.close()
