/* Who may take a network link over: a host that floods an idle slave with
 * command headers cannot lock its master out; a slave prefers the master
 * it completed a call with; a second TCP connection from the slave's
 * address never interrupts the one in use; a slave on this host that
 * connects without binding (as OpenMV's camera does) is accepted on
 * loopback; a slave whose master is not listening yet connects again. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "test_net_support.h"

#define FLOODER_IP "127.0.0.3"

/* ------------------------------------------------------- header floods */

typedef struct flooder {
    uint16_t port;
    atomic_int stop;
    atomic_uint sent;
} flooder;

/* Valid command headers for random functions and lengths, every 50 ms,
 * from another host, with nothing after them. */
static void *flood(void *arg)
{
    flooder *f = arg;
    int fd = tn_udp_socket(FLOODER_IP, f->port);
    uint32_t rng = 7;
    while (!atomic_load(&f->stop)) {
        uint8_t header[8], packet[12];
        uint32_t command = ts_rand(&rng), len = ts_rand(&rng) % 2000;
        memcpy(header, &command, 4);
        for (int i = 0; i < 4; i++) {
            header[4 + i] = (uint8_t)(len >> (8 * i));
        }
        ts_packet(packet, 0x1209, header, 8);
        tn_udp_send(fd, TN_SLAVE_IP, f->port, packet, sizeof packet);
        atomic_fetch_add(&f->sent, 1);
        omv_rpc_sleep_ms(50);
    }
    omvrpc_sock_close(fd);
    return NULL;
}

/* An echo call; whether it came back right. */
static int echo_ok(omv_rpc_master *m, size_t len, uint32_t seed, uint32_t timeout_ms)
{
    uint8_t arg[2000];
    ts_fill_random(arg, len, seed);
    const uint8_t *res = NULL;
    size_t res_len = 0;
    omv_rpc_status st =
        omv_rpc_master_call(m, "echo", arg, len, &res, &res_len, timeout_ms, timeout_ms);
    return st == OMV_RPC_OK && res_len == len && memcmp(res, arg, len) == 0;
}

/* The flood starts before the master's first call: the flooder holds the
 * idle slave only for NET_PEER_LOCK_MS (its headers alone do not extend
 * it), then the master gets through, and from its first completed call on
 * the slave prefers it. */
static void test_flood_before_first_call(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    flooder f = {p.port, 0, 0};
    ts_thread t;
    ts_thread_start(&t, flood, &f);
    while (atomic_load(&f.sent) < 3) {
        omv_rpc_sleep_ms(10);
    }
    int ok = 0;
    for (uint32_t i = 0; i < 10; i++) {
        ok += echo_ok(p.master, 100 + i, i, 6000);
    }
    atomic_store(&f.stop, 1);
    ts_thread_join(&t);
    assert_int_equal(ok, 10);
    assert_true(tn_slave_net(&p)->has_preferred);
    tn_close(&p);
}

/* The flood starts after the master completed calls, and the master then
 * stays silent for longer than the peer lock: the slave still prefers it. */
static void test_flood_while_master_idle(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    assert_true(echo_ok(p.master, 10, 1, 2000));
    flooder f = {p.port, 0, 0};
    ts_thread t;
    ts_thread_start(&t, flood, &f);
    omv_rpc_sleep_ms(NET_PEER_LOCK_MS + 500);
    int ok = 0;
    for (uint32_t i = 0; i < 10; i++) {
        ok += echo_ok(p.master, 200 + i, 10 + i, 6000);
    }
    atomic_store(&f.stop, 1);
    ts_thread_join(&t);
    assert_int_equal(ok, 10);
    assert_int_equal(tn_slave_net(&p)->stats.peer_changes, 1);
    tn_close(&p);
}

/* The rules on the slave's link, by hand: the preferred master keeps the
 * slave against newcomers for NET_PREFER_MS after it was last heard, a
 * newcomer may take it after that, and the preferred master takes it back
 * from a host that has not completed a call. Time is moved by setting the
 * link's clocks back. */
