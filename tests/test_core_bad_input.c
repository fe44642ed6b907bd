/* Bad input on the wire: wrong magic, bad CRC, truncated packets, garbage
 * between packets, and lengths of 0xFFFFFFFF. Each is refused without
 * allocating what it announces, and the next good call is served. */
#include <stdlib.h>
#include <string.h>

#include "call_checks.h"
#include "endpoint.h"
#include "fake_peer.h"
#include "rig.h"
#include "test_support.h"

/* An allocator that counts and remembers the largest request. */
typedef struct counting {
    size_t largest, live;
} counting;

static void *count_alloc(void *user, size_t size)
{
    counting *c = user;
    if (size > c->largest) {
        c->largest = size;
    }
    c->live++;
    return malloc(size);
}

static void count_free(void *user, void *ptr)
{
    counting *c = user;
    if (ptr) {
        c->live--;
    }
    free(ptr);
}

typedef struct rig {
    ts_rig ts;
    omv_rpc_link raw; /* the master's end, written to directly */
    counting counts;
    omv_rpc_allocator allocator;
} rig;

/* The slave allocates through a counter: nothing it was told to expect
 * may be allocated before it is checked. */
static void rig_open(rig *r)
{
    memset(r, 0, sizeof *r);
    r->allocator = (omv_rpc_allocator){count_alloc, count_free, &r->counts};
    omv_rpc_config cfg = {0};
    cfg.allocator = &r->allocator;
    cfg.log = (omv_rpc_log){ts_log, NULL};
    ts_rig_open_pair(&r->ts, NULL, &cfg);
    r->raw = *omv_rpc_master_link(r->ts.master);
    ts_slave_thread_start(&r->ts.thread, r->ts.slave);
}

static void rig_close(rig *r)
{
    ts_slave_thread_stop(&r->ts.thread);
    ts_rig_close(&r->ts);
    assert_int_equal(r->counts.live, 0);
}

static void send_raw(rig *r, const uint8_t *bytes, size_t len)
{
    assert_int_equal(omv_rpc_link_write(&r->raw, bytes, len, 1000), OMV_RPC_OK);
}

/* After sending `bytes`, the slave gives no answer, then serves a good
 * call. */
static void expect_refused_then_served(rig *r, const uint8_t *bytes, size_t len)
{
    uint32_t refused = omv_rpc_slave_packets_refused(r->ts.slave);
    send_raw(r, bytes, len);
    uint8_t answer[4];
    assert_int_equal(omv_rpc_link_read(&r->raw, answer, sizeof answer, 150), OMV_RPC_ERR_TIMEOUT);
    ts_check_echo(r->ts.master, "good", 4, 2000, 1000);
    (void)refused;
}

static void header_payload(uint8_t out[8], const char *name, uint32_t len)
{
    put_le32(out, omv_rpc_hash_str(name));
    put_le32(out + 4, len);
}

static void test_wrong_magic(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    uint8_t payload[8], pkt[16];
    header_payload(payload, "echo", 4);
    size_t n = ts_packet(pkt, 0x1208, payload, 8);
    expect_refused_then_served(&r, pkt, n);
    assert_true(omv_rpc_slave_packets_refused(r.ts.slave) > 0);
    rig_close(&r);
}

static void test_bad_crc(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    uint8_t payload[8], pkt[16];
    header_payload(payload, "echo", 4);
    size_t n = ts_packet(pkt, 0x1209, payload, 8);
    pkt[n - 1] ^= 0x40;
    expect_refused_then_served(&r, pkt, n);
    assert_true(omv_rpc_slave_packets_refused(r.ts.slave) > 0);
    rig_close(&r);
}

static void test_bad_data_packet(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    /* A good header, acked; then command data with a bad CRC: no ack. */
    uint8_t payload[8], pkt[16], ack[4];
    header_payload(payload, "echo", 4);
    send_raw(&r, pkt, ts_packet(pkt, 0x1209, payload, 8));
    assert_int_equal(omv_rpc_link_read(&r.raw, ack, 4, 1000), OMV_RPC_OK);
    size_t n = ts_packet(pkt, 0xABD1, (const uint8_t *)"data", 4);
    pkt[3] ^= 1;
    expect_refused_then_served(&r, pkt, n);
    rig_close(&r);
}

static void test_truncated(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    uint8_t payload[8], pkt[16];
    header_payload(payload, "echo", 4);
    ts_packet(pkt, 0x1209, payload, 8);
    expect_refused_then_served(&r, pkt, 7); /* 7 of its 12 bytes */
    rig_close(&r);
}

static void test_garbage_between_packets(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    uint8_t garbage[3000];
    for (uint32_t round = 0; round < 5; round++) {
        ts_fill_random(garbage, sizeof garbage, round);
        size_t len = 1 + (size_t)round * 700;
        send_raw(&r, garbage, len);
        ts_check_echo(r.ts.master, garbage, 100, 2000, 1000);
    }
    rig_close(&r);
}

