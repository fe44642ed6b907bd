/*
 * omvrpc links: network (Ethernet, WiFi) over UDP and TCP, IPv4
 * (PROTOCOL.md section 4).
 *
 * Transfers of at most 1400 bytes travel as UDP datagrams; larger ones and
 * all stream traffic over one TCP connection that the slave opens to the
 * master and both keep across calls (closed on any error, set up again by
 * the next large transfer). Both sides use the same port number.
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
 * for all interfaces) and `port` (0: 7610). Accepts TCP connections only
 * from the slave's address. `log` may be NULL.
 * Errors: OMV_RPC_ERR_HOST_NOT_FOUND, OMV_RPC_ERR_ADDR_IN_USE (the log
 * line names the port), OMV_RPC_ERR_PERMISSION (a port below 1024),
 * OMV_RPC_ERR_UNREACHABLE, OMV_RPC_ERR_INVALID_ARG. */
omv_rpc_status omv_rpc_net_master_open(omv_rpc_link *link, const char *slave_address,
                                       const char *my_address, uint16_t port,
                                       const omv_rpc_log *log);

/* Slave link: binds UDP on `my_address` and `port`; answers the master it
 * learns from the datagrams it receives (and only masters in `allowed`,
 * `allowed_count` host names or IPv4 literals, when that list is given);
 * connects to the master's address and port for TCP. */
omv_rpc_status omv_rpc_net_slave_open(omv_rpc_link *link, const char *my_address, uint16_t port,
                                      const char *const *allowed, size_t allowed_count,
                                      const omv_rpc_log *log);

/* OpenMV-style constructors (the master or slave owns the link). */
omv_rpc_status omv_rpc_network_master_new(omv_rpc_master **out, const char *slave_address,
                                          const char *my_address, uint16_t port,
                                          const omv_rpc_config *config);
omv_rpc_status omv_rpc_network_slave_new(omv_rpc_slave **out, const char *my_address,
                                         uint16_t port, const omv_rpc_config *config);

#ifdef __cplusplus
}
#endif

#endif