static void test_preferred_master_rules(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    net_link *n = omvrpc_net_internal(&link);
    int m3 = tn_udp_socket("127.0.0.3", port);
    int m4 = tn_udp_socket("127.0.0.4", port);
    uint8_t header[8] = {0}, packet[12], got[12], result[4];
    ts_packet(packet, 0x1209, header, 8);
    ts_packet(result, 0x1DBA, header, 0); /* an empty result data packet */

    tn_udp_send(m3, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_false(n->has_preferred);
    assert_int_equal(omv_rpc_link_write(&link, result, 4, 100), OMV_RPC_OK);
    assert_true(n->has_preferred); /* 127.0.0.3 completed a call */

    /* 127.0.0.3 silent for longer than the peer lock, not the preference. */
    n->peer_heard_ms -= NET_PEER_LOCK_MS + 1;
    n->preferred_heard_ms -= NET_PEER_LOCK_MS + 1;
    tn_udp_send(m4, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 50), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(n->stats.peer_changes, 1);

    /* Silent for longer than the preference: a newcomer may take over. */
    n->peer_heard_ms -= NET_PREFER_MS;
    n->preferred_heard_ms -= NET_PREFER_MS;
    tn_udp_send(m4, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_int_equal(n->stats.peer_changes, 2);

    /* 127.0.0.4 has not completed a call: 127.0.0.3 takes the slave back
     * at once, although 127.0.0.4 was heard just now. */
    tn_udp_send(m3, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_int_equal(n->stats.peer_changes, 3);
    assert_int_equal(omv_rpc_link_write(&link, (const uint8_t *)"ack3", 4, 100), OMV_RPC_OK);
    char recvd[8];
    assert_int_equal(omvrpc_sock_recv(m3, recvd, sizeof recvd, 0, NULL, NULL), 4);
    assert_int_equal(omvrpc_sock_recv(m3, recvd, sizeof recvd, 0, NULL, NULL), 4);
    assert_memory_equal(recvd, "ack3", 4);

    /* A newcomer that completes a call becomes the preferred master. */
    n->peer_heard_ms -= NET_PREFER_MS + NET_PEER_LOCK_MS;
    n->preferred_heard_ms -= NET_PREFER_MS + NET_PEER_LOCK_MS;
    tn_udp_send(m4, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_write(&link, result, 4, 100), OMV_RPC_OK);
    assert_int_equal(n->preferred.sin_addr.s_addr, inet_addr("127.0.0.4"));
    omvrpc_sock_close(m3);
    omvrpc_sock_close(m4);
    omv_rpc_link_close(&link);
}

/* ---------------------------------------------------- TCP connections */

typedef struct squatter {
    uint16_t port;
    atomic_int stop;
    atomic_uint connections;
} squatter;

/* A local process bound to the slave's address that keeps connecting to
 * the master's TCP port, holding each connection open a while. */
static void *squat(void *arg)
{
    squatter *s = arg;
    while (!atomic_load(&s->stop)) {
        int fd = tn_socket(SOCK_STREAM);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        inet_pton(AF_INET, TN_SLAVE_IP, &a.sin_addr);
        if (fd >= 0 && omvrpc_sock_bind(fd, &a) == 0) {
            a.sin_port = htons(s->port);
            inet_pton(AF_INET, TN_MASTER_IP, &a.sin_addr);
            if (omvrpc_sock_connect(fd, &a) == 0) {
                atomic_fetch_add(&s->connections, 1);
            }
        }
        omv_rpc_sleep_ms(20);
        if (fd >= 0) {
            omvrpc_sock_close(fd);
        }
    }
    return NULL;
}

static void test_second_connection_held_back(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    ts_check_echo_random(p.master, 300000, 1, 5000); /* the slave's connection is up */
    uint32_t retries = omv_rpc_master_retries(p.master);
    squatter s = {p.port, 0, 0};
    ts_thread t;
    ts_thread_start(&t, squat, &s);
    for (uint32_t i = 0; i < 20 || atomic_load(&s.connections) < 5; i++) {
        ts_check_echo_random(p.master, 300000, 2 + i, 5000);
    }
    atomic_store(&s.stop, 1);
    ts_thread_join(&t);
    net_link *m = tn_master_net(&p);
    assert_true(m->stats.held > 0);
    assert_int_equal(m->stats.accepted, 1); /* the slave's first, all along */
    /* No transfer was interrupted: a retry or two from a loaded machine at
     * most, not one per squatter connection. */
    assert_true(omv_rpc_master_retries(p.master) - retries <= 2);
    tn_close(&p);
}

static struct in_addr ip(const char *text)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, text, &a), 1);
    return a;
}

/* The acceptance rule: the slave's address; on loopback also the master's
 * own address the connection was made to; nothing else. */
static void test_tcp_source_rule(void **state)
{
    (void)state;
    assert_true(omvrpc_net_tcp_source_ok(ip("192.0.2.7"), ip("192.0.2.7"), ip("192.0.2.1")));
    assert_false(omvrpc_net_tcp_source_ok(ip("192.0.2.7"), ip("192.0.2.1"), ip("192.0.2.1")));
    assert_false(omvrpc_net_tcp_source_ok(ip("192.0.2.7"), ip("127.0.0.1"), ip("127.0.0.1")));
    assert_true(omvrpc_net_tcp_source_ok(ip("127.0.0.2"), ip("127.0.0.2"), ip("127.0.0.1")));
    assert_true(omvrpc_net_tcp_source_ok(ip("127.0.0.2"), ip("127.0.0.1"), ip("127.0.0.1")));
    assert_false(omvrpc_net_tcp_source_ok(ip("127.0.0.2"), ip("127.0.0.3"), ip("127.0.0.1")));
    assert_false(omvrpc_net_tcp_source_ok(ip("127.0.0.2"), ip("10.0.0.5"), ip("10.0.0.1")));
}

