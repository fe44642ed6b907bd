/* Network link: transfers of at most 1400 bytes, one UDP datagram each way
 * (docs/protocol.md section 4).
 *
 * Who may talk to us: the master takes datagrams only from the slave's
 * address and port. The slave takes them from the master it serves; another
 * host (allowed by the slave's list, when it has one) becomes the master it
 * serves only by sending a valid command header, and only when the current
 * master has been silent for NET_PEER_LOCK_MS, so a call in progress is
 * never taken over, and the last master that completed a call has been
 * silent for NET_PREFER_MS (which master may take the slave back at any
 * time from one that has not completed a call). Everything else is dropped
 * before it can reach the protocol. */
#include <errno.h>
#include <string.h>

#include "omv_rpc/clock.h"
#include "common/iov_util.h"
#include "net_internal.h"

/* A command header datagram: magic 0x1209, command, data_len, CRC. */
#define COMMAND_HEADER_LEN 12u

static int same_host(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static int is_allowed(const net_link *n, const struct sockaddr_in *from)
{
    if (n->allowed_count == 0) {
        return 1;
    }
    for (size_t i = 0; i < n->allowed_count; i++) {
        if (n->allowed[i].s_addr == from->sin_addr.s_addr) {
            return 1;
        }
    }
    return 0;
}

static int is_command_header(const struct iovec *v, size_t vc)
{
    uint8_t d[COMMAND_HEADER_LEN];
    size_t got = 0;
    for (size_t i = 0; i < vc && got < sizeof d; i++) {
        size_t take = v[i].iov_len < sizeof d - got ? v[i].iov_len : sizeof d - got;
        memcpy(d + got, v[i].iov_base, take);
        got += take;
    }
    if (got != sizeof d || d[0] != 0x09 || d[1] != 0x12) {
        return 0;
    }
    uint16_t crc = (uint16_t)(d[10] | (d[11] << 8));
    return crc == omv_rpc_crc16(OMV_RPC_CRC16_INIT, d, 10);
}

static int is_preferred(const net_link *n, const struct sockaddr_in *from)
{
    return n->has_preferred && same_host(from, &n->preferred);
}

/* Slave: serve `from` from now on. */
static void take_on(net_link *n, const struct sockaddr_in *from, uint64_t now)
{
    char who[32];
    omvrpc_link_logf(&n->log, OMV_RPC_LOG_INFO, "net: serving master %s",
                     omvrpc_net_format(from, who, sizeof who));
    if (n->tcp >= 0) {
        omvrpc_net_tcp_drop(n, 0, "it belongs to the previous master");
    }
    n->peer = *from;
    n->peer_known = 1;
    n->peer_heard_ms = now;
    NET_COUNT(n, peer_changes);
}

/* Whether a datagram of `len` bytes (now in `v`) from `from` is for us:
 * 0 not, 1 yes, 2 yes and a slave took its sender on just now (a new
 * master, or the preferred one back). A slave's rules: see
 * NET_PEER_LOCK_MS and NET_PREFER_MS. */
static int take_datagram(net_link *n, const struct sockaddr_in *from, const struct iovec *v,
                         size_t vc, size_t len, int oversized)
{
    uint64_t now = omvrpc_clock_ms64();
    int header = !oversized && len == COMMAND_HEADER_LEN && is_command_header(v, vc);
    if (n->peer_known && same_host(from, &n->peer)) {
        /* Progress in a call keeps the host's hold; mere command headers
         * from a host that never completed a call do not. */
        if (!header || is_preferred(n, from)) {
            n->peer_heard_ms = now;
        }
        if (is_preferred(n, from)) {
            n->preferred_heard_ms = now;
        }
        return 1;
    }
    if (n->is_master || !header || !is_allowed(n, from)) {
        return 0;
    }
    if (is_preferred(n, from)) {
        /* The host served has not completed a call (else it would be the
         * preferred one): the master that did takes the slave back. */
        n->preferred_heard_ms = now;
        take_on(n, from, now);
        return 2;
    }
    if (n->peer_known && now - n->peer_heard_ms < NET_PEER_LOCK_MS) {
        return 0; /* the master we serve may be in the middle of a call */
    }
    if (n->has_preferred && now - n->preferred_heard_ms < NET_PREFER_MS) {
        return 0; /* the master that completed a call was heard lately */
    }
    take_on(n, from, now);
    return 2;
}

void omvrpc_net_note_call_done(net_link *n)
{
    if (n->is_master || !n->peer_known) {
        return;
    }
    if (!is_preferred(n, &n->peer)) {
        char who[32];
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG,
                         "net: master %s completed a call: preferred from now on",
                         omvrpc_net_format(&n->peer, who, sizeof who));
    }
    n->preferred = n->peer;
    n->has_preferred = 1;
    n->preferred_heard_ms = omvrpc_clock_ms64();
}

