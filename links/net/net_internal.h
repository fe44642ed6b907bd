/*
 * Network link: what the net_*.c files share, and the hooks the tests
 * reach directly (errno mapping; with OMV_RPC_NET_TEST_STATS, in the
 * tests' build only, the link's state and its counters; faults are
 * injected by a test link that wraps this one, tests/net_fault_link.c).
 * Not installed: nothing here is public API.
 *
 * Layout: net_sock.c (addresses, sockets, waits, errno mapping),
 * net_udp.c (datagrams: who may talk to us, flush), net_tcp.c (the one
 * TCP connection: listener, accept policy, connect, reads and writes),
 * net_link.c (the link table, open).
 */
#ifndef OMV_RPC_NET_INTERNAL_H
#define OMV_RPC_NET_INTERNAL_H

#include <stdint.h>

#include "net_os.h"

#include "omv_rpc/net.h"
#include "common/clock.h"
#include "common/link_log.h"
#include "common/watch.h"

/* A slave keeps serving the master it serves while that master has been
 * heard within this many milliseconds: a command header from another host
 * is ignored until then (a call in progress is never taken over). */
#define NET_PEER_LOCK_MS 1000u

/* A slave prefers the last master it completed a call with (it sent that
 * master a result) over newcomers: while that master has been heard within
 * this many milliseconds, no other host is taken on; after that, one may
 * be (by the rule above), and the preferred master takes the slave back
 * with its next command header whenever the host served has not completed
 * a call yet. A host the slave serves that has not completed a call keeps
 * the slave only by making progress in one: its repeated command headers
 * do not extend NET_PEER_LOCK_MS (a host that only sends headers cannot
 * lock a master out). */
#define NET_PREFER_MS 10000u

/* Master: connections from the slave's address that arrive while the one
 * in use is alive are held here (the oldest closed when full), not
 * switched to: the newest takes over only once the one in use is gone. */
#define NET_PENDING_MAX 4u

/* Slave: when nobody listens at the master's TCP port yet (OpenMV's
 * desktop master opens its listener only when it needs it), connect again
 * after this many milliseconds, within the transfer's time. */
#define NET_CONNECT_RETRY_MS 20u

/* Most pieces a scattered or gathered transfer may have (the core uses 3). */
#define NET_MAX_IOV 16u

/* TCP reads also take up to this many bytes that follow the transfer, when
 * they are already there, and keep them for the next read: a stream reader
 * gets a frame and the next frame's header in one system call, and a
 * stream writer all the ack bytes waiting in one. */
#define NET_READ_AHEAD 4096u

/* A TCP read that has to wait asks to be woken only once the rest of the
 * transfer is there, up to this many bytes (SO_RCVLOWAT): one wake-up and
 * one read per stream frame, batch of ack bytes or piece of a large packet
 * (the core receives those in pieces of up to 1 MiB), not one per segment.
 * Linux wakes the reader anyway when the window fills before that, and
 * the BSDs cap it at the receive buffer. */
#define NET_LOWAT_MAX (2 * 1024 * 1024)

/* Wire time: fixed latency plus bytes at a conservative rate for WiFi
 * (500 kB/s), so waits cover what is in flight on slow networks too. */
#define NET_LATENCY_MS 1u
#define NET_BYTES_PER_MS 500u

#ifdef OMV_RPC_NET_TEST_STATS
/* Counters of events the tests check but cannot see from outside (which
 * connection was taken, what was dropped). Only in the tests' own build
 * of this link (tests/net.cmake: the sources compiled again with
 * OMV_RPC_NET_TEST_STATS); the library has neither the counters nor the
 * code that keeps them. */
typedef struct net_stats {
    uint32_t accepted;        /* master: TCP connections from the slave taken into use */
    uint32_t held;            /* master: from the slave's address while one was in use: held back */
    uint32_t connected;       /* slave: TCP connections made to the master */
    uint32_t refused;         /* master: TCP connections from other hosts, closed */
    uint32_t ignored;         /* datagrams from hosts we do not serve, dropped */
    uint32_t oversized;       /* datagrams longer than the transfer, dropped */
    uint32_t restarted;       /* transfers started over: stale pieces before a datagram */
    uint32_t tcp_closed;      /* TCP connections closed after an error or a hang-up */
    uint32_t peer_changes;    /* slave: times it took on a (new) master */
    uint32_t connect_retries; /* slave: TCP connects refused and tried again */
} net_stats;
#define NET_COUNT(n, what) ((n)->stats.what++)
#else
#define NET_COUNT(n, what) ((void)(n))
#endif

