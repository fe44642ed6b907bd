/* Faults on the network link: a slave restarted between calls, the TCP
 * connection cut in the middle of a transfer, datagrams dropped,
 * duplicated and reordered, and a third host connecting to the master's
 * TCP port and forging datagrams to both sides while calls run. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "test_net_support.h"

#define THIRD_IP "127.0.0.3"

/* Timeouts for lossy links. Some losses stall one side until its phase
 * times out (the protocol has no sequence numbers): a lost command data
 * ack leaves the slave waiting for a result request while the master
 * resends its command header, until the slave's send timeout ends its
 * phase; a lost result data request makes the master wait ~1 s for the
 * data before it asks again, which the slave must still be there to
 * answer. So: slave send timeout between those two, master's above it. */
#define LOSSY_SLAVE_SEND_MS 1500u
#define LOSSY_MASTER_MS 4000u

static void test_slave_restarted(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    ts_check_echo_random(p.master, 100, 1, 2000);
    ts_check_echo_random(p.master, 100000, 2, 2000);
    tn_close_slave(&p);
    tn_open_slave(&p);
    tn_start(&p);
    ts_check_echo_random(p.master, 100, 3, 2000);
    ts_check_echo_random(p.master, 100000, 4, 2000);
    /* The master dropped the old slave's connection for the new one. */
    assert_int_equal(tn_master_net(&p)->stats.accepted, 2);
    tn_close(&p);
}

/* The slave's connection drops after 100000 bytes of a 1 MiB result: that
 * call may fail, the next ones succeed over a new connection. */
static void test_tcp_cut_sending_result(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    p.slave_fault->tcp_cut_after = 100000;
    tn_start(&p);
    uint8_t n[4] = {0, 0, 0x10, 0}; /* 1 MiB */
    const uint8_t *res;
    size_t len;
    omv_rpc_status st = omv_rpc_master_call(p.master, "pattern", n, 4, &res, &len, 1000, 500);
    assert_int_not_equal(st, OMV_RPC_OK); /* the result never arrived whole */
    assert_true(tn_master_net(&p)->stats.tcp_closed >= 1);
    assert_int_equal(omv_rpc_master_call(p.master, "pattern", n, 4, &res, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 1u << 20);
    uint8_t *want = malloc(len);
    ts_pattern(want, len);
    assert_memory_equal(res, want, len);
    free(want);
    ts_check_echo_random(p.master, 300000, 5, 2000);
    tn_close(&p);
}

/* The master's connection drops in the middle of a 1 MiB argument: the
 * protocol retries phase 1 over a new connection within the same call. */
static void test_tcp_cut_sending_argument(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    ts_check_echo_random(p.master, 5000, 1, 2000); /* a connection to cut */
    p.master_fault->tcp_cut_after = 200000;
    ts_check_echo_random(p.master, 1u << 20, 2, 3000);
    assert_true(omv_rpc_master_retries(p.master) >= 1);
    assert_int_equal(tn_master_net(&p)->stats.accepted, 2);
    ts_check_echo_random(p.master, 1u << 20, 3, 3000);
    tn_close(&p);
}

/* ------------------------------------------------------ datagram faults */

/* One fault on one datagram of a call: the at-th that side sends (from 1).
 * Atomics: the slave's hook runs on the slave's thread. */
typedef struct one_fault {
    atomic_uint sent;
    atomic_uint at; /* 0: no fault */
    atomic_int action;
    atomic_int hit;
} one_fault;

static net_fault_action hit_one(void *user, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    one_fault *f = user;
    unsigned n = atomic_fetch_add(&f->sent, 1) + 1;
    if (n != atomic_load(&f->at)) {
        return NET_FAULT_SEND;
    }
    atomic_store(&f->hit, 1);
    return (net_fault_action)atomic_load(&f->action);
}

/* A call is 4 datagrams each way: master command header, command data,
 * result request, data request; slave header ack, data ack, result
 * header, result data. Each one in turn is lost, duplicated or held back
 * behind the next datagram of its side, and the call still returns the
 * right bytes. Not tested because no protocol step answers them, so
 * nothing can recover: the slave's result data lost or held back, and the
 * master's data request held back (the slave answers the stale request
 * of the retry, and the master's flush then drops the data). */
static void test_each_datagram_lost_duplicated_reordered(void **state)
{
    (void)state;
    static const struct {
        net_fault_action action;
        unsigned master_last, slave_last;
    } cases[] = {
        {NET_FAULT_DROP, 4, 3},
        {NET_FAULT_DUPLICATE, 4, 4},
        {NET_FAULT_HOLD, 3, 3},
    };
    tn_pair p;
    tn_open(&p);
    one_fault on[2];
    net_fault *side[2] = {p.master_fault, p.slave_fault};
    for (int i = 0; i < 2; i++) {
        atomic_init(&on[i].sent, 0);
        atomic_init(&on[i].at, 0);
        atomic_init(&on[i].action, NET_FAULT_SEND);
        atomic_init(&on[i].hit, 0);
        side[i]->on_datagram = hit_one;
        side[i]->user = &on[i];
    }
    p.thread.send_timeout_ms = LOSSY_SLAVE_SEND_MS;
    tn_start(&p);
    uint32_t seed = 1;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int who = 0; who < 2; who++) {
            unsigned last = who == 0 ? cases[c].master_last : cases[c].slave_last;
            for (unsigned k = 1; k <= last; k++) {
                for (int i = 0; i < 2; i++) {
                    atomic_store(&on[i].at, 0);
                    atomic_store(&on[i].sent, 0);
                }
                atomic_store(&on[who].hit, 0);
                atomic_store(&on[who].action, (int)cases[c].action);
                atomic_store(&on[who].at, k);
                /* 300 bytes: each packet is one datagram. */
                ts_check_echo_random(p.master, 300, seed++, LOSSY_MASTER_MS);
                assert_true(atomic_load(&on[who].hit));
            }
        }
    }
    tn_close(&p);
}