static omv_rpc_status send_datagram(net_link *n, const struct iovec *v, size_t vc)
{
    for (;;) {
        if (omvrpc_sock_sendv(n->udp, v, vc, MSG_NOSIGNAL | MSG_DONTWAIT, &n->peer) >= 0) {
            return OMV_RPC_OK;
        }
        int err = errno;
        if (err == EINTR) {
            continue;
        }
        if (err == ECONNREFUSED) {
            return OMV_RPC_OK; /* news about an earlier datagram: nobody listened then */
        }
        if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
            if (omvrpc_net_expired(n)) {
                return n->wait_status;
            }
            if (err == ENOBUFS) {
                omv_rpc_sleep_ms(1); /* poll would report writable at once */
            } else if (omvrpc_net_wait(n, n->udp, POLLOUT) < 0) {
                return omvrpc_net_status_from_errno(errno);
            }
            continue;
        }
        char who[32];
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_WARNING, "net: cannot send to %s: %s",
                         omvrpc_net_format(&n->peer, who, sizeof who), omvrpc_sock_strerror(err));
        return omvrpc_net_status_from_errno(err);
    }
}

omv_rpc_status omvrpc_net_udp_put(net_link *n, const omv_rpc_out_iov *iov, size_t count,
                                  size_t total)
{
    (void)total; /* at most OMV_RPC_NET_MAX_DATAGRAM: checked by the caller */
    if (!n->peer_known) {
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: no master heard yet: nowhere to send");
        return OMV_RPC_ERR_TIMEOUT;
    }
    struct iovec v[NET_MAX_IOV];
    return send_datagram(n, v, omvrpc_net_iov_out(iov, count, 0, v));
}

/* Wait for a datagram. OMV_RPC_OK when one is queued. */
static omv_rpc_status wait_datagram(net_link *n)
{
    int w = omvrpc_net_wait(n, n->udp, POLLIN);
    if (w == 0) {
        return n->wait_status;
    }
    return w < 0 ? omvrpc_net_status_from_errno(errno) : OMV_RPC_OK;
}

/* A receive error: OMV_RPC_OK to go on (wait or try again), else fatal. */
static omv_rpc_status receive_error(net_link *n, int err)
{
    if (err == EINTR) {
        return OMV_RPC_OK;
    }
    if (err == EAGAIN || err == EWOULDBLOCK) {
        return wait_datagram(n);
    }
    if (err == ECONNREFUSED || err == ECONNRESET || err == EHOSTUNREACH || err == ENETUNREACH) {
        return OMV_RPC_OK; /* news about an earlier datagram (Windows: a reset) */
    }
    return omvrpc_net_status_from_errno(err);
}

static void discard_datagram(net_link *n)
{
    uint8_t sink[1];
    while (omvrpc_sock_recv(n->udp, sink, sizeof sink, MSG_DONTWAIT, NULL, NULL) < 0 &&
           errno == EINTR) {
    }
}

/* Slave: whether a datagram from the master (`len` bytes in `v`) is a
 * command header while a transfer of another length waits: the master has
 * started a new call (its earlier one failed), so the transfer is moot.
 * Taking the header for a piece of it instead would keep the slave deaf
 * to the master for as long as the master keeps retrying, since each
 * retry is progress that extends the wait. */
static int master_started_over(const net_link *n, const struct iovec *v, size_t vc, size_t len,
                               size_t total)
{
    return !n->is_master && total != COMMAND_HEADER_LEN && len == COMMAND_HEADER_LEN &&
           is_command_header(v, vc);
}

/* Part of a transfer has arrived and the next datagram is queued: how it
 * fits. 0: append it; 1: it cannot be the rest (from another host, or
 * longer than the whole transfer): it was dropped; 2: it is longer than
 * the room left but fits the whole transfer, so what came before it is
 * stale (a late duplicate, a piece of an earlier attempt): start over
 * with it. OMV_RPC_ERR_TIMEOUT in *st when nothing came in time. */
static int fit_next(net_link *n, size_t room, size_t total, omv_rpc_status *st)
{
    uint8_t peek[OMV_RPC_NET_MAX_DATAGRAM + 1];
    for (;;) {
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        memset(&from, 0, sizeof from);
        omvrpc_ssize r =
            omvrpc_sock_recv(n->udp, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT, &from, &from_len);
        if (r < 0) {
            *st = receive_error(n, errno);
            if (*st != OMV_RPC_OK) {
                return 1;
            }
            continue;
        }
        *st = OMV_RPC_OK;
        struct iovec whole = {peek, (size_t)r};
        if (from_len >= (socklen_t)sizeof from && same_host(&from, &n->peer) &&
            master_started_over(n, &whole, 1, (size_t)r, total)) {
            *st = OMV_RPC_ERR_TIMEOUT; /* left queued: the slave's flush drops it */
            return 1;
        }
        if (from_len < (socklen_t)sizeof from || !same_host(&from, &n->peer)) {
            /* A slave: another host's command header may still take it
             * over (see take_datagram); then this transfer is moot. */
            struct iovec pv = {peek, (size_t)r};
            if (!n->is_master && from_len >= (socklen_t)sizeof from && from.sin_family == AF_INET &&
                take_datagram(n, &from, &pv, 1, (size_t)r, 0) == 2) {
                discard_datagram(n);
                *st = OMV_RPC_ERR_TIMEOUT;
                return 1;
            }
            discard_datagram(n);
            NET_COUNT(n, ignored);
            return 1;
        }
        if ((size_t)r <= room) {
            return 0;
        }
        if ((size_t)r <= total) {
            return 2;
        }
        discard_datagram(n);
        NET_COUNT(n, oversized);
        return 1;
    }
}