typedef struct net_link {
    int is_master;
    omv_rpc_log log;
    uint16_t port;
    int udp;      /* bound to self:port */
    int listener; /* master: TCP listener on self:port; slave: -1 */
    int tcp;      /* the TCP connection, -1 when none */
    /* Bytes read from `tcp` past the last transfer, not yet handed out:
     * ahead[ahead_pos, ahead_len). Emptied whenever the connection closes
     * and by flush. */
    uint8_t ahead[NET_READ_AHEAD];
    size_t ahead_pos, ahead_len;
    int tcp_lowat; /* SO_RCVLOWAT set on `tcp` (1 on a new connection) */
    /* The connection was checked (peer there, newest) since the last
     * flush: the rest of a packet sent in pieces skips the checks. */
    int tcp_checked;
    struct sockaddr_in self;
    /* Master: the slave (fixed). Slave: the master it serves, learnt from
     * datagrams (peer_known). */
    struct sockaddr_in peer;
    int peer_known;
    uint64_t peer_heard_ms; /* slave: last time the peer was heard */
    /* Slave: the last master it completed a call with (see NET_PREFER_MS),
     * and when that master was last heard. */
    struct sockaddr_in preferred;
    int has_preferred;
    uint64_t preferred_heard_ms;
    /* Master: connections from the slave held back (NET_PENDING_MAX),
     * oldest first. */
    int pending[NET_PENDING_MAX];
    size_t pending_count;
    struct in_addr *allowed; /* slave: masters it may serve (none: any) */
    size_t allowed_count;
#ifdef OMV_RPC_NET_TEST_STATS
    net_stats stats;
#endif
    /* The transfer in progress: its silence (each byte moved starts it
     * again: quiet timeouts, link.h), the owner's watcher, and why
     * the last wait ended without its fd being ready. */
    omv_rpc_quiet quiet;
    omv_rpc_watcher watcher;
    omv_rpc_status wait_status;
} net_link;

/* ------------------------------------------------------------ net_sock.c */

/* The status for an errno value of a socket call: EADDRINUSE ->
 * ADDR_IN_USE, EACCES/EPERM -> PERMISSION, ENETUNREACH/EHOSTUNREACH/
 * ENETDOWN/EHOSTDOWN -> UNREACHABLE, ECONNREFUSED -> REFUSED,
 * EADDRNOTAVAIL -> INVALID_ARG (not an address of this host),
 * ECONNRESET/EPIPE/ECONNABORTED -> CLOSED, ETIMEDOUT -> TIMEOUT,
 * ENOMEM/ENOBUFS -> NO_MEMORY, anything else -> LINK. */
omv_rpc_status omvrpc_net_status_from_errno(int err);

/* Resolve `host` (name or IPv4 literal) to an IPv4 address. NULL, "" and
 * "any" give INADDR_ANY when `any_ok`. OMV_RPC_ERR_HOST_NOT_FOUND when it
 * does not resolve (logged), OMV_RPC_ERR_INVALID_ARG for NULL when not
 * `any_ok`. */
omv_rpc_status omvrpc_net_resolve(const char *host, int any_ok, struct in_addr *out,
                                  const omv_rpc_log *log);

/* "a.b.c.d:port" into `buf` (at least 24 bytes). */
const char *omvrpc_net_format(const struct sockaddr_in *addr, char *buf, size_t size);

/* Wait until `fd` has `events`, the transfer's silence (n->quiet) runs
 * out or its watcher says stop; EINTR is retried. 1: ready (or an
 * error/hang-up is pending on the socket, which the next call reports),
 * 0: the transfer ends (n->wait_status says why: OMV_RPC_ERR_TIMEOUT or
 * the watcher's status), -1: poll failed (errno set). */
int omvrpc_net_wait(net_link *n, int fd, short events);
/* Whether the transfer must end now (n->wait_status then says why). */
int omvrpc_net_expired(net_link *n);

/* A non-blocking, close-on-exec socket, or -1 (errno set). */
int omvrpc_net_socket(int type);

/* Close `*fd` when open, set it to -1. */
void omvrpc_net_close_fd(int *fd);

