/* Network link: transfers of more than 1400 bytes and all stream traffic,
 * over one TCP connection that the slave opens to the master
 * (docs/protocol.md section 4).
 *
 * The master listens from the moment it opens (a slave that connects
 * first is not refused, unlike OpenMV's master) and takes connections only
 * from the slave's address (on loopback also from its own, see
 * omvrpc_net_tcp_source_ok); others are closed at once. Both keep the
 * connection across calls. Any error or timeout closes it, so the rest of
 * an aborted transfer can never be read as a new packet, and a flush drops
 * bytes left over; the next transfer sets a fresh connection up. Before
 * each transfer both sides check that the peer has not hung up. The
 * master never lets a second connection interrupt the one in use: it holds
 * newer ones back and takes the newest only once the one in use is gone
 * (the slave opens one only after dropping its last). */
#include <errno.h>
#include <string.h>

#include "net_internal.h"
#include "omv_rpc/clock.h"

omv_rpc_status omvrpc_net_tcp_listen(net_link *n)
{
    int fd = omvrpc_net_socket(SOCK_STREAM);
    if (fd < 0) {
        int err = errno;
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_ERROR, "net: cannot create a TCP socket: %s",
                         omvrpc_sock_strerror(err));
        return omvrpc_net_status_from_errno(err);
    }
#ifndef _WIN32
    /* A restarted master must not wait for its old connections' TIME_WAIT.
     * (Windows binds over TIME_WAIT anyway, and its SO_REUSEADDR would
     * let another socket share a port in use: see omvrpc_sock_open.) */
    omvrpc_sock_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
#endif
    omv_rpc_status st = omvrpc_net_bind(fd, &n->self, "TCP", &n->log);
    /* A deep backlog: connections from other hosts wait there until the
     * master refuses them, and must not crowd out the slave's. */
    if (st == OMV_RPC_OK && omvrpc_sock_listen(fd) != 0) {
        int err = errno;
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_ERROR, "net: cannot listen on TCP port %u: %s",
                         (unsigned)n->port, omvrpc_sock_strerror(err));
        st = omvrpc_net_status_from_errno(err);
    }
    if (st != OMV_RPC_OK) {
        omvrpc_sock_close(fd);
        return st;
    }
    n->listener = fd;
    return OMV_RPC_OK;
}

void omvrpc_net_tcp_drop(net_link *n, int counted, const char *why)
{
    if (n->tcp < 0) {
        return;
    }
    omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: TCP connection closed (%s)", why);
    omvrpc_net_close_fd(&n->tcp);
    n->ahead_pos = n->ahead_len = 0;
    n->tcp_lowat = 1;
    n->tcp_checked = 0;
    if (counted) {
        NET_COUNT(n, tcp_closed);
    }
}

/* Small writes (stream headers, ack bytes) must not wait for Nagle. */
static int prepare_connection(int fd)
{
    if (omvrpc_sock_nonblock(fd) != 0) {
        return -1;
    }
    omvrpc_sock_setopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    return 0;
}

int omvrpc_net_tcp_source_ok(struct in_addr slave, struct in_addr from, struct in_addr to)
{
    if (from.s_addr == slave.s_addr) {
        return 1;
    }
    int slave_on_loopback = (ntohl(slave.s_addr) >> 24) == 127u;
    return slave_on_loopback && from.s_addr == to.s_addr;
}

/* Hold a connection from the slave's address back (the one in use is
 * alive), closing the oldest held when there is no room. */
static void hold_back(net_link *n, int fd)
{
    if (n->pending_count == NET_PENDING_MAX) {
        omvrpc_sock_close(n->pending[0]);
        memmove(n->pending, n->pending + 1, (NET_PENDING_MAX - 1) * sizeof n->pending[0]);
        n->pending_count--;
    }
    n->pending[n->pending_count++] = fd;
    NET_COUNT(n, held);
}

void omvrpc_net_tcp_close_all(net_link *n)
{
    omvrpc_net_close_fd(&n->tcp);
    for (size_t i = 0; i < n->pending_count; i++) {
        omvrpc_sock_close(n->pending[i]);
    }
    n->pending_count = 0;
}

