/*
 * omvrpc links: network (Ethernet, WiFi) over UDP and TCP, IPv4
 * (docs/protocol.md section 4).
 *
 * Transfers of at most 1400 bytes travel as UDP datagrams; larger ones and
 * all stream traffic over one TCP connection that the slave opens to the
 * master and both keep across calls (closed on any error, set up again by
 * the next large transfer). Both sides use the same port number.
 *
 * Security: the master takes datagrams only from the slave's address and
 * port, and TCP connections only from the slave's address (others are
 * closed at once); when the slave's address is a loopback one (127.x.x.x),
 * also from the master's own address that the connection was made to,
 * which is where a slave on this host that connects without binding its
 * socket comes from (OpenMV's camera slave does; its datagrams come from
 * its own address). While a connection is in use the master never switches
 * to another: newer ones from the slave's address are held back (at most
 * 4, the oldest closed), and the newest takes over only once the one in
 * use has gone (hung up, failed or timed out).
 * The slave serves the master it learns from a valid command header. It
 * takes no other host's command while that master is in the middle of a
 * call (heard within the last second, and repeated command headers alone
 * do not count for a host that has never completed a call). Once a master
 * has completed a call (the slave sent it a result), the slave prefers it:
 * no other host is taken on while it has been heard within the last 10
 * seconds, and it takes the slave back with its next command header from
 * any host that has not completed a call. So a host that only sends
 * command headers cannot lock a master out, before or after its first
 * call. Residual risk: UDP has no authentication. A host that speaks the
 * protocol can take an idle slave (no master heard for 10 s, or none that
 * completed a call yet) and keep it by completing calls; a host that can
 * forge the master's address can do anything the master can; and each
 * command header the slave accepts from a host costs it up to its data
 * timeout. Give the slave a list of allowed masters (and keep untrusted
 * hosts off the network) where that matters. Garbage from anyone is
 * dropped or fails the protocol's CRC; it never reaches a callback.
 *
 * Errors during calls: a TCP connection that breaks in the middle of a
 * transfer (peer gone, reset, timeout) is closed and reported to the
 * protocol as a timeout, so the phase is retried over a new connection and
 * a slave's loop goes on; streams report OMV_RPC_ERR_CLOSED. Datagrams
 * longer than the transfer waiting for them are dropped. Short timeouts are
 * scaled by 10 (link.short_timeout_scale), as OpenMV does on UDP.
 *
 * Platforms: POSIX sockets (Linux, macOS, BSD). Uses getaddrinfo, so host
 * names resolve through the system's resolver (this may block while it
 * asks a DNS server).
 */
#ifndef OMV_RPC_NET_H
#define OMV_RPC_NET_H

#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OMV_RPC_NET_DEFAULT_PORT 0x1DBAu /* 7610 */
#define OMV_RPC_NET_MAX_DATAGRAM 1400u

/* Master link: talks to the slave at `slave_address` (host name or IPv4
 * literal); binds UDP and listens for TCP on `my_address` ("any" or NULL
 * for all interfaces) and `port` (0: 7610), from now on. Accepts TCP
 * connections only from the slave's address (on loopback also from its
 * own: see Security above). `log` may be NULL; it is
 * copied, and its hook is called on the thread using the link.
 * On OMV_RPC_OK, *link is filled and owned by the caller until it is
 * handed to omv_rpc_master_new/_init (or closed with omv_rpc_link_close);
 * on failure nothing is left open and *link is zeroed.
 * Errors: OMV_RPC_ERR_HOST_NOT_FOUND, OMV_RPC_ERR_ADDR_IN_USE (the log
 * line names the port), OMV_RPC_ERR_PERMISSION (a port below 1024),
 * OMV_RPC_ERR_UNREACHABLE, OMV_RPC_ERR_INVALID_ARG (NULL link or slave
 * address, 0.0.0.0 as the slave, `my_address` not an address of this
 * host), OMV_RPC_ERR_NO_MEMORY. Thread-safe (distinct links are
 * independent; one link is used by one thread at a time). */
OMV_RPC_API omv_rpc_status omv_rpc_net_master_open(omv_rpc_link *link, const char *slave_address,
                                                   const char *my_address, uint16_t port,
                                                   const omv_rpc_log *log);

/* Slave link: binds UDP on `my_address` and `port` (0: 7610); answers the
 * master it learns from the datagrams it receives (and only masters in
 * `allowed`, `allowed_count` host names or IPv4 literals, resolved now;
 * NULL and 0 for any master); connects from `my_address` to the master's
 * address and the port for TCP. The list is copied. Ownership, logging,
 * threads and errors as omv_rpc_net_master_open (OMV_RPC_ERR_INVALID_ARG
 * also for a count with no list; OMV_RPC_ERR_HOST_NOT_FOUND for a name in
 * the list that does not resolve). Large transfers report
 * OMV_RPC_ERR_REFUSED when nobody listens at the master's address: the
 * slave connects again every 20 ms within the transfer's timeout (a
 * master may open its listener late, as OpenMV's desktop master does),
 * until a datagram comes in meanwhile. */
OMV_RPC_API omv_rpc_status omv_rpc_net_slave_open(omv_rpc_link *link, const char *my_address,
                                                  uint16_t port, const char *const *allowed,
                                                  size_t allowed_count, const omv_rpc_log *log);

#ifdef __cplusplus
}
#endif

#endif