/* Bind `fd` to `addr`; on failure log which address and port (and
 * whether it is taken) and return the mapped status. `what` names the
 * socket in the log ("UDP", "TCP"). */
omv_rpc_status omvrpc_net_bind(int fd, const struct sockaddr_in *addr, const char *what,
                               const omv_rpc_log *log);

/* Pieces from byte `offset` on, as struct iovec (at most NET_MAX_IOV);
 * returns how many. */
size_t omvrpc_net_iov_in(const omv_rpc_in_iov *iov, size_t count, size_t offset, struct iovec *out);
size_t omvrpc_net_iov_out(const omv_rpc_out_iov *iov, size_t count, size_t offset,
                          struct iovec *out);

/* ------------------------------------------------------------- net_udp.c */

/* Send the pieces (`total` <= 1400 bytes) as one datagram to the peer. */
omv_rpc_status omvrpc_net_udp_put(net_link *n, const omv_rpc_out_iov *iov, size_t count,
                                  size_t total);
/* Fill the pieces (`total` <= 1400 bytes) with datagrams from the peer
 * (a slave may take on a new master here), in order, as OpenMV does: a
 * transfer may come as several shorter datagrams. A datagram longer than
 * the transfer is dropped whole (OpenMV would cut it, and the packet would
 * then fail its CRC); one longer than the room left but not than the
 * transfer starts it over (what came before it was stale). */
omv_rpc_status omvrpc_net_udp_get(net_link *n, const omv_rpc_in_iov *iov, size_t count,
                                  size_t total);
/* Drop every datagram queued. Never blocks. */
void omvrpc_net_udp_flush(net_link *n);

/* ------------------------------------------------------------- net_tcp.c */

/* Open the master's listener on self:port (bound and listening). */
omv_rpc_status omvrpc_net_tcp_listen(net_link *n);
/* Move `total` bytes over the TCP connection, setting it up first when
 * there is none (master: accept the slave's; slave: connect to the
 * master). Any failure closes the connection. `stream`: report a peer
 * that hung up as OMV_RPC_ERR_CLOSED; otherwise (call traffic) as
 * OMV_RPC_ERR_TIMEOUT, so the protocol retries and the next transfer
 * connects again, and a slave's loop does not end. */
omv_rpc_status omvrpc_net_tcp_put(net_link *n, const omv_rpc_out_iov *iov, size_t count,
                                  size_t total, int stream);
omv_rpc_status omvrpc_net_tcp_get(net_link *n, const omv_rpc_in_iov *iov, size_t count,
                                  size_t total, int stream);
/* Whether the master takes a TCP connection from `from`, made to its
 * address `to`, when its slave is at `slave`: from the slave's address;
 * and, when the slave's address is a loopback one, also from `to` itself,
 * which is where an unbound connection from a peer on this host comes from
 * (OpenMV's camera slave does not bind its TCP socket, so on one host with
 * two loopback addresses its datagrams come from its own, its connection
 * from ours). */
int omvrpc_net_tcp_source_ok(struct in_addr slave, struct in_addr from, struct in_addr to);
/* Master: accept pending connections (from the slave's address, or see
 * omvrpc_net_tcp_source_ok; others closed). The connection in use is kept
 * while it is alive; newer ones are held back, and the newest takes over
 * once it is gone. Both: drop bytes waiting on the connection (stale: nothing is
 * due when the protocol flushes), close it when the peer hung up. Never
 * blocks (at most 4 MiB are dropped per call). */
void omvrpc_net_tcp_flush(net_link *n);
/* Bytes read ahead from TCP and not yet handed out. */
size_t omvrpc_net_tcp_buffered(const net_link *n);
/* Close the connection (counted as stats.tcp_closed when `counted`, in
 * the tests' build). */
void omvrpc_net_tcp_drop(net_link *n, int counted, const char *why);
/* Close every TCP socket but the listener: the connection and those held
 * back. */
void omvrpc_net_tcp_close_all(net_link *n);
/* Slave: the master it serves has completed a call (the link is sending
 * it a result). */
void omvrpc_net_note_call_done(net_link *n);

/* ------------------------------------------------------------ net_link.c */

#ifdef OMV_RPC_NET_TEST_STATS
/* The link's state when `link` is a network link, else NULL (tests). */
net_link *omvrpc_net_internal(omv_rpc_link *link);
#endif

#endif