omv_rpc_status omvrpc_net_udp_get(net_link *n, const omv_rpc_in_iov *iov, size_t count,
                                  size_t total)
{
    size_t got = 0;
    while (got < total) {
        if (got > 0) {
            /* Rare (a transfer in several datagrams, or stale pieces): look
             * at the next datagram before taking it. */
            omv_rpc_status st;
            int fit = fit_next(n, total - got, total, &st);
            if (st != OMV_RPC_OK) {
                return st;
            }
            if (fit == 1) {
                if (omvrpc_net_expired(n)) {
                    return n->wait_status;
                }
                continue;
            }
            if (fit == 2) {
                NET_COUNT(n, restarted);
                got = 0;
            }
        }
        struct iovec v[NET_MAX_IOV];
        size_t vc = omvrpc_net_iov_in(iov, count, got, v);
        /* A slave waiting for fewer bytes than a command header takes the
         * datagram through a header-sized buffer, so that a master's
         * header can still be recognised (see take_datagram). */
        uint8_t small[COMMAND_HEADER_LEN];
        int bounced = !n->is_master && got == 0 && total < COMMAND_HEADER_LEN;
        if (bounced) {
            v[0].iov_base = small;
            v[0].iov_len = sizeof small;
            vc = 1;
        }
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        int oversized = 0;
        memset(&from, 0, sizeof from);
        omvrpc_ssize r =
            omvrpc_sock_recvv(n->udp, v, vc, MSG_DONTWAIT, &from, &from_len, &oversized);
        if (r < 0) {
            omv_rpc_status st = receive_error(n, errno);
            if (st != OMV_RPC_OK) {
                return st;
            }
            continue;
        }
        int taken = from_len >= (socklen_t)sizeof from && from.sin_family == AF_INET
                        ? take_datagram(n, &from, v, vc, (size_t)r, oversized)
                        : 0;
        int ours = taken != 0;
        if (ours && !oversized && master_started_over(n, v, vc, (size_t)r, total)) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        if (taken == 2 && total != COMMAND_HEADER_LEN) {
            /* A new master took over while this transfer waited for the
             * previous one (which went silent): the transfer is moot. End
             * it now, so that the slave listens for the new master's
             * command (it sends the header again) instead of taking its
             * header for the rest of another host's packet. */
            return OMV_RPC_ERR_TIMEOUT;
        }
        if (ours && bounced) {
            oversized = oversized || (size_t)r > total;
            if (!oversized) {
                omv_rpc_iov_cursor at = {0, 0};
                omvrpc_iov_scatter(iov, &at, small, (size_t)r);
            }
        }
        if (!ours) {
            NET_COUNT(n, ignored);
        } else if (oversized) {
            /* A peer sends each transfer as one datagram of its exact size,
             * so one longer than the transfer belongs to another step:
             * drop it whole (OpenMV would cut it, and the packet would fail
             * its CRC) and keep waiting. What landed in the buffer is past
             * what was received, and is overwritten by what comes next. */
            NET_COUNT(n, oversized);
            omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG,
                             "net: dropped a datagram longer than the %zu bytes expected",
                             total - got);
        } else {
            got += (size_t)r;
            if (r > 0) {
                omvrpc_quiet_moved(&n->quiet);
                continue;
            }
        }
        /* A flood of foreign or empty datagrams must not outlast the wait
         * (it is no progress). */
        if (omvrpc_net_expired(n)) {
            return n->wait_status;
        }
    }
    return OMV_RPC_OK;
}

void omvrpc_net_udp_flush(net_link *n)
{
    uint8_t sink[1];
    /* Bounded, so that a flood cannot keep flush from returning. */
    for (int i = 0; i < 4096; i++) {
        omvrpc_ssize r = omvrpc_sock_recv(n->udp, sink, sizeof sink, MSG_DONTWAIT, NULL, NULL);
        if (r < 0 && errno != EINTR && errno != ECONNREFUSED && errno != ECONNRESET) {
            break;
        }
    }
}
