/* Serial links: USB-serial adapters' latency timer on macOS.
 *
 * macOS has no sysfs file to read or set the timer (serial_latency.c does
 * that on Linux); the FTDI drivers take it from their own settings. So the
 * link assumes the chips' default and says so through the log hook: the
 * user can then set 1 ms in the driver, which OpenMV's 3 ms acks need.
 * Built on every POSIX system, so that Linux builds keep it compiling;
 * called on macOS only. */
#include <string.h>

#include "serial_internal.h"

/* FTDI's default latency timer: short packets wait this long. */
#define USB_SERIAL_DEFAULT_LATENCY_MS 16u

uint32_t omvrpc_serial_latency_assumed(const char *path, const omv_rpc_log *log)
{
    /* USB-serial adapters (FTDI, CP210x, CH34x) show up as cu.usbserial-*
     * or tty.usbserial-*; OpenMV Cams' own USB ports (usbmodem) have no
     * such timer. */
    if (!path || !strstr(path, "usbserial")) {
        return 0;
    }
    omvrpc_link_logf(log, OMV_RPC_LOG_WARNING,
                     "%s: a USB-serial adapter; macOS lets no program read or set its latency "
                     "timer, so waits allow for the default %u ms. If calls time out, set the "
                     "timer to 1 ms in the adapter's driver settings (FTDI: LatencyTimer)",
                     path, (unsigned)USB_SERIAL_DEFAULT_LATENCY_MS);
    return USB_SERIAL_DEFAULT_LATENCY_MS;
}
