/* Protocol V2 over UDP (include/omv_rpc/v2.h), as the firmware's network
 * transport example carries it: each write goes out as one datagram, and
 * reads take bytes from the datagrams in arrival order (a lost datagram
 * is lost bytes, which the protocol's CRCs and retransmissions recover).
 * The host sends to the camera; the listening side (the V2 virtual
 * camera) answers whoever sent the last datagram, as the camera does.
 * POSIX sockets; elsewhere OMV_RPC_ERR_UNSUPPORTED. */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/iov_util.h"
#include "omv_rpc/clock.h"
#include "omv_rpc/v2.h"

#if defined(_WIN32)

omv_rpc_status omv_rpc_v2_udp_link_open(omv_rpc_link *out, const char *host, uint16_t port)
{
    (void)out;
    (void)host;
    (void)port;
    return OMV_RPC_ERR_UNSUPPORTED;
}

#else

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define V2U_DATAGRAM_MAX 65536u
#define V2U_WATCH_MS 20

typedef struct v2_udp {
    int fd;
    int listening; /* answer the last sender */
    struct sockaddr_storage peer;
    socklen_t peer_len; /* 0: nobody to answer yet */
    size_t head, len;   /* unread bytes of the last datagram */
    omv_rpc_link_watch_fn watch_fn;
    void *watch_arg;
    uint8_t buf[V2U_DATAGRAM_MAX];
} v2_udp;

static omv_rpc_status v2u_errno(int err)
{
    switch (err) {
    case ECONNREFUSED:
        return OMV_RPC_ERR_REFUSED;
    case ENETUNREACH:
    case EHOSTUNREACH:
        return OMV_RPC_ERR_UNREACHABLE;
    case EADDRINUSE:
        return OMV_RPC_ERR_ADDR_IN_USE;
    case EACCES:
        return OMV_RPC_ERR_PERMISSION;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

/* One datagram into buf within `ms` (OMV_RPC_ERR_TIMEOUT when none). */
static omv_rpc_status v2u_recv(v2_udp *u, uint32_t ms)
{
    struct pollfd p = {u->fd, POLLIN, 0};
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t n;
    int r = poll(&p, 1, (int)ms);
    if (r < 0) {
        return errno == EINTR ? OMV_RPC_ERR_TIMEOUT : OMV_RPC_ERR_LINK;
    }
    if (r == 0) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    n = recvfrom(u->fd, u->buf, sizeof u->buf, 0, (struct sockaddr *)&from, &from_len);
    if (n < 0) {
        /* A refused earlier datagram (ICMP) is reported here: not fatal
         * for a datagram link; the next one may arrive. */
        return errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED ? OMV_RPC_ERR_TIMEOUT
                                                                          : v2u_errno(errno);
    }
    if (u->listening) {
        memcpy(&u->peer, &from, from_len);
        u->peer_len = from_len;
    }
    u->head = 0;
    u->len = (size_t)n;
    return OMV_RPC_OK;
}

static omv_rpc_status v2u_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    v2_udp *u = ctx;
    uint32_t since = omv_rpc_clock_ms(NULL);
    while (len) {
        omv_rpc_status st = u->watch_fn ? u->watch_fn(u->watch_arg) : OMV_RPC_OK;
        uint32_t spent, wait;
        if (st != OMV_RPC_OK) {
            return st;
        }
        if (u->len) {
            size_t n = len < u->len ? len : u->len;
            memcpy(buf, u->buf + u->head, n);
            u->head += n;
            u->len -= n;
            buf += n;
            len -= n;
            since = omv_rpc_clock_ms(NULL);
            continue;
        }
        spent = omv_rpc_clock_ms(NULL) - since;
        if (spent >= timeout_ms) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        wait = timeout_ms - spent < V2U_WATCH_MS ? timeout_ms - spent : V2U_WATCH_MS;
        st = v2u_recv(u, wait);
        if (st != OMV_RPC_OK && st != OMV_RPC_ERR_TIMEOUT) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status v2u_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    v2_udp *u = ctx;
    ssize_t n;
    (void)timeout_ms; /* a datagram goes out at once or not at all */
    if (!len) {
        return OMV_RPC_OK;
    }
    if (u->listening) {
        if (!u->peer_len) {
            return OMV_RPC_OK; /* nobody to answer yet: as the camera, drop it */
        }
        n = sendto(u->fd, buf, len, 0, (const struct sockaddr *)&u->peer, u->peer_len);
    } else {
        n = send(u->fd, buf, len, 0);
    }
    if (n < 0) {
        return errno == ECONNREFUSED ? OMV_RPC_OK : v2u_errno(errno); /* lost, as UDP loses */
    }
    return (size_t)n == len ? OMV_RPC_OK : OMV_RPC_ERR_LINK;
}

static void v2u_flush(void *ctx)
{
    v2_udp *u = ctx;
    uint8_t scratch[64];
    struct pollfd p = {u->fd, POLLIN, 0};
    u->head = u->len = 0;
    /* Drop the datagrams already queued (each recv takes one whole). */
    for (int i = 0; i < 1024 && poll(&p, 1, 0) > 0 && recv(u->fd, scratch, sizeof scratch, 0) >= 0;
         i++) {
    }
}

static uint32_t v2u_now(void *ctx)
{
    (void)ctx;
    return omv_rpc_clock_ms(NULL);
}

static void v2u_close(void *ctx)
{
    v2_udp *u = ctx;
    close(u->fd);
    free(u);
}

static void v2u_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    v2_udp *u = ctx;
    u->watch_fn = fn;
    u->watch_arg = fn ? arg : NULL;
}

/* One datagram per transfer, whatever its pieces. */
static omv_rpc_status v2u_link_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                    uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omvrpc_iov_flat_in(v2u_get, ctx, iov, count, timeout_ms, NULL);
}

