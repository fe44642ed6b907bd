/*
 * omvrpc links: serial ports (USB virtual COM ports, hardware UARTs,
 * USB-serial adapters, pseudo-terminals).
 *
 * I/O uses termios on POSIX (any tty, pseudo-terminals included; arbitrary
 * baud rates on Linux) and the Win32 comm API on Windows. libserialport is
 * used only to list ports. Port names: "/dev/ttyACM0", "COM3", or "auto"
 * for the one attached OpenMV Cam.
 */
#ifndef OMV_RPC_SERIAL_H
#define OMV_RPC_SERIAL_H

#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OpenMV's UART default. */
#define OMV_RPC_UART_DEFAULT_BAUD 9600u

/* Open a serial link. `baudrate` 0 means "USB virtual COM port": the rate
 * is not set (it is ignored by USB CDC) and the link is paced as USB.
 * Otherwise 8N1, no flow control, at `baudrate` (any rate the driver takes;
 * the link's transfer_ms counts 10 bits per byte). `log` (may be NULL)
 * receives advice, e.g. how to lower an FTDI latency timer.
 * Errors: OMV_RPC_ERR_NO_SUCH_PORT, OMV_RPC_ERR_PERMISSION (the message
 * logged names the group to join when that group may read and write the
 * device, else its owner and mode and suggests a udev rule),
 * OMV_RPC_ERR_INVALID_ARG (NULL, or an empty name: logged),
 * OMV_RPC_ERR_BUSY, OMV_RPC_ERR_NO_DEVICE / OMV_RPC_ERR_AMBIGUOUS ("auto"), OMV_RPC_ERR_UNSUPPORTED (a rate the
 * driver refuses; "auto" built without libserialport), OMV_RPC_ERR_LINK.
 * A path that exists but is not a terminal (a file, a directory) gives
 * OMV_RPC_ERR_NO_SUCH_PORT.
 * On POSIX the port is locked against a second opener (flock and
 * TIOCEXCL); on Linux a USB-serial adapter's latency timer is lowered to
 * 1 ms when it can be, else the fix is logged as a WARNING.
 * On success *link is the caller's until handed to a master or slave.
 * Thread-safety: any thread; the link is then used by one thread at a
 * time. */
OMV_RPC_API omv_rpc_status omv_rpc_serial_open(omv_rpc_link *link, const char *port,
                                               uint32_t baudrate, const omv_rpc_log *log);

#ifndef _WIN32
/* POSIX: make a serial link of a terminal file descriptor the caller
 * already has, e.g. the controlling side of a pseudo-terminal from
 * posix_openpt() (which has no path to open). The same code as
 * omv_rpc_serial_open runs on it: raw 8N1 at `baudrate` (0: left as is,
 * paced as USB), non-blocking, close-on-exec. `name` (may be NULL) is used
 * in log lines only. The link owns `fd` from the call on: it is closed
 * with the link, or at once when this fails (OMV_RPC_ERR_INVALID_ARG for a
 * negative fd, OMV_RPC_ERR_NO_SUCH_PORT when it is not a terminal,
 * OMV_RPC_ERR_UNSUPPORTED for a rate the driver refuses). Takes no lock on
 * the device. Thread-safety: as omv_rpc_serial_open. */
OMV_RPC_API omv_rpc_status omv_rpc_serial_open_fd(omv_rpc_link *link, int fd, const char *name,
                                                  uint32_t baudrate, const omv_rpc_log *log);
#endif

/* A serial port as listed by omv_rpc_serial_list_ports. */
typedef struct omv_rpc_port_info {
    char name[256];        /* "/dev/ttyACM0", "COM3" */
    char description[256]; /* product string or driver's description */
    char serial_number[128];
    char manufacturer[128];
    uint16_t usb_vid, usb_pid; /* 0 when not a USB port */
    int is_usb;
    int is_openmv; /* the USB IDs are an OpenMV Cam's (docs/protocol.md section 5) */
} omv_rpc_port_info;

/* List serial ports. *ports is an array of *count entries; free it with
 * omv_rpc_serial_free_ports. With libserialport, or SetupAPI on Windows
 * (COM10 and above by their plain names, which omv_rpc_serial_open
 * takes); OMV_RPC_ERR_UNSUPPORTED in other builds without libserialport. */
OMV_RPC_API omv_rpc_status omv_rpc_serial_list_ports(omv_rpc_port_info **ports, size_t *count);
OMV_RPC_API void omv_rpc_serial_free_ports(omv_rpc_port_info *ports);

/* Whether a USB vendor/product ID pair is an OpenMV Cam's. */
OMV_RPC_API int omv_rpc_serial_is_openmv_usb_id(uint16_t vid, uint16_t pid);

/* Resolve "auto" to the one OpenMV Cam's port name (copied into `name`,
 * `size` bytes). OMV_RPC_ERR_NO_DEVICE / OMV_RPC_ERR_AMBIGUOUS otherwise. */
OMV_RPC_API omv_rpc_status omv_rpc_serial_find_openmv(char *name, size_t size);

#ifdef __cplusplus
}
#endif

#endif