/* Master: take every pending connection. One from the slave becomes the
 * connection in use when there is none; while there is one, others are
 * held back, never switched to, so that no second connection interrupts
 * a transfer (a local process bound to the slave's address could
 * otherwise take every call over). Returns 0, or the errno of a failure
 * that leaves connections pending (e.g. out of file descriptors), so that
 * waiters do not spin on it. */
static int accept_pending(net_link *n)
{
    for (;;) {
        struct sockaddr_in from, to;
        socklen_t len = sizeof from;
        memset(&from, 0, sizeof from);
        int fd = omvrpc_sock_accept(n->listener, &from, &len);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
        }
        char who[32];
        omvrpc_net_format(&from, who, sizeof who);
        socklen_t to_len = sizeof to;
        memset(&to, 0, sizeof to);
        if (from.sin_family != AF_INET || omvrpc_sock_name(fd, &to, &to_len) != 0 ||
            !omvrpc_net_tcp_source_ok(n->peer.sin_addr, from.sin_addr, to.sin_addr)) {
            omvrpc_sock_close(fd);
            NET_COUNT(n, refused);
            omvrpc_link_logf(&n->log, OMV_RPC_LOG_WARNING,
                             "net: refused a TCP connection from %s (not the slave)", who);
            continue;
        }
        if (prepare_connection(fd) != 0) {
            omvrpc_sock_close(fd);
            continue;
        }
        if (n->tcp >= 0 || n->pending_count > 0) {
            omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG,
                             "net: TCP connection from %s held back (one is in use)", who);
            hold_back(n, fd);
            continue;
        }
        n->tcp = fd;
        n->tcp_lowat = 1;
        NET_COUNT(n, accepted);
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: TCP connection from the slave %s", who);
    }
}

/* 0: the peer hung up (or the connection failed); 1: open, nothing
 * waiting; 2: open with bytes waiting. */
static int connection_state(net_link *n)
{
    uint8_t byte;
    for (;;) {
        omvrpc_ssize r = omvrpc_sock_recv(n->tcp, &byte, 1, MSG_PEEK | MSG_DONTWAIT, NULL, NULL);
        if (r > 0) {
            return 2;
        }
        if (r == 0) {
            return 0;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
    }
}

/* Master, the connection in use gone: the newest connection held back
 * takes over (the slave opens one only after dropping its last); older
 * ones stay held, next in line should this one fail too. */
static void take_held(net_link *n)
{
    n->tcp = n->pending[--n->pending_count];
    n->tcp_lowat = 1;
    NET_COUNT(n, accepted);
    omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG,
                     "net: a TCP connection held back from the slave takes over");
}

/* Slave: one attempt to connect to `to`: the socket, or -1 with the
 * errno in *err (ETIMEDOUT when the wait ended, n->wait_status says why;
 * 0 when our own
 * address could not be bound, logged, with the status in *bind_st). */
static int connect_once(net_link *n, const struct sockaddr_in *to, int *err,
                        omv_rpc_status *bind_st)
{
    int fd = omvrpc_net_socket(SOCK_STREAM);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    /* From our own address: the master accepts only the slave's. */
    if (n->self.sin_addr.s_addr != htonl(INADDR_ANY)) {
        struct sockaddr_in me = n->self;
        me.sin_port = 0;
        *bind_st = omvrpc_net_bind(fd, &me, "TCP", &n->log);
        if (*bind_st != OMV_RPC_OK) {
            *err = 0;
            omvrpc_sock_close(fd);
            return -1;
        }
    }
    *err = 0;
    if (omvrpc_sock_connect(fd, to) != 0) {
        *err = errno;
    }
    if (*err == EINPROGRESS || *err == EINTR) {
        int w = omvrpc_net_wait(n, fd, POLLOUT);
        if (w == 0) {
            *err = ETIMEDOUT;
        } else if (w < 0) {
            *err = errno;
        } else if (omvrpc_sock_error(fd, err) != 0) {
            *err = errno;
        }
    }
    if (*err == 0 && prepare_connection(fd) != 0) {
        *err = errno;
    }
    if (*err != 0) {
        omvrpc_sock_close(fd);
        return -1;
    }
    return fd;
}