static omv_rpc_status v2u_link_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                    uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omvrpc_iov_flat_out(v2u_put, ctx, iov, count, timeout_ms, NULL);
}

static const omv_rpc_link_ops v2u_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = v2u_link_recv,
    .send = v2u_link_send,
    .flush = v2u_flush,
    .now_ms = v2u_now,
    .close = v2u_close,
    .watch = v2u_watch,
};

omv_rpc_status omv_rpc_v2_udp_link_open(omv_rpc_link *out, const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    v2_udp *u;
    int rc;
    if (!out || !port || (host && !*host)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = host ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = host ? 0 : AI_PASSIVE;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || !res) {
        return OMV_RPC_ERR_HOST_NOT_FOUND;
    }
    u = calloc(1, sizeof *u);
    if (!u) {
        freeaddrinfo(res);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    u->listening = host == NULL;
    u->fd = socket(res->ai_family, SOCK_DGRAM, 0);
    if (u->fd < 0 || (u->listening ? bind(u->fd, res->ai_addr, res->ai_addrlen)
                                   : connect(u->fd, res->ai_addr, res->ai_addrlen)) != 0) {
        omv_rpc_status st = v2u_errno(errno);
        if (u->fd >= 0) {
            close(u->fd);
        }
        free(u);
        freeaddrinfo(res);
        return st;
    }
    freeaddrinfo(res);
    out->ops = &v2u_ops;
    out->ctx = u;
    /* Not a byte stream (flags 0): one datagram per write, as on the camera. */
    return OMV_RPC_OK;
}

#endif

omv_rpc_status omv_rpc_v2_open_udp(omv_rpc_v2 **out, const char *host, uint16_t port,
                                   const omv_rpc_v2_config *config)
{
    omv_rpc_link link;
    omv_rpc_v2_config cfg = {0};
    omv_rpc_status st;
    if (!out || !host) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (config) {
        cfg = *config;
    }
    if (!cfg.max_payload) {
        cfg.max_payload = OMV_RPC_V2_UDP_MAX_PAYLOAD;
    }
    st = omv_rpc_v2_udp_link_open(&link, host, port ? port : OMV_RPC_V2_UDP_DEFAULT_PORT);
    if (st != OMV_RPC_OK) {
        return st;
    }
    return omv_rpc_v2_new(out, &link, &cfg);
}
