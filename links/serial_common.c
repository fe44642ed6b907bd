/* Serial links: what every platform shares (pacing, error mapping, log
 * lines) and the OpenMV-style constructors. */
#include <errno.h>

#include "link_log.h"
#include "serial_internal.h"

void omvrpc_serial_logf(const omv_rpc_log *log, omv_rpc_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    omvrpc_link_vlogf(log, level, fmt, ap);
    va_end(ap);
}

/* USB full speed moves at most ~1.2 MB/s of CDC data; pacing at 1 MB/s
 * leaves room for a busy bus without ever being too tight. */
#define USB_BYTES_PER_MS 1000u

uint32_t omvrpc_serial_wire_ms(uint32_t baudrate, uint32_t latency_ms, size_t len)
{
    uint64_t ms;
    if (baudrate) {
        /* 8N1: a start bit, 8 data bits, a stop bit. */
        uint64_t bit_ms = (uint64_t)len * 10u * 1000u;
        ms = (bit_ms + baudrate - 1u) / baudrate;
    } else {
        ms = ((uint64_t)len + USB_BYTES_PER_MS - 1u) / USB_BYTES_PER_MS;
    }
    ms += 1u + latency_ms;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

omv_rpc_status omvrpc_serial_status_from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENXIO:
    case ENODEV:
    case ENOTDIR:
    case ENOTTY:
    case EISDIR: /* a directory is no port */
        return OMV_RPC_ERR_NO_SUCH_PORT;
    case EACCES:
    case EPERM:
    case EROFS:
        return OMV_RPC_ERR_PERMISSION;
    case EBUSY:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EAGAIN:
        return OMV_RPC_ERR_BUSY;
    case ENOMEM:
        return OMV_RPC_ERR_NO_MEMORY;
    case EINVAL:
        return OMV_RPC_ERR_UNSUPPORTED;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

/* Open `port` and hand it to a new master (*master) or slave (*slave):
 * exactly one is given, so the four OpenMV-style constructors share one
 * path. */
static omv_rpc_status endpoint_new(omv_rpc_master **master, omv_rpc_slave **slave,
                                   const char *port, uint32_t baudrate,
                                   const omv_rpc_config *config)
{
    if (!master && !slave) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (master) {
        *master = NULL;
    } else {
        *slave = NULL;
    }
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_serial_open(&link, port, baudrate, config ? &config->log : NULL);
    if (st != OMV_RPC_OK) {
        return st;
    }
    return master ? omv_rpc_master_new(master, &link, config)
                  : omv_rpc_slave_new(slave, &link, config);
}

omv_rpc_status omv_rpc_uart_master_new(omv_rpc_master **out, const char *port, uint32_t baudrate,
                                       const omv_rpc_config *config)
{
    return endpoint_new(out, NULL, port, baudrate ? baudrate : OMV_RPC_UART_DEFAULT_BAUD, config);
}

omv_rpc_status omv_rpc_uart_slave_new(omv_rpc_slave **out, const char *port, uint32_t baudrate,
                                      const omv_rpc_config *config)
{
    return endpoint_new(NULL, out, port, baudrate ? baudrate : OMV_RPC_UART_DEFAULT_BAUD, config);
}

/* Baud rate 0: a USB virtual COM port, paced at USB speed. */
omv_rpc_status omv_rpc_usb_vcp_master_new(omv_rpc_master **out, const char *port,
                                          const omv_rpc_config *config)
{
    return endpoint_new(out, NULL, port, 0, config);
}

omv_rpc_status omv_rpc_usb_vcp_slave_new(omv_rpc_slave **out, const char *port,
                                         const omv_rpc_config *config)
{
    return endpoint_new(NULL, out, port, 0, config);
}