/* Whether a datagram is waiting (never blocks). */
static int datagram_waiting(const net_link *n)
{
    omvrpc_sock_pollfd p = {n->udp, POLLIN, 0};
    return omvrpc_sock_poll(&p, 1, 0) > 0;
}

/* Slave: connect to the master's address and the port. Refused while
 * nobody listens there yet: tried again within the silence (OpenMV's
 * desktop master opens its listener only when it is about to use TCP),
 * unless a datagram comes in meanwhile: then the master has moved on (it
 * asks again), or another host is talking, and holding on to the transfer
 * would only keep the slave from hearing it. */
static omv_rpc_status slave_connect(net_link *n)
{
    if (!n->peer_known) {
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: no master heard yet: cannot connect");
        return OMV_RPC_ERR_TIMEOUT;
    }
    struct sockaddr_in to = n->peer;
    to.sin_port = htons(n->port);
    char who[32];
    omvrpc_net_format(&to, who, sizeof who);

    int err;
    omv_rpc_status bind_st = OMV_RPC_OK;
    int fd = connect_once(n, &to, &err, &bind_st);
    while (fd < 0 && err == ECONNREFUSED && !datagram_waiting(n) &&
           omvrpc_quiet_left(&n->quiet) > NET_CONNECT_RETRY_MS && !omvrpc_net_expired(n)) {
        NET_COUNT(n, connect_retries);
        omv_rpc_sleep_ms(NET_CONNECT_RETRY_MS);
        fd = connect_once(n, &to, &err, &bind_st);
    }
    if (fd < 0 && n->wait_status != OMV_RPC_OK && n->wait_status != OMV_RPC_ERR_TIMEOUT) {
        return n->wait_status; /* the owner said stop */
    }
    if (fd < 0 && bind_st != OMV_RPC_OK) {
        return bind_st;
    }
    if (fd < 0 && err == ETIMEDOUT) {
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: connecting to %s timed out", who);
        return OMV_RPC_ERR_TIMEOUT;
    }
    if (fd < 0) {
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_WARNING, "net: cannot connect to the master %s: %s",
                         who, omvrpc_sock_strerror(err));
        return omvrpc_net_status_from_errno(err);
    }
    n->tcp = fd;
    n->tcp_lowat = 1;
    NET_COUNT(n, connected);
    omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: TCP connection to the master %s", who);
    return OMV_RPC_OK;
}

/* A live connection, set up now when there is none. */
static omv_rpc_status ensure_connection(net_link *n)
{
    /* The protocol flushes before each step; between flushes the
     * transfers are pieces of one packet, on the connection checked for
     * its first piece (an accept() and a peek saved per piece). */
    if (n->tcp >= 0 && n->tcp_checked) {
        return OMV_RPC_OK;
    }
    for (;;) {
        int err = n->is_master ? accept_pending(n) : 0;
        /* Bytes read ahead come first: a peer that sent them and hung up
         * is only gone once they have been read. */
        if (n->tcp >= 0 && n->ahead_pos == n->ahead_len && connection_state(n) == 0) {
            omvrpc_net_tcp_drop(n, 1, "the peer hung up");
        }
        while (n->tcp < 0 && n->pending_count > 0) {
            take_held(n);
            if (connection_state(n) == 0) {
                omvrpc_net_tcp_drop(n, 0, "the peer hung up before it was used");
            }
        }
        if (n->tcp >= 0) {
            n->tcp_checked = 1;
            return OMV_RPC_OK;
        }
        if (!n->is_master) {
            omv_rpc_status st = slave_connect(n);
            n->tcp_checked = st == OMV_RPC_OK;
            return st;
        }
        if (err) {
            omvrpc_link_logf(&n->log, OMV_RPC_LOG_WARNING, "net: cannot accept: %s",
                             omvrpc_sock_strerror(err));
            return omvrpc_net_status_from_errno(err);
        }
        if (omvrpc_net_expired(n)) {
            if (n->wait_status == OMV_RPC_ERR_TIMEOUT) {
                omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG,
                                 "net: the slave did not connect for TCP in time");
            }
            return n->wait_status;
        }
        int w = omvrpc_net_wait(n, n->listener, POLLIN);
        if (w < 0) {
            return omvrpc_net_status_from_errno(errno);
        }
        if (w == 0 && n->wait_status != OMV_RPC_ERR_TIMEOUT) {
            return n->wait_status; /* the owner said stop */
        }
    }
}

