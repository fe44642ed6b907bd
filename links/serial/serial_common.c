/* Serial links: what every platform shares (pacing, error mapping). */
#include <errno.h>

#include "common/link_log.h"
#include "serial_internal.h"

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

uint32_t omvrpc_serial_link_flags(uint32_t baudrate)
{
    return OMV_RPC_LINK_BYTE_STREAM | (baudrate ? 0u : OMV_RPC_LINK_PACE_FLOOR);
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
