/* The network link's errors and its datagram rules, checked on the link
 * itself with raw sockets playing the peer or a third host: address in
 * use (the log names the port), host not found, errno mapping, bad
 * arguments, connection refused; who may talk to a master or a slave;
 * datagrams longer than the transfer, stale pieces, flush; a master
 * skipping the duplicate answer a crossed poll leaves, a datagram as long
 * as the packet it awaits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h> /* struct timeval, for SO_RCVTIMEO */

#include "test_net_support.h"

/* A log hook that keeps the last line. */
typedef struct captured {
    char line[256];
    int lines;
} captured;

static void capture(void *user, omv_rpc_log_level level, const char *message)
{
    captured *c = user;
    (void)level;
    snprintf(c->line, sizeof c->line, "%s", message);
    c->lines++;
}

static void test_address_in_use(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    captured c = {{0}, 0};
    omv_rpc_log log = {capture, &c};
    omv_rpc_link a, b;

    assert_int_equal(omv_rpc_net_master_open(&a, TN_SLAVE_IP, TN_MASTER_IP, port, NULL),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_net_master_open(&b, TN_SLAVE_IP, TN_MASTER_IP, port, &log),
                     OMV_RPC_ERR_ADDR_IN_USE);
    assert_non_null(strstr(c.line, port_text));
    assert_null(b.ops); /* nothing to close */
    omv_rpc_link_close(&a);

    assert_int_equal(omv_rpc_net_slave_open(&a, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    c.line[0] = '\0';
    assert_int_equal(omv_rpc_net_slave_open(&b, TN_SLAVE_IP, port, NULL, 0, &log),
                     OMV_RPC_ERR_ADDR_IN_USE);
    assert_non_null(strstr(c.line, port_text));
    omv_rpc_link_close(&a);

    /* Only the TCP port taken (by another program): the master's listener. */
    int fd = tn_socket(SOCK_STREAM);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, TN_MASTER_IP, &addr.sin_addr);
    assert_int_equal(omvrpc_sock_bind(fd, &addr), 0);
    assert_int_equal(omvrpc_sock_listen(fd), 0);
    c.line[0] = '\0';
    assert_int_equal(omv_rpc_net_master_open(&b, TN_SLAVE_IP, TN_MASTER_IP, port, &log),
                     OMV_RPC_ERR_ADDR_IN_USE);
    assert_non_null(strstr(c.line, "TCP"));
    assert_non_null(strstr(c.line, port_text));
    omvrpc_sock_close(fd);

    /* The constructors report it too, and leave nothing behind. */
    assert_int_equal(omv_rpc_net_slave_open(&a, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    omv_rpc_slave *s = (omv_rpc_slave *)&c;
    assert_int_equal(omv_rpc_net_slave_new(&s, TN_SLAVE_IP, port, NULL), OMV_RPC_ERR_ADDR_IN_USE);
    assert_null(s);
    omv_rpc_link_close(&a);
}

static void test_host_not_found(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    captured c = {{0}, 0};
    omv_rpc_log log = {capture, &c};
    omv_rpc_link link;
    assert_int_equal(
        omv_rpc_net_master_open(&link, "no-such-camera.invalid", TN_MASTER_IP, port, &log),
        OMV_RPC_ERR_HOST_NOT_FOUND);
    assert_non_null(strstr(c.line, "no-such-camera.invalid"));
    assert_int_equal(
        omv_rpc_net_master_open(&link, TN_SLAVE_IP, "no-such-interface.invalid", port, NULL),
        OMV_RPC_ERR_HOST_NOT_FOUND);
    assert_int_equal(
        omv_rpc_net_slave_open(&link, "no-such-interface.invalid", port, NULL, 0, NULL),
        OMV_RPC_ERR_HOST_NOT_FOUND);
    const char *allowed[] = {TN_MASTER_IP, "no-such-master.invalid"};
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, allowed, 2, NULL),
                     OMV_RPC_ERR_HOST_NOT_FOUND);
    omv_rpc_master *m = NULL;
    assert_int_equal(omv_rpc_net_master_new(&m, "no-such-camera.invalid", TN_MASTER_IP, port, NULL),
                     OMV_RPC_ERR_HOST_NOT_FOUND);
    assert_null(m);
}

static void test_errno_mapping(void **state)
{
    (void)state;
    static const ts_errno_case map[] = {
        {EADDRINUSE, OMV_RPC_ERR_ADDR_IN_USE},
        {EACCES, OMV_RPC_ERR_PERMISSION},
        {EPERM, OMV_RPC_ERR_PERMISSION},
        {ENETUNREACH, OMV_RPC_ERR_UNREACHABLE},
        {EHOSTUNREACH, OMV_RPC_ERR_UNREACHABLE},
        {ENETDOWN, OMV_RPC_ERR_UNREACHABLE},
        {ECONNREFUSED, OMV_RPC_ERR_REFUSED},
        {EADDRNOTAVAIL, OMV_RPC_ERR_INVALID_ARG},
        {ECONNRESET, OMV_RPC_ERR_CLOSED},
        {EPIPE, OMV_RPC_ERR_CLOSED},
        {ETIMEDOUT, OMV_RPC_ERR_TIMEOUT},
        {ENOBUFS, OMV_RPC_ERR_NO_MEMORY},
        {EBADF, OMV_RPC_ERR_LINK},
        {EIO, OMV_RPC_ERR_LINK},
    };
    ts_check_errno_map(omvrpc_net_status_from_errno, map, sizeof map / sizeof map[0]);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_master_open(NULL, TN_SLAVE_IP, NULL, port, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_master_open(&link, NULL, NULL, port, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_master_open(&link, "", NULL, port, NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_master_open(&link, "0.0.0.0", NULL, port, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_slave_open(NULL, TN_SLAVE_IP, port, NULL, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, NULL, 2, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    /* TEST-NET-1 is not an address of this host. */
    assert_int_equal(omv_rpc_net_slave_open(&link, "192.0.2.1", port, NULL, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_master_new(NULL, TN_SLAVE_IP, NULL, port, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_net_slave_new(NULL, NULL, port, NULL), OMV_RPC_ERR_INVALID_ARG);

    /* The link table: scattered transfers, a per-call framing (no byte
     * stream flag), OpenMV's x10 short timeouts on UDP. */
    assert_int_equal(omv_rpc_net_master_open(&link, TN_SLAVE_IP, TN_MASTER_IP, port, NULL),
                     OMV_RPC_OK);
    assert_int_equal(link.short_timeout_scale, 10);
    assert_int_equal(link.flags & OMV_RPC_LINK_BYTE_STREAM, 0);
    assert_non_null(link.ops->buffered);
    assert_true(link.flags & OMV_RPC_LINK_STREAM_BYTES);
    assert_true(link.ops->transfer_ms(link.ctx, 0) >= 1);
    assert_true(link.ops->transfer_ms(link.ctx, 1u << 20) > link.ops->transfer_ms(link.ctx, 1400));
    uint8_t byte = 0;
    omv_rpc_in_iov many[NET_MAX_IOV + 1];
    for (size_t i = 0; i < NET_MAX_IOV + 1; i++) {
        many[i] = (omv_rpc_in_iov){&byte, 1};
    }
    assert_int_equal(link.ops->recv(link.ctx, many, NET_MAX_IOV + 1, 10, 0),
                     OMV_RPC_ERR_INVALID_ARG);
    many[0] = (omv_rpc_in_iov){NULL, 5};
    assert_int_equal(link.ops->recv(link.ctx, many, 1, 10, 0), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_link_read(&link, &byte, 0, 10), OMV_RPC_OK);
    const omv_rpc_out_iov nothing = {NULL, 3};
    assert_int_equal(link.ops->send(link.ctx, &nothing, 1, 10, OMV_RPC_XFER_STREAM),
                     OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_link_close(&link);
}

/* Port 0 means 7610 (0x1DBA), as OpenMV's default. On an address of its
 * own so that it does not meet other programs on 7610; if something holds
 * that port there all the same, the open must say so. */
static void test_default_port(void **state)
{
    (void)state;
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_net_slave_open(&link, "127.0.0.77", 0, NULL, 0, NULL);
    assert_true(st == OMV_RPC_OK || st == OMV_RPC_ERR_ADDR_IN_USE);
    if (st == OMV_RPC_OK) {
        net_link *n = omvrpc_net_internal(&link);
        assert_int_equal(n->port, 7610);
        struct sockaddr_in bound;
        socklen_t len = sizeof bound;
        assert_int_equal(omvrpc_sock_name(n->udp, &bound, &len), 0);
        assert_int_equal(ntohs(bound.sin_port), OMV_RPC_NET_DEFAULT_PORT);
        omv_rpc_link_close(&link);
    }
}

/* A slave that took a command header from a host where nobody listens
 * for TCP: its large transfer is refused. */
static void test_connection_refused(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    uint8_t out[8];
    /* No master heard yet: nowhere to send. */
    assert_int_equal(omv_rpc_link_write(&link, out, 4, 10), OMV_RPC_ERR_TIMEOUT);
    int fake = tn_udp_socket("127.0.0.3", port);
    uint8_t header[8] = {1, 2, 3, 4, 0x88, 0x13, 0, 0}, packet[12], got[12];
    ts_packet(packet, 0x1209, header, 8);
    tn_udp_send(fake, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_memory_equal(got, packet, 12);
    static uint8_t big[5000];
    /* (Connecting again every 20 ms until the timeout.) */
    assert_int_equal(omv_rpc_link_read(&link, big, sizeof big, 200), OMV_RPC_ERR_REFUSED);
    const omv_rpc_in_iov big10 = {big, 10};
    assert_int_equal(link.ops->recv(link.ctx, &big10, 1, 200, OMV_RPC_XFER_STREAM),
                     OMV_RPC_ERR_REFUSED);
    assert_true(omvrpc_net_internal(&link)->stats.connect_retries > 0);
    omvrpc_sock_close(fake);
    omv_rpc_link_close(&link);
}

/* A master on TN_MASTER_IP at a free port, its slave to be TN_SLAVE_IP,
 * and no slave running: raw sockets play everyone else. */
static net_link *lone_master(omv_rpc_link *link, uint16_t *port)
{
    *port = tn_free_port();
    assert_int_equal(omv_rpc_net_master_open(link, TN_SLAVE_IP, TN_MASTER_IP, *port, NULL),
                     OMV_RPC_OK);
    return omvrpc_net_internal(link);
}

/* A master takes datagrams only from the slave's address and port. */
static void test_master_hears_only_its_slave(void **state)
{
    (void)state;
    uint16_t port;
    omv_rpc_link link;
    net_link *n = lone_master(&link, &port);
    int third = tn_udp_socket("127.0.0.3", port);
    int slave_other_port = tn_udp_socket(TN_SLAVE_IP, 0);
    int slave = tn_udp_socket(TN_SLAVE_IP, port);
    uint8_t buf[4];
    tn_udp_send(third, TN_MASTER_IP, port, "evil", 4);
    tn_udp_send(slave_other_port, TN_MASTER_IP, port, "evil", 4);
    tn_udp_send(slave, TN_MASTER_IP, port, "good", 4);
    assert_int_equal(omv_rpc_link_read(&link, buf, 4, 1000), OMV_RPC_OK);
    assert_memory_equal(buf, "good", 4);
    assert_int_equal(n->stats.ignored, 2);
    tn_udp_send(third, TN_MASTER_IP, port, "evil", 4);
    assert_int_equal(omv_rpc_link_read(&link, buf, 4, 50), OMV_RPC_ERR_TIMEOUT);
    omvrpc_sock_close(third);
    omvrpc_sock_close(slave_other_port);
    omvrpc_sock_close(slave);
    omv_rpc_link_close(&link);
}

/* Datagram rules on a get_bytes of n: several shorter datagrams fill it in
 * order; one longer than n is dropped whole (never written past the
 * buffer); one longer than the room left but not than n starts the
 * transfer over. Flush drops what is queued. */
static void test_datagram_rules(void **state)
{
    (void)state;
    uint16_t port;
    omv_rpc_link link;
    net_link *n = lone_master(&link, &port);
    int slave = tn_udp_socket(TN_SLAVE_IP, port);
    uint8_t buf[16];

    tn_udp_send(slave, TN_MASTER_IP, port, "abc", 3);
    tn_udp_send(slave, TN_MASTER_IP, port, "defgh", 5);
    assert_int_equal(omv_rpc_link_read(&link, buf, 8, 1000), OMV_RPC_OK);
    assert_memory_equal(buf, "abcdefgh", 8);

    memset(buf, 0xEE, sizeof buf);
    tn_udp_send(slave, TN_MASTER_IP, port, "0123456789", 10);
    tn_udp_send(slave, TN_MASTER_IP, port, "wxyz", 4);
    assert_int_equal(omv_rpc_link_read(&link, buf, 4, 1000), OMV_RPC_OK);
    assert_memory_equal(buf, "wxyz", 4);
    for (size_t i = 4; i < sizeof buf; i++) {
        assert_int_equal(buf[i], 0xEE);
    }
    assert_int_equal(n->stats.oversized, 1);

    tn_udp_send(slave, TN_MASTER_IP, port, "st", 2);       /* stale */
    tn_udp_send(slave, TN_MASTER_IP, port, "ABCDEFGH", 8); /* the transfer */
    assert_int_equal(omv_rpc_link_read(&link, buf, 8, 1000), OMV_RPC_OK);
    assert_memory_equal(buf, "ABCDEFGH", 8);
    assert_int_equal(n->stats.restarted, 1);

    /* Scattered: one datagram across three pieces. */
    uint8_t a[2], b[5], c[1];
    omv_rpc_in_iov pieces[3] = {{a, 2}, {b, 5}, {c, 1}};
    tn_udp_send(slave, TN_MASTER_IP, port, "12345678", 8);
    assert_int_equal(link.ops->recv(link.ctx, pieces, 3, 1000, 0), OMV_RPC_OK);
    assert_memory_equal(a, "12", 2);
    assert_memory_equal(b, "34567", 5);
    assert_memory_equal(c, "8", 1);

    for (int i = 0; i < 3; i++) {
        tn_udp_send(slave, TN_MASTER_IP, port, "old!", 4);
    }
    omv_rpc_sleep_ms(20); /* let loopback deliver them */
    link.ops->flush(link.ctx);
    assert_int_equal(omv_rpc_link_read(&link, buf, 4, 50), OMV_RPC_ERR_TIMEOUT);

    /* Gathered: one datagram from three pieces, as sent. */
    omv_rpc_out_iov out[3] = {{(const uint8_t *)"he", 2},
                              {(const uint8_t *)"llo", 3},
                              {(const uint8_t *)"!", 1}};
    assert_int_equal(link.ops->send(link.ctx, out, 3, 1000, 0), OMV_RPC_OK);
    char recvd[16];
    assert_int_equal(omvrpc_sock_recv(slave, recvd, sizeof recvd, 0, NULL, NULL), 6);
    assert_memory_equal(recvd, "hello!", 6);
    omvrpc_sock_close(slave);
    omv_rpc_link_close(&link);
}

/* A slave serves masters in its allowed list only, and keeps serving the
 * one it serves while that one is active. */
static void test_slave_allowed_and_lock(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    const char *allowed[] = {"127.0.0.3", "127.0.0.4"};
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, allowed, 2, NULL),
                     OMV_RPC_OK);
    net_link *n = omvrpc_net_internal(&link);
    int m3 = tn_udp_socket("127.0.0.3", port);
    int m4 = tn_udp_socket("127.0.0.4", port);
    int m5 = tn_udp_socket("127.0.0.5", port);
    uint8_t header[8] = {0}, packet[12], got[12];
    ts_packet(packet, 0x1209, header, 8);

    tn_udp_send(m5, TN_SLAVE_IP, port, packet, 12); /* not allowed */
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 50), OMV_RPC_ERR_TIMEOUT);
    tn_udp_send(m3, TN_SLAVE_IP, port, "junk-junk-ju", 12); /* allowed, not a header */
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 50), OMV_RPC_ERR_TIMEOUT);
    tn_udp_send(m3, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_int_equal(n->stats.peer_changes, 1);

    /* 127.0.0.4 while 127.0.0.3 is active: ignored. */
    tn_udp_send(m4, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 50), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(omv_rpc_link_write(&link, (const uint8_t *)"ack!", 4, 100), OMV_RPC_OK);
    char recvd[8];
    assert_int_equal(omvrpc_sock_recv(m3, recvd, sizeof recvd, 0, NULL, NULL), 4);
    assert_int_equal(n->stats.ignored, 3);

    /* Once 127.0.0.3 has been silent for the lock time, 127.0.0.4 may. */
    omv_rpc_sleep_ms(NET_PEER_LOCK_MS + 100);
    tn_udp_send(m4, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_int_equal(n->stats.peer_changes, 2);
    assert_int_equal(omv_rpc_link_write(&link, (const uint8_t *)"ack4", 4, 100), OMV_RPC_OK);
    assert_int_equal(omvrpc_sock_recv(m4, recvd, sizeof recvd, 0, NULL, NULL), 4);
    assert_memory_equal(recvd, "ack4", 4);
    omvrpc_sock_close(m3);
    omvrpc_sock_close(m4);
    omvrpc_sock_close(m5);
    omv_rpc_link_close(&link);
}

/* A slave played on a raw socket (its datagrams from TN_SLAVE_IP:port),
 * answering one call for a 4-byte argument with a 4-byte result, and
 * sending one answer twice, as it does when a master's poll crossed its
 * first: `dup_ack` a second header ack right before the data ack (both 4
 * bytes), else a second result header right before the result data (both
 * 8 bytes). Each duplicate goes after the master's flush, so only skipping
 * it lets the call through. */
typedef struct dup_slave {
    int fd;
    uint16_t port;
    int dup_ack;
    int lost; /* a datagram not of the call, or none (checked on the test's thread) */
} dup_slave;

static void dup_slave_put(const dup_slave *d, uint16_t magic, const void *payload, size_t len)
{
    uint8_t pkt[16];
    tn_udp_send(d->fd, TN_MASTER_IP, d->port, pkt, ts_packet(pkt, magic, payload, len));
}

/* Each datagram answered by its kind, so that a master's poll (a header or
 * request repeated while this thread was slow to run) is answered too,
 * as any slave must allow. */
static void *play_dup_slave(void *arg)
{
    dup_slave *d = arg;
    static const uint8_t four[4] = {4, 0, 0, 0};
    for (;;) {
        uint8_t buf[16];
        omvrpc_ssize r = omvrpc_sock_recv(d->fd, buf, sizeof buf, 0, NULL, NULL);
        uint16_t magic = r >= 2 ? (uint16_t)(buf[0] | buf[1] << 8) : 0;
        if (r == 12 && magic == 0x1209) { /* command header */
            dup_slave_put(d, 0x1209, NULL, 0);
        } else if (r == 8 && magic == 0xABD1) { /* command data */
            if (d->dup_ack) {
                dup_slave_put(d, 0x1209, NULL, 0);
            }
            dup_slave_put(d, 0xABD1, NULL, 0);
        } else if (r == 4 && magic == 0x9021) { /* result header request */
            dup_slave_put(d, 0x9021, four, 4);
        } else if (r == 4 && magic == 0x1DBA) { /* result data request */
            if (!d->dup_ack) {
                dup_slave_put(d, 0x9021, four, 4);
            }
            dup_slave_put(d, 0x1DBA, "wxyz", 4);
            return NULL;
        } else {
            d->lost = 1;
            return NULL;
        }
    }
}

static void check_duplicate_skipped(int dup_ack)
{
    uint16_t port;
    omv_rpc_link link;
    lone_master(&link, &port);
    dup_slave d = {tn_udp_socket(TN_SLAVE_IP, port), port, dup_ack, 0};
    /* A master that stops sending fails the test, not hangs it. */
#ifdef _WIN32
    /* Winsock takes the receive timeout in milliseconds (a DWORD). */
    assert_int_equal(omvrpc_sock_setopt(d.fd, SOL_SOCKET, SO_RCVTIMEO, 5000), 0);
#else
    struct timeval tv = {5, 0};
    assert_int_equal(setsockopt(d.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
#endif
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &link, NULL), OMV_RPC_OK);
    ts_thread th;
    ts_thread_start(&th, play_dup_slave, &d);
    const uint8_t *res;
    size_t len;
    omv_rpc_status st = omv_rpc_master_call(m, "f", "abcd", 4, &res, &len, 1000, 1000);
    ts_thread_join(&th);
    assert_int_equal(st, OMV_RPC_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(res, "wxyz", 4);
    assert_int_equal(omv_rpc_master_retries(m), 0);
    assert_false(d.lost);
    omv_rpc_master_free(m);
    omvrpc_sock_close(d.fd);
}

static void test_master_skips_duplicate_header_ack(void **state)
{
    (void)state;
    check_duplicate_skipped(1);
}

static void test_master_skips_duplicate_result_header(void **state)
{
    (void)state;
    check_duplicate_skipped(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_in_use),
        cmocka_unit_test(test_host_not_found),
        cmocka_unit_test(test_errno_mapping),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_default_port),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_master_hears_only_its_slave),
        cmocka_unit_test(test_datagram_rules),
        cmocka_unit_test(test_slave_allowed_and_lock),
        cmocka_unit_test(test_master_skips_duplicate_header_ack),
        cmocka_unit_test(test_master_skips_duplicate_result_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