/* Close the connection after a failed transfer; the status to report. */
static omv_rpc_status transfer_failed(net_link *n, omv_rpc_status st, int stream, const char *why)
{
    omvrpc_net_tcp_drop(n, 1, why);
    if (stream) {
        return st;
    }
    /* Call traffic: the network is still there, only this connection is
     * gone. A timeout makes the protocol retry (and the retry connects
     * again); CLOSED or LINK would end a slave's loop. */
    if (st == OMV_RPC_ERR_UNREACHABLE || st == OMV_RPC_ERR_REFUSED ||
        st == OMV_RPC_ERR_PERMISSION || st == OMV_RPC_ERR_ABORTED || st == OMV_RPC_ERR_STOPPED) {
        return st;
    }
    return OMV_RPC_ERR_TIMEOUT;
}

static void note_progress(net_link *n)
{
    omvrpc_quiet_moved(&n->quiet);
    if (!n->is_master) {
        n->peer_heard_ms = omvrpc_clock_ms64();
    }
}

omv_rpc_status omvrpc_net_tcp_put(net_link *n, const omv_rpc_out_iov *iov, size_t count,
                                  size_t total, int stream)
{
    /* Within a stream the connection is the one the stream runs on: no
     * new connection may take over and a hang-up shows in the transfer
     * itself, so skip the accept() and MSG_PEEK probes (two system calls
     * per frame header, frame and ack byte). */
    omv_rpc_status st = stream && n->tcp >= 0 ? OMV_RPC_OK : ensure_connection(n);
    if (st != OMV_RPC_OK) {
        return stream || st != OMV_RPC_ERR_LINK ? st : OMV_RPC_ERR_TIMEOUT;
    }
    size_t sent = 0;
    while (sent < total) {
        struct iovec v[NET_MAX_IOV];
        size_t vc = omvrpc_net_iov_out(iov, count, sent, v);
        omvrpc_ssize r = omvrpc_sock_sendv(n->tcp, v, vc, MSG_NOSIGNAL | MSG_DONTWAIT, NULL);
        if (r > 0) {
            sent += (size_t)r;
            note_progress(n);
            continue;
        }
        int err = r < 0 ? errno : EAGAIN;
        if (err == EINTR) {
            continue;
        }
        if (err == EAGAIN || err == EWOULDBLOCK) {
            int w = omvrpc_net_wait(n, n->tcp, POLLOUT);
            if (w == 0) {
                return transfer_failed(n, n->wait_status, stream,
                                       n->wait_status == OMV_RPC_ERR_TIMEOUT ? "send timed out"
                                                                             : "send stopped");
            }
            if (w > 0) {
                continue;
            }
            err = errno;
        }
        return transfer_failed(n, omvrpc_net_status_from_errno(err), stream,
                               omvrpc_sock_strerror(err));
    }
    return OMV_RPC_OK;
}

/* Before waiting for `want` more bytes: be woken when they are all there
 * (at most NET_LOWAT_MAX), never later. */
static void wake_at(net_link *n, size_t want)
{
#if defined(SO_RCVLOWAT) && !defined(_WIN32) /* Windows refuses it */
    int v = want > (size_t)NET_LOWAT_MAX ? NET_LOWAT_MAX : (int)want;
    if (v != n->tcp_lowat && omvrpc_sock_setopt(n->tcp, SOL_SOCKET, SO_RCVLOWAT, v) == 0) {
        n->tcp_lowat = v;
    }
#else
    (void)n;
    (void)want;
#endif
}

/* Hand out bytes read ahead: fill the pieces from their start; returns
 * how many bytes were filled. */
static size_t take_ahead(net_link *n, const omv_rpc_in_iov *iov, size_t count, size_t total)
{
    size_t got = 0;
    for (size_t i = 0; i < count && got < total && n->ahead_pos < n->ahead_len; i++) {
        size_t k = n->ahead_len - n->ahead_pos;
        if (k > iov[i].len) {
            k = iov[i].len;
        }
        if (k) {
            memcpy(iov[i].base, n->ahead + n->ahead_pos, k);
        }
        n->ahead_pos += k;
        got += k;
        if (k < iov[i].len) {
            break;
        }
    }
    if (n->ahead_pos == n->ahead_len) {
        n->ahead_pos = n->ahead_len = 0;
    }
    return got;
}