/* ---------------------------------------------------------- third host */

typedef struct intruder {
    uint16_t port;
    atomic_int stop;
    uint32_t connections;
    uint32_t datagrams;
} intruder;

static int connect_from(const char *from_ip, const char *to_ip, uint16_t port)
{
    int fd = tn_socket(SOCK_STREAM);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, from_ip, &a.sin_addr);
    if (fd < 0 || omvrpc_sock_bind(fd, &a) != 0) {
        if (fd >= 0) {
            omvrpc_sock_close(fd);
        }
        return -1;
    }
    a.sin_port = htons(port);
    inet_pton(AF_INET, to_ip, &a.sin_addr);
    if (omvrpc_sock_connect(fd, &a) != 0) {
        omvrpc_sock_close(fd);
        return -1;
    }
    return fd;
}

/* Forged packets of every kind the protocol uses, and garbage. */
static size_t forge(uint8_t *out, uint32_t *rng)
{
    uint8_t payload[1400];
    uint32_t kind = ts_rand(rng) % 8;
    uint32_t len = ts_rand(rng) % 1396;
    ts_fill_random(payload, sizeof payload, ts_rand(rng));
    switch (kind) {
    case 0:
        return ts_packet(out, 0x1209, NULL, 0); /* command header ack */
    case 1:
        return ts_packet(out, 0xABD1, NULL, 0); /* command data ack */
    case 2:
        return ts_packet(out, 0x9021, payload, 4); /* result header */
    case 3:
        return ts_packet(out, 0x1DBA, payload, len); /* result data */
    case 4: {
        uint8_t header[8];
        uint32_t command = omv_rpc_hash_str("echo");
        memcpy(header, &command, 4);
        memcpy(header + 4, &len, 4);
        return ts_packet(out, 0x1209, header, 8); /* a command header */
    }
    case 5:
        return ts_packet(out, 0x9021, NULL, 0); /* result request */
    default:
        memcpy(out, payload, len + 4);
        return len + 4;
    }
}

