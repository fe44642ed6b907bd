/* Network link: the link table and opening. A transfer of at most
 * OMV_RPC_NET_MAX_DATAGRAM bytes in total goes as one UDP datagram, a
 * larger one over TCP; streams always over TCP. Transfers in pieces keep
 * that rule on their total length and move the caller's pieces with
 * recvmsg/sendmsg, no copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/iov_util.h"
#ifndef _WIN32
#include "common/fd_ready.h"
#endif
#include "net_internal.h"
#include "omv_rpc/clock.h"

/* A transfer starts: its silence runs from now; the owner may say stop. */
static omv_rpc_status begin(net_link *n, uint32_t timeout_ms)
{
    omvrpc_quiet_start(&n->quiet, timeout_ms);
    n->wait_status = OMV_RPC_OK;
    return omvrpc_watcher_ask(&n->watcher);
}

/* Every transfer, whole or in pieces, within a stream or not: a call's
 * transfer of at most OMV_RPC_NET_MAX_DATAGRAM bytes goes as one UDP
 * datagram, anything larger and everything in a stream over TCP. */
static omv_rpc_status get_v(void *ctx, const omv_rpc_in_iov *iov, size_t count, uint32_t timeout_ms,
                            int stream)
{
    size_t total;
    omv_rpc_status st = omvrpc_iov_total_in(iov, count, NET_MAX_IOV, &total);
    if (st == OMV_RPC_OK) {
        st = begin(ctx, timeout_ms);
    }
    if (st != OMV_RPC_OK || total == 0) {
        return st;
    }
    if (!stream && total <= OMV_RPC_NET_MAX_DATAGRAM) {
        return omvrpc_net_udp_get(ctx, iov, count, total);
    }
    return omvrpc_net_tcp_get(ctx, iov, count, total, stream);
}

/* Whether the pieces start with a result data packet's magic (0x1DBA,
 * little-endian): a slave sending one has completed a call. */
static int starts_result(const omv_rpc_out_iov *iov, size_t count)
{
    uint8_t first[2];
    size_t got = 0;
    for (size_t i = 0; i < count && got < 2; i++) {
        for (size_t k = 0; k < iov[i].len && got < 2; k++) {
            first[got++] = iov[i].base[k];
        }
    }
    return got == 2 && first[0] == 0xBA && first[1] == 0x1D;
}

static omv_rpc_status put_v(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                            uint32_t timeout_ms, int stream)
{
    net_link *n = ctx;
    size_t total;
    omv_rpc_status st = omvrpc_iov_total_out(iov, count, NET_MAX_IOV, &total);
    if (st == OMV_RPC_OK) {
        st = begin(n, timeout_ms);
    }
    if (st != OMV_RPC_OK || total == 0) {
        return st;
    }
    if (!stream && total <= OMV_RPC_NET_MAX_DATAGRAM) {
        st = omvrpc_net_udp_put(n, iov, count, total);
    } else {
        st = omvrpc_net_tcp_put(n, iov, count, total, stream);
    }
    if (st == OMV_RPC_OK && !stream && !n->is_master && starts_result(iov, count)) {
        omvrpc_net_note_call_done(n);
    }
    return st;
}

static omv_rpc_status net_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    return get_v(ctx, iov, count, timeout_ms, (xfer & OMV_RPC_XFER_STREAM) != 0);
}

static omv_rpc_status net_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                               uint32_t timeout_ms, uint32_t xfer)
{
    return put_v(ctx, iov, count, timeout_ms, (xfer & OMV_RPC_XFER_STREAM) != 0);
}

/* The protocol flushes before every step, and almost always there is
 * nothing to drop: one poll over the sockets finds out, instead of a
 * receive on each and an accept (three system calls per flush, a fifth of
 * a small call's). */
static void net_flush(void *ctx)
{
    net_link *n = ctx;
    n->tcp_checked = 0; /* a new protocol step: check the connection again */
    omvrpc_sock_pollfd p[3] = {{n->udp, POLLIN, 0}, {n->tcp, POLLIN, 0}, {n->listener, POLLIN, 0}};
    int ready = omvrpc_sock_poll(p, 3, 0); /* descriptors of -1 are skipped */
    if (ready < 0 || p[0].revents) {
        omvrpc_net_udp_flush(n);
    }
    if (ready < 0 || p[1].revents || p[2].revents || omvrpc_net_tcp_buffered(n) > 0) {
        omvrpc_net_tcp_flush(n);
    }
}

static uint32_t net_transfer_ms(void *ctx, size_t len)
{
    (void)ctx;
    size_t ms = len / NET_BYTES_PER_MS + NET_LATENCY_MS;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static void net_free(net_link *n)
{
    omvrpc_net_tcp_close_all(n);
    omvrpc_net_close_fd(&n->listener);
    omvrpc_net_close_fd(&n->udp);
    free(n->allowed);
    free(n);
}

static void net_close(void *ctx)
{
    net_free(ctx);
}

static size_t net_buffered(void *ctx)
{
    return omvrpc_net_tcp_buffered(ctx);
}

static void net_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((net_link *)ctx)->watcher, fn, arg);
}