omv_rpc_status omvrpc_net_tcp_get(net_link *n, const omv_rpc_in_iov *iov, size_t count,
                                  size_t total, int stream)
{
    /* Within a stream the connection is the one the stream runs on: no
     * new connection may take over and a hang-up shows in the transfer
     * itself, so skip the accept() and MSG_PEEK probes (two system calls
     * per frame header, frame and ack byte). */
    omv_rpc_status st = stream && n->tcp >= 0 ? OMV_RPC_OK : ensure_connection(n);
    if (st != OMV_RPC_OK) {
        return stream || st != OMV_RPC_ERR_LINK ? st : OMV_RPC_ERR_TIMEOUT;
    }
    size_t got = take_ahead(n, iov, count, total);
    while (got < total) {
        /* The rest of the transfer, then room for what follows it. */
        struct iovec v[NET_MAX_IOV + 1];
        size_t vc = omvrpc_net_iov_in(iov, count, got, v);
        v[vc].iov_base = n->ahead;
        v[vc].iov_len = sizeof n->ahead;
        vc++;
        omvrpc_ssize r = omvrpc_sock_recvv(n->tcp, v, vc, MSG_DONTWAIT, NULL, NULL, NULL);
        if (r > 0) {
            size_t k = (size_t)r;
            if (k > total - got) {
                n->ahead_pos = 0;
                n->ahead_len = k - (total - got);
                k = total - got;
            }
            got += k;
            note_progress(n);
            continue;
        }
        if (r == 0) {
            return transfer_failed(n, OMV_RPC_ERR_CLOSED, stream, "the peer hung up mid-transfer");
        }
        int err = errno;
        if (err == EINTR) {
            continue;
        }
        if (err == EAGAIN || err == EWOULDBLOCK) {
            wake_at(n, total - got);
            int w = omvrpc_net_wait(n, n->tcp, POLLIN);
            if (w == 0) {
                return transfer_failed(n, n->wait_status, stream,
                                       n->wait_status == OMV_RPC_ERR_TIMEOUT ? "receive timed out"
                                                                             : "receive stopped");
            }
            if (w > 0) {
                continue;
            }
            err = errno;
        }
        return transfer_failed(n, omvrpc_net_status_from_errno(err), stream,
                               omvrpc_sock_strerror(err));
    }
    return OMV_RPC_OK;
}

/* Most bytes one flush drops from TCP, so that it never blocks for long
 * behind a peer that keeps sending. */
#define FLUSH_MAX_BYTES (4u << 20)

void omvrpc_net_tcp_flush(net_link *n)
{
    if (n->is_master) {
        (void)accept_pending(n); /* a failure shows at the next transfer */
    }
    size_t dropped = n->ahead_len - n->ahead_pos;
    n->ahead_pos = n->ahead_len = 0;
    if (n->tcp < 0) {
        return;
    }
    /* Nothing is due on TCP when the protocol flushes: bytes waiting are
     * left over (acks a stream writer did not read, frames after a reader
     * ended, the rest of a transfer the peer gave up). Drop them and keep
     * the connection: closing a socket with unread bytes resets it, and a
     * reset throws away what it still had to send, such as a stream's
     * last frames on their way to a reader that is still reading them. */
    uint8_t sink[16384];
    while (dropped < FLUSH_MAX_BYTES) {
        omvrpc_ssize r = omvrpc_sock_recv(n->tcp, sink, sizeof sink, MSG_DONTWAIT, NULL, NULL);
        if (r > 0) {
            dropped += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        omvrpc_net_tcp_drop(n, 1, r == 0 ? "the peer hung up" : omvrpc_sock_strerror(errno));
        break;
    }
    if (dropped) {
        omvrpc_link_logf(&n->log, OMV_RPC_LOG_DEBUG, "net: dropped %zu stale bytes from TCP",
                         dropped);
    }
}

size_t omvrpc_net_tcp_buffered(const net_link *n)
{
    return n->ahead_len - n->ahead_pos;
}