static void *intrude(void *arg)
{
    intruder *in = arg;
    uint32_t rng = 99;
    /* Same port as the legitimate hosts, another address; and the
     * master's own address with another port. */
    int third = tn_udp_socket(THIRD_IP, in->port);
    int beside = tn_udp_socket(TN_MASTER_IP, 0);
    uint8_t packet[1500];
    while (!atomic_load(&in->stop)) {
        for (int i = 0; i < 4; i++) {
            size_t len = forge(packet, &rng);
            int fd = i % 2 ? beside : third;
            tn_udp_send(fd, i < 2 ? TN_SLAVE_IP : TN_MASTER_IP, in->port, packet, len);
            in->datagrams++;
        }
        int conn = connect_from(THIRD_IP, TN_MASTER_IP, in->port);
        if (conn >= 0) {
            size_t len = forge(packet, &rng);
            tn_send(conn, packet, len);
            in->connections++;
            omvrpc_sock_close(conn);
        }
        omv_rpc_sleep_ms(5);
    }
    omvrpc_sock_close(third);
    omvrpc_sock_close(beside);
    return NULL;
}

/* The slave's fault hook, on its first result header: a stale result
 * request (a retry of the master's that crossed this header) reaches the
 * slave first, then the header goes out, and the master's data request
 * answering it is queued behind the stale request before the slave reads
 * again. */
typedef struct stale_request {
    net_link *master, *slave;
    atomic_int injected;
} stale_request;

static void send_from(net_link *from, net_link *to, const uint8_t *data, size_t len)
{
    struct sockaddr_in addr = to->self;
    struct iovec v = {(void *)(uintptr_t)data, len};
    assert_int_equal(omvrpc_sock_sendv(from->udp, &v, 1, 0, &addr), (omvrpc_ssize)len);
}

static net_fault_action stale_before_data_request(void *user, const uint8_t *data, size_t len)
{
    stale_request *sr = user;
    if (len != 8 || data[0] != 0x21 || data[1] != 0x90 || atomic_exchange(&sr->injected, 1)) {
        return NET_FAULT_SEND;
    }
    uint8_t request[4];
    send_from(sr->master, sr->slave, request, ts_packet(request, 0x9021, NULL, 0));
    send_from(sr->slave, sr->master, data, len);
    omv_rpc_sleep_ms(200); /* the master takes the header and asks for the data */
    return NET_FAULT_DROP; /* sent above */
}

/* The slave answers the stale request with its header again and must not
 * flush the data request queued behind it: the result (over TCP) comes at
 * once, with no retry. */
static void test_stale_result_request_before_data_request(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    stale_request sr = {tn_master_net(&p), tn_slave_net(&p), 0};
    p.slave_fault->on_datagram = stale_before_data_request;
    p.slave_fault->user = &sr;
    tn_start(&p);
    uint32_t retries = omv_rpc_master_retries(p.master);
    ts_check_echo_random(p.master, 100000, 77, 10000);
    assert_true(atomic_load(&sr.injected));
    assert_int_equal(omv_rpc_master_retries(p.master), retries);
    tn_close_slave(&p);
    tn_close(&p);
}

static void test_third_host(void **state)
{
    (void)state;
    tn_pair p;
    tn_open(&p);
    tn_start(&p);
    /* The slave serves our master from its first call on (an idle slave
     * with no allowed list serves whoever calls first: the list is the
     * protection for that). */
    ts_check_echo_random(p.master, 10, 499, 2000);
    intruder in = {p.port, 0, 0, 0};
    ts_thread t;
    ts_thread_start(&t, intrude, &in);
    net_link *m = tn_master_net(&p);
    /* At least 12 calls; more while the master has not yet had to ignore
     * a forged datagram (a flush drops them uncounted, so it depends on
     * timing which ones it reads). */
    for (uint32_t i = 0; i < 12 || (m->stats.ignored == 0 && i < 400); i++) {
        static const size_t sizes[] = {3, 1396, 1397, 300000};
        ts_check_echo_random(p.master, sizes[i % 4], 500 + i, 3000);
    }
    atomic_store(&in.stop, 1);
    ts_thread_join(&t);
    assert_true(in.connections > 0);
    assert_true(m->stats.refused > 0);
    assert_true(m->stats.ignored > 0);
    assert_int_equal(m->stats.accepted, 1);
    tn_close_slave(&p);
    tn_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slave_restarted),
        cmocka_unit_test(test_tcp_cut_sending_result),
        cmocka_unit_test(test_tcp_cut_sending_argument),
        cmocka_unit_test(test_each_datagram_lost_duplicated_reordered),
        cmocka_unit_test(test_stale_result_request_before_data_request),
        cmocka_unit_test(test_third_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