#ifndef _WIN32
/* A datagram within `timeout_us` (link.h's ready_us): the short answers a
 * master polls for come as datagrams, so only the UDP socket is watched.
 * One from a host we do not serve counts too: recv then drops it and
 * waits on. Not on Windows (untried there): Winsock's select may round a
 * wait under a millisecond to the system timer's tick (15.6 ms by
 * default), and a "fast" poll would then be slower than the millisecond
 * rhythm. */
static int net_ready_us(void *ctx, uint32_t timeout_us)
{
    return omvrpc_fd_ready_us(((net_link *)ctx)->udp, timeout_us); /* no socket: recv waits */
}
#endif

static const omv_rpc_link_ops net_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = net_recv,
    .send = net_send,
    .flush = net_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = net_close,
    .transfer_ms = net_transfer_ms,
    .buffered = net_buffered,
    .watch = net_watch,
#ifndef _WIN32
    .ready_us = net_ready_us,
#endif
};

#ifdef OMV_RPC_NET_TEST_STATS
net_link *omvrpc_net_internal(omv_rpc_link *link)
{
    return link && link->ops == &net_ops ? (net_link *)link->ctx : NULL;
}
#endif

/* A link with its UDP socket bound to my_address:port. */
static omv_rpc_status net_new(net_link **out, int is_master, const char *my_address, uint16_t port,
                              const omv_rpc_log *log)
{
    *out = NULL;
    net_link *n = calloc(1, sizeof *n);
    if (!n) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    n->is_master = is_master;
    n->udp = n->listener = n->tcp = -1;
    n->tcp_lowat = 1;
    if (log) {
        n->log = *log;
    }
    n->port = port ? port : (uint16_t)OMV_RPC_NET_DEFAULT_PORT;
    n->self.sin_family = AF_INET;
    n->self.sin_port = htons(n->port);
    omv_rpc_status st = omvrpc_net_resolve(my_address, 1, &n->self.sin_addr, &n->log);
    if (st == OMV_RPC_OK) {
        n->udp = omvrpc_net_socket(SOCK_DGRAM);
        if (n->udp < 0) {
            int err = errno;
            omvrpc_link_logf(&n->log, OMV_RPC_LOG_ERROR, "net: cannot create a UDP socket: %s",
                             omvrpc_sock_strerror(err));
            st = omvrpc_net_status_from_errno(err);
        }
    }
    if (st == OMV_RPC_OK) {
        st = omvrpc_net_bind(n->udp, &n->self, "UDP", &n->log);
    }
    if (st != OMV_RPC_OK) {
        net_free(n);
        return st;
    }
    *out = n;
    return OMV_RPC_OK;
}

static void fill_link(omv_rpc_link *link, net_link *n)
{
    memset(link, 0, sizeof *link);
    link->ops = &net_ops;
    link->ctx = n;
    link->stream_queue_depth_max = 0;
    link->short_timeout_scale = 10; /* as OpenMV does on UDP */
    /* Datagrams: each call's size is its framing. Timeouts bound silence. */
    link->flags = OMV_RPC_LINK_STREAM_BYTES;    /* streams go over TCP */
    link->split_min = OMV_RPC_NET_MAX_DATAGRAM; /* above it, TCP: a byte stream */
}

omv_rpc_status omv_rpc_net_master_open(omv_rpc_link *link, const char *slave_address,
                                       const char *my_address, uint16_t port,
                                       const omv_rpc_log *log)
{
    if (!link) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    if (!slave_address || !*slave_address) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: a master needs the slave's address");
        return OMV_RPC_ERR_INVALID_ARG;
    }
    struct in_addr slave;
    omv_rpc_status st = omvrpc_net_resolve(slave_address, 0, &slave, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (slave.s_addr == htonl(INADDR_ANY)) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: 0.0.0.0 is not a slave's address");
        return OMV_RPC_ERR_INVALID_ARG;
    }
    net_link *n;
    st = net_new(&n, 1, my_address, port, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    n->peer.sin_family = AF_INET;
    n->peer.sin_addr = slave;
    n->peer.sin_port = htons(n->port);
    n->peer_known = 1;
    st = omvrpc_net_tcp_listen(n);
    if (st != OMV_RPC_OK) {
        net_free(n);
        return st;
    }
    fill_link(link, n);
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_net_slave_open(omv_rpc_link *link, const char *my_address, uint16_t port,
                                      const char *const *allowed, size_t allowed_count,
                                      const omv_rpc_log *log)
{
    if (!link) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    if ((allowed_count && !allowed) || allowed_count > 4096) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    struct in_addr *masters = NULL;
    if (allowed_count) {
        masters = calloc(allowed_count, sizeof *masters);
        if (!masters) {
            return OMV_RPC_ERR_NO_MEMORY;
        }
        for (size_t i = 0; i < allowed_count; i++) {
            omv_rpc_status st = omvrpc_net_resolve(allowed[i], 0, &masters[i], log);
            if (st != OMV_RPC_OK) {
                free(masters);
                return st;
            }
        }
    }
    net_link *n;
    omv_rpc_status st = net_new(&n, 0, my_address, port, log);
    if (st != OMV_RPC_OK) {
        free(masters);
        return st;
    }
    n->allowed = masters;
    n->allowed_count = allowed_count;
    fill_link(link, n);
    return OMV_RPC_OK;
}