/* A slave whose datagrams come from 127.0.0.2 but whose TCP socket is not
 * bound, so that its connection comes from 127.0.0.1 (the master's
 * address), as OpenMV's camera slave on one host: large calls work. */
static void test_unbound_slave_connection(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_slave_net(&p)->self.sin_addr.s_addr = htonl(INADDR_ANY); /* connect unbound */
    tn_start(&p);
    ts_check_echo_random(p.master, 1397, 1, 3000);
    ts_check_echo_random(p.master, 300000, 2, 3000);
    ts_check_pattern(p.master, 100000, 3000);
    net_link *m = tn_master_net(&p);
    assert_int_equal(m->stats.refused, 0);
    assert_int_equal(m->stats.accepted, 1);
    tn_close(&p);
}

/* ------------------------------------------------- connecting again */

typedef struct late_listener {
    uint16_t port;
    size_t want;
    size_t got;
} late_listener;

/* The master's side, 300 ms late: listen, accept, read `want` bytes. */
static void *listen_late(void *arg)
{
    late_listener *l = arg;
    omv_rpc_sleep_ms(300);
    int fd = tn_socket(SOCK_STREAM);
    omvrpc_sock_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(l->port);
    inet_pton(AF_INET, TN_MASTER_IP, &a.sin_addr);
    assert_int_equal(omvrpc_sock_bind(fd, &a), 0);
    assert_int_equal(omvrpc_sock_listen(fd), 0);
    int conn = omvrpc_sock_accept(fd, NULL, NULL);
    assert_true(conn >= 0);
    uint8_t buf[4096];
    omvrpc_ssize r;
    while (l->got < l->want && (r = omvrpc_sock_recv(conn, buf, sizeof buf, 0, NULL, NULL)) > 0) {
        l->got += (size_t)r;
    }
    omvrpc_sock_close(conn);
    omvrpc_sock_close(fd);
    return NULL;
}

static void test_connect_retried_until_master_listens(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    int master = tn_udp_socket(TN_MASTER_IP, port);
    uint8_t header[8] = {0}, packet[12], got[12];
    ts_packet(packet, 0x1209, header, 8);
    tn_udp_send(master, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);

    late_listener l = {port, 5000, 0};
    ts_thread t;
    ts_thread_start(&t, listen_late, &l);
    static uint8_t big[5000];
    ts_fill_random(big, sizeof big, 5);
    assert_int_equal(omv_rpc_link_write(&link, big, sizeof big, 5000), OMV_RPC_OK);
    ts_thread_join(&t);
    assert_int_equal(l.got, sizeof big);
    net_link *n = omvrpc_net_internal(&link);
    assert_true(n->stats.connect_retries > 0);
    assert_int_equal(n->stats.connected, 1);
    omvrpc_sock_close(master);
    omv_rpc_link_close(&link);
}

/* A slave waiting for a command's data gets the master's command header
 * again (the master gave that call up and started a new one): the wait
 * ends at once instead of taking header after header for the rest of the
 * data, which would keep the slave deaf for as long as the master retries. */
static void test_new_header_ends_stale_transfer(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    int master = tn_udp_socket(TN_MASTER_IP, port);
    uint8_t header[8] = {1, 2, 3, 4, 0x63, 0x01, 0, 0}, packet[12], got[359];
    ts_packet(packet, 0x1209, header, 8); /* 355 bytes of data to come */
    tn_udp_send(master, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, 12, 1000), OMV_RPC_OK);
    /* A first piece of the data, then the master's retries: 131 + 19 * 12
     * bytes would fill the 359 the slave waits for. */
    uint8_t piece[131];
    memset(piece, 0x55, sizeof piece);
    tn_udp_send(master, TN_SLAVE_IP, port, piece, sizeof piece);
    for (int i = 0; i < 19; i++) {
        tn_udp_send(master, TN_SLAVE_IP, port, packet, 12);
    }
    assert_int_equal(omv_rpc_link_read(&link, got, sizeof got, 5000), OMV_RPC_ERR_TIMEOUT);
    /* Without any piece first, too. */
    link.ops->flush(link.ctx);
    tn_udp_send(master, TN_SLAVE_IP, port, packet, 12);
    assert_int_equal(omv_rpc_link_read(&link, got, sizeof got, 5000), OMV_RPC_ERR_TIMEOUT);
    omvrpc_sock_close(master);
    omv_rpc_link_close(&link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flood_before_first_call),
        cmocka_unit_test(test_flood_while_master_idle),
        cmocka_unit_test(test_preferred_master_rules),
        cmocka_unit_test(test_second_connection_held_back),
        cmocka_unit_test(test_tcp_source_rule),
        cmocka_unit_test(test_unbound_slave_connection),
        cmocka_unit_test(test_connect_retried_until_master_listens),
        cmocka_unit_test(test_new_header_ends_stale_transfer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
