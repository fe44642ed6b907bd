/* Helpers shared by the network link tests: a free port on both loopback
 * addresses, a master on 127.0.0.1 and a slave on 127.0.0.2 on that port
 * (each over a fault link),
 * a raw UDP socket to play a third host, and the links' internal state.
 * Packets to send by hand (ts_packet) and echo checks come from the
 * shared support. */
#ifndef OMV_RPC_TEST_NET_SUPPORT_H
#define OMV_RPC_TEST_NET_SUPPORT_H

#include "call_checks.h"
#include "fake_peer.h"
#include "net/net_internal.h"
#include "net_fault_link.h"
#include "test_support.h"

#define TN_MASTER_IP "127.0.0.1"
#define TN_SLAVE_IP "127.0.0.2"

/* A port free for UDP and TCP on both 127.0.0.1 and 127.0.0.2, found by
 * binding port 0 (so parallel runs do not collide). */
uint16_t tn_free_port(void);

/* Master and slave of one test. */
typedef struct tn_pair {
    uint16_t port;
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    ts_slave_thread thread;
    int running;
    /* Each side's link is wrapped in a fault link (net_fault_link.h):
     * its hooks, no faults until set. */
    net_fault *master_fault, *slave_fault;
} tn_pair;

/* Open both ends on a free port with the standard callbacks registered;
 * the slave does not run yet (set faults first, then tn_start). */
void tn_open(tn_pair *p);
/* Open (or reopen) only the slave on p->port, standard callbacks registered. */
void tn_open_slave(tn_pair *p);
void tn_start(tn_pair *p);
/* Stop the slave's thread (if running) and free the slave. */
void tn_close_slave(tn_pair *p);
void tn_close(tn_pair *p);

net_link *tn_master_net(tn_pair *p);
net_link *tn_slave_net(tn_pair *p);

/* A blocking IPv4 socket of `type` (asserted), for the tests' own peers;
 * the other socket calls are the link's (net/net_os.h), on POSIX and
 * Winsock alike. */
int tn_socket(int type);
/* Send all `len` bytes on a connected socket (no SIGPIPE); how many went. */
size_t tn_send(int fd, const void *data, size_t len);

/* A UDP socket bound to ip:port (port 0: any), blocking. */
int tn_udp_socket(const char *ip, uint16_t port);
/* Send `len` bytes from `fd` to ip:port. */
void tn_udp_send(int fd, const char *ip, uint16_t port, const void *data, size_t len);
#endif
