/* Linux SocketCAN backend: a CAN_RAW socket filtered on the link's message
 * ID, with bus-off error frames enabled so a dead bus is reported as
 * OMV_RPC_ERR_LINK_DOWN rather than as endless timeouts. */
#include "can_internal.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "omv_rpc/clock.h"
#ifdef OMV_RPC_HAVE_LIBSOCKETCAN
#include <libsocketcan.h>
#endif

typedef struct sock_can {
    int fd;
} sock_can;

omv_rpc_status omvrpc_socketcan_status(int err)
{
    switch (err) {
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
        return OMV_RPC_ERR_UNSUPPORTED;
    case ENODEV:
    case ENXIO:
        return OMV_RPC_ERR_NO_SUCH_PORT;
    case ENETDOWN:
        return OMV_RPC_ERR_LINK_DOWN;
    case EPERM:
    case EACCES:
        return OMV_RPC_ERR_PERMISSION;
    case ENOMEM:
    case ENOBUFS:
        return OMV_RPC_ERR_NO_MEMORY;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

/* Wait for `events` on the socket for up to `ms`. 1: ready, 0: timeout. */
static int wait_for(int fd, short events, uint32_t ms)
{
    struct pollfd p = {fd, events, 0};
    const uint32_t start = omv_rpc_clock_ms(NULL);
    for (;;) {
        uint32_t spent = omv_rpc_clock_ms(NULL) - start;
        int left = spent >= ms ? 0 : (int)(ms - spent);
        int r = poll(&p, 1, left);
        if (r > 0) {
            return 1;
        }
        if (r == 0 || errno != EINTR) {
            return 0;
        }
    }
}

static omv_rpc_status sock_send(void *ctx, const omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    sock_can *s = ctx;
    struct can_frame f;
    memset(&f, 0, sizeof f);
    f.can_id = frame->id & CAN_SFF_MASK;
    if (frame->flags & OMV_RPC_CAN_FRAME_EXT) {
        f.can_id = (frame->id & CAN_EFF_MASK) | CAN_EFF_FLAG;
    }
    if (frame->flags & OMV_RPC_CAN_FRAME_RTR) {
        f.can_id |= CAN_RTR_FLAG;
    }
    f.can_dlc = frame->len;
    memcpy(f.data, frame->data, frame->len);
    const uint32_t start = omv_rpc_clock_ms(NULL);
    for (;;) {
        ssize_t n = write(s->fd, &f, sizeof f);
        if (n == (ssize_t)sizeof f) {
            return OMV_RPC_OK;
        }
        /* A full transmit queue (ENOBUFS, EAGAIN): wait for room. */
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS &&
            errno != EINTR) {
            return omvrpc_socketcan_status(errno);
        }
        uint32_t spent = omv_rpc_clock_ms(NULL) - start;
        if (spent >= timeout_ms) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        if (!wait_for(s->fd, POLLOUT, 1)) {
            omv_rpc_sleep_ms(1); /* ENOBUFS does not wake poll */
        }
    }
}

static omv_rpc_status sock_recv(void *ctx, omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    sock_can *s = ctx;
    const uint32_t start = omv_rpc_clock_ms(NULL);
    for (;;) {
        struct can_frame f;
        ssize_t n = read(s->fd, &f, sizeof f);
        if (n == (ssize_t)sizeof f) {
            if (f.can_id & CAN_ERR_FLAG) {
                if (f.can_id & CAN_ERR_BUSOFF) {
                    return OMV_RPC_ERR_LINK_DOWN;
                }
                continue;
            }
            frame->flags = (uint8_t)(((f.can_id & CAN_EFF_FLAG) ? OMV_RPC_CAN_FRAME_EXT : 0) |
                                     ((f.can_id & CAN_RTR_FLAG) ? OMV_RPC_CAN_FRAME_RTR : 0));
            frame->id = f.can_id & ((f.can_id & CAN_EFF_FLAG) ? CAN_EFF_MASK : CAN_SFF_MASK);
            frame->len = f.can_dlc > 8 ? 8 : f.can_dlc;
            memcpy(frame->data, f.data, frame->len);
            return OMV_RPC_OK;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return omvrpc_socketcan_status(errno);
        }
        uint32_t spent = omv_rpc_clock_ms(NULL) - start;
        if (spent >= timeout_ms) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        wait_for(s->fd, POLLIN, timeout_ms - spent);
    }
}

static void sock_flush(void *ctx)
{
    sock_can *s = ctx;
    struct can_frame f;
    while (read(s->fd, &f, sizeof f) > 0) {
    }
}

static void sock_close(void *ctx)
{
    sock_can *s = ctx;
    close(s->fd);
    free(s);
}

static const omv_rpc_can_bus_ops sock_ops = {sock_send, sock_recv, sock_flush, sock_close};

static void log_setup_commands(const omv_rpc_log *log, const char *name, uint32_t bit_rate,
                               uint32_t sample_point)
{
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "can: %s is down; set it up with: sudo ip link set %s type can bitrate %u "
                     "sample-point 0.%02u && sudo ip link set %s up",
                     name, name, (unsigned)bit_rate, (unsigned)sample_point, name);
}

