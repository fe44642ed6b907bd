/*
 * Serial links: what the serial source files share, and the pieces the
 * tests reach directly (port selection, latency timer, error mapping).
 * Not installed: nothing here is public API.
 */
#ifndef OMV_RPC_SERIAL_INTERNAL_H
#define OMV_RPC_SERIAL_INTERNAL_H

#include "omv_rpc/serial.h"
#include "common/clock.h"
#include "common/link_log.h"

/* Where Linux keeps its device tree, and the usb-serial latency timers. */
#define OMV_RPC_SERIAL_SYSFS_ROOT "/sys"

/* Milliseconds `len` bytes need on the wire, one way: 10 bits a byte at
 * `baudrate` (0: USB, paced at 1 MB/s), rounded up, plus 1 ms and the
 * adapter's `latency_ms`. Saturates at UINT32_MAX. */
uint32_t omvrpc_serial_wire_ms(uint32_t baudrate, uint32_t latency_ms, size_t len);
/* The link's flags: a byte stream; with no baud rate, its pace (USB's) only
 * a floor, as the port may be an adapter to a slow UART. */
uint32_t omvrpc_serial_link_flags(uint32_t baudrate);

/* The status for an errno value met while opening a port:
 * ENOENT/ENXIO/ENODEV/ENOTDIR/ENOTTY/EISDIR -> NO_SUCH_PORT,
 * EACCES/EPERM/EROFS -> PERMISSION, EBUSY/EWOULDBLOCK/EAGAIN (a held flock) -> BUSY, ENOMEM ->
 * NO_MEMORY, EINVAL -> UNSUPPORTED, others LINK. Thread-safe. */
omv_rpc_status omvrpc_serial_status_from_errno(int err);

/* "auto": pick the one OpenMV Cam among `count` listed ports and copy its
 * name into `name` (`size` bytes). OMV_RPC_ERR_NO_DEVICE when none is an
 * OpenMV Cam, OMV_RPC_ERR_AMBIGUOUS when several are (each candidate is
 * logged), OMV_RPC_ERR_BUFFER_TOO_SMALL when the name does not fit. */
omv_rpc_status omvrpc_serial_pick_openmv(const omv_rpc_port_info *ports, size_t count, char *name,
                                         size_t size, const omv_rpc_log *log);

/* Turn a port argument into a device name: "auto" is resolved through
 * the port list (logging the choice), any other name is copied. */
omv_rpc_status omvrpc_serial_resolve_port(const char *port, char *name, size_t size,
                                          const omv_rpc_log *log);

/* Linux USB-serial adapters (FTDI and others): read
 * <sysfs_root>/bus/usb-serial/devices/<tty_name>/latency_timer; when it is
 * above 1 ms, lower it to 1 (logged as INFO) or, when that file is not
 * writable, log a WARNING with the command that fixes it. *latency_ms
 * receives the timer in force afterwards (0 when the port has none).
 * Never fails: a port without the file simply has no timer. */
void omvrpc_serial_latency_setup(const char *sysfs_root, const char *tty_name,
                                 const omv_rpc_log *log, uint32_t *latency_ms);

/* Where the latency timer cannot be read (macOS): the timer to allow for
 * on `path` (0 when it is no USB-serial adapter), logged as a WARNING with
 * how to set 1 ms. */
uint32_t omvrpc_serial_latency_assumed(const char *path, const omv_rpc_log *log);

/* Fill the USB fields of `info` (is_usb, IDs, serial number, is_openmv)
 * from a Windows device instance ID such as USB\VID_37C5&PID_9204\0123
 * or FTDIBUS\VID_0403+PID_6001+A50285BI\0000. Returns 1 when it names a
 * USB vendor and product, 0 otherwise (info untouched). Portable, so that
 * every build tests it. */
int omvrpc_serial_usb_from_device_id(const char *id, omv_rpc_port_info *info);

#if defined(__linux__)
/* Set an arbitrary rate with termios2/BOTHER (serial_baud_linux.c, kept
 * apart because <asm/termbits.h> clashes with <termios.h>). Returns 0 or
 * an errno value; *actual receives the rate the driver reports back. */
int omvrpc_serial_set_custom_baud(int fd, uint32_t baudrate, uint32_t *actual);
#endif

#endif