static void test_huge_argument_announced(void **state)
{
    (void)state;
    rig r;
    rig_open(&r);
    uint8_t payload[8], pkt[16];
    header_payload(payload, "echo", 0xFFFFFFFFu);
    expect_refused_then_served(&r, pkt, ts_packet(pkt, 0x1209, payload, 8));
    /* Nothing near the announced size was ever allocated. */
    assert_true(r.counts.largest < 1024 * 1024);
    assert_true(omv_rpc_slave_packets_refused(r.ts.slave) > 0);
    rig_close(&r);
}

/* A hand-played slave that answers by magic, not in a fixed order: on a
 * loaded machine the master's first short waits may pass before this
 * thread runs, and the master then starts its phase over; every packet it
 * resends is answered again. Command headers and data are acknowledged;
 * the test's `answer` writes the reply to a result header request
 * (result_data 0) or a result data request (1) into `pkt` and returns its
 * length. Ends when the master has been silent for a second. */
typedef size_t (*fake_answer)(int result_data, uint8_t *pkt, void *state);

static void play_slave(omv_rpc_link *link, fake_answer answer, void *state)
{
    uint8_t prev = 0, cur, buf[64], pkt[64];
    uint32_t data_len = 0;
    while (omv_rpc_link_read(link, &cur, 1, 1000) == OMV_RPC_OK) {
        uint16_t magic = (uint16_t)(prev | (cur << 8));
        size_t reply = 0;
        prev = cur;
        if (magic == 0x1209) { /* command header: command, data_len, crc */
            if (omv_rpc_link_read(link, buf, 10, 1000) != OMV_RPC_OK) {
                continue;
            }
            data_len = (uint32_t)buf[4] | (uint32_t)buf[5] << 8 | (uint32_t)buf[6] << 16 |
                       (uint32_t)buf[7] << 24;
            reply = ts_packet(pkt, 0x1209, NULL, 0);
        } else if (magic == 0xABD1 && data_len + 2 <= sizeof buf) { /* command data */
            if (omv_rpc_link_read(link, buf, data_len + 2, 1000) != OMV_RPC_OK) {
                continue;
            }
            reply = ts_packet(pkt, 0xABD1, NULL, 0);
        } else if (magic == 0x9021 || magic == 0x1DBA) { /* result requests */
            if (omv_rpc_link_read(link, buf, 2, 1000) != OMV_RPC_OK) {
                continue;
            }
            reply = answer(magic == 0x1DBA, pkt, state);
        } else {
            continue;
        }
        prev = 0; /* a packet ended: the next one starts afresh */
        if (reply) {
            omv_rpc_link_write(link, pkt, reply, 1000);
        }
    }
}

/* A fake slave answers our master with a result header of 0xFFFFFFFF. */
static size_t huge_header(int result_data, uint8_t *pkt, void *state)
{
    (void)state;
    uint8_t len[4];
    if (result_data) {
        return 0; /* the master must never ask for the data */
    }
    put_le32(len, 0xFFFFFFFFu);
    return ts_packet(pkt, 0x9021, len, 4);
}

static void *fake_slave(void *arg)
{
    play_slave(arg, huge_header, NULL);
    return NULL;
}

static void test_huge_result_announced(void **state)
{
    (void)state;
    counting counts = {0, 0};
    omv_rpc_allocator alloc = {count_alloc, count_free, &counts};
    omv_rpc_config cfg = {0};
    cfg.allocator = &alloc;
    ts_fake_peer p;
    ts_fake_peer_start(&p, &cfg, fake_slave);
    assert_int_equal(omv_rpc_master_call(p.master, "echo", "abcd", 4, NULL, NULL, 2000, 2000),
                     OMV_RPC_ERR_TOO_LARGE);
    ts_fake_peer_join(&p);
    assert_true(counts.largest < 1024 * 1024);
    ts_fake_peer_close(&p);
    assert_int_equal(counts.live, 0);
}

/* A result data packet with a bad CRC is never handed over: the master
 * starts phase 2 over and gets the right bytes. */
static size_t corrupt_once(int result_data, uint8_t *pkt, void *state)
{
    int *data_sent = state;
    uint8_t len[4];
    if (!result_data) {
        put_le32(len, 5);
        return ts_packet(pkt, 0x9021, len, 4);
    }
    size_t n = ts_packet(pkt, 0x1DBA, (const uint8_t *)"hello", 5);
    if ((*data_sent)++ == 0) {
        pkt[4] ^= 0x20; /* "heLlo" with the CRC of "hello" */
    }
    return n;
}

static void *flaky_slave(void *arg)
{
    int data_sent = 0;
    play_slave(arg, corrupt_once, &data_sent);
    return NULL;
}

static void test_corrupt_result_retried(void **state)
{
    (void)state;
    ts_fake_peer p;
    ts_fake_peer_start(&p, NULL, flaky_slave);
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(p.master, "echo", "abcd", 4, &res, &len, 2000, 5000),
                     OMV_RPC_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(res, "hello", 5);
    assert_true(omv_rpc_master_retries(p.master) >= 1);
    ts_fake_peer_join(&p);
    ts_fake_peer_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_bad_data_packet),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage_between_packets),
        cmocka_unit_test(test_huge_argument_announced),
        cmocka_unit_test(test_huge_result_announced),
        cmocka_unit_test(test_corrupt_result_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