/* Bring a down interface up at the wanted timing when we may. */
static omv_rpc_status bring_up(const char *name, uint32_t bit_rate, uint32_t sample_point,
                               const omv_rpc_log *log)
{
#ifdef OMV_RPC_HAVE_LIBSOCKETCAN
    if (can_set_bitrate_samplepoint(name, bit_rate, sample_point * 10u) == 0 &&
        can_do_start(name) == 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_INFO, "can: %s set to %u bit/s, sample point %u%%, up",
                         name, (unsigned)bit_rate, (unsigned)sample_point);
        return OMV_RPC_OK;
    }
#endif
    log_setup_commands(log, name, bit_rate, sample_point);
    return OMV_RPC_ERR_LINK_DOWN;
}

omv_rpc_status omv_rpc_can_open_socketcan(omv_rpc_link *link, const char *interface,
                                          uint32_t message_id, uint32_t bit_rate,
                                          uint32_t sample_point, const omv_rpc_log *log)
{
    if (!link || !interface || !*interface || strlen(interface) >= IFNAMSIZ) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st = omvrpc_can_check_params(message_id, bit_rate, log);
    omv_rpc_can_timing timing;
    if (st == OMV_RPC_OK && omv_rpc_can_bit_timing(sample_point, &timing) != OMV_RPC_OK) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: no bit timing has a sample point of %u%% (try 75, 50 or 88)",
                         (unsigned)sample_point);
        st = OMV_RPC_ERR_INVALID_ARG;
    }
    if (st != OMV_RPC_OK) {
        return st;
    }
    unsigned int index = if_nametoindex(interface);
    if (index == 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: no network interface named %s (ip link "
                         "lists them)",
                         interface);
        return OMV_RPC_ERR_NO_SUCH_PORT;
    }
    int fd = socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
    if (fd < 0) {
        int err = errno;
        st = omvrpc_socketcan_status(err);
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "can: cannot open a CAN socket: %s%s",
                         strerror(err),
                         st == OMV_RPC_ERR_UNSUPPORTED
                             ? " (this kernel has no SocketCAN: load the can and can_raw modules)"
                             : "");
        return st;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, interface, strlen(interface));
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
        st = bring_up(interface, bit_rate, sample_point, log);
    } else {
        omvrpc_link_logf(log, OMV_RPC_LOG_INFO,
                         "can: %s is up and keeps its bit rate; %u bit/s needs: sudo ip link set "
                         "%s down type can bitrate %u sample-point 0.%02u",
                         interface, (unsigned)bit_rate, interface, (unsigned)bit_rate,
                         (unsigned)sample_point);
    }
    struct can_filter filter = {message_id, CAN_SFF_MASK | CAN_EFF_FLAG | CAN_RTR_FLAG};
    can_err_mask_t errors = CAN_ERR_BUSOFF;
    struct sockaddr_can addr;
    memset(&addr, 0, sizeof addr);
    addr.can_family = AF_CAN;
    addr.can_ifindex = (int)index;
    if (st == OMV_RPC_OK &&
        (setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, &filter, sizeof filter) != 0 ||
         setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &errors, sizeof errors) != 0 ||
         bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0)) {
        st = omvrpc_socketcan_status(errno);
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "can: cannot bind to %s: %s", interface,
                         strerror(errno));
    }
    sock_can *s = NULL;
    if (st == OMV_RPC_OK) {
        s = calloc(1, sizeof *s);
        st = s ? OMV_RPC_OK : OMV_RPC_ERR_NO_MEMORY;
    }
    if (st != OMV_RPC_OK) {
        close(fd);
        return st;
    }
    s->fd = fd;
    return omv_rpc_can_open_bus(link, &sock_ops, s, message_id, bit_rate, log);
}

#else /* not Linux */

omv_rpc_status omv_rpc_can_open_socketcan(omv_rpc_link *link, const char *interface,
                                          uint32_t message_id, uint32_t bit_rate,
                                          uint32_t sample_point, const omv_rpc_log *log)
{
    (void)link;
    (void)message_id;
    (void)bit_rate;
    (void)sample_point;
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "can: SocketCAN (%s) exists on Linux only; use \"kvaser:N\" for Kvaser",
                     interface ? interface : "?");
    return OMV_RPC_ERR_UNSUPPORTED;
}

#endif
