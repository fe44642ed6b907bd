/* Issue 19 part 4: a slave that checks slowly. Its link sleeps N us per
 * byte received before it sends each command data ack (N = 0.5, 5, 20:
 * a camera checking in hardware, in software, an 8-bit board): every call
 * succeeds, and the master's retries stay bounded: it learns the check
 * time once (doubling its allowance when an ack comes late) and keeps it.
 * CI goes up to 1 MB at 0.5 us, 256 KB at 5 us and 64 KB at 20 us per
 * byte; `long` as the first argument takes each to 1 MB (about 1 min). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call_checks.h"
#include "rig.h"
#include "flat_link.h"
#include "test_support.h"

/* The slave's end: counts bytes received, and before sending a data ack
 * (0xABD1 with no payload) sleeps ns_per_byte for each. */
typedef struct slow_end {
    omv_rpc_link inner;
    omv_rpc_link_ops ops;
    uint64_t ns_per_byte;
    uint64_t received;
} slow_end;

static omv_rpc_status slow_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    slow_end *e = ctx;
    omv_rpc_status st = omv_rpc_link_read(&e->inner, buf, len, timeout_ms);
    if (st == OMV_RPC_OK) {
        e->received += len;
    }
    return st;
}

static omv_rpc_status slow_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    slow_end *e = ctx;
    if (len == 4 && buf[0] == 0xD1 && buf[1] == 0xAB) {
        uint64_t ns = e->received * e->ns_per_byte;
        struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
        nanosleep(&ts, NULL);
    }
    e->received = 0;
    return omv_rpc_link_write(&e->inner, buf, len, timeout_ms);
}

TS_FLAT_OPS(slow, slow_get, slow_put)

static void slow_flush(void *ctx)
{
    slow_end *e = ctx;
    e->inner.ops->flush(e->inner.ctx);
}

static uint32_t slow_now(void *ctx)
{
    slow_end *e = ctx;
    return e->inner.ops->now_ms(e->inner.ctx);
}

static void slow_close(void *ctx)
{
    slow_end *e = ctx;
    omv_rpc_link_close(&e->inner);
    free(e);
}

/* The wire's pace, as a link that knows it reports (10 MB/s): without
 * one the master bounds the pace from round trips it measures, which on
 * an in-process pair would hide the check time in a generous wire time. */
static uint32_t slow_transfer_ms(void *ctx, size_t len)
{
    (void)ctx;
    return (uint32_t)(len / 10000u) + 1u;
}

static void slow_wrap(omv_rpc_link *out, const omv_rpc_link *inner, uint64_t ns_per_byte)
{
    slow_end *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->inner = *inner;
    e->ns_per_byte = ns_per_byte;
    e->ops.size = sizeof e->ops;
    e->ops.recv = slow_recv;
    e->ops.send = slow_send;
    e->ops.flush = slow_flush;
    e->ops.now_ms = slow_now;
    e->ops.close = slow_close;
    e->ops.transfer_ms = slow_transfer_ms;
    *out = *inner;
    out->ops = &e->ops;
    out->ctx = e;
}

static int g_long;

/* Calls of growing sizes up to `max` against a slave checking at
 * ns_per_byte; the retries of the whole run stay within `bound`. */
static void run_slow(uint64_t ns_per_byte, size_t max, uint32_t bound)
{
    omv_rpc_link a, b, paced, slow;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    slow_wrap(&paced, &a, 0);
    slow_wrap(&slow, &b, ns_per_byte);
    ts_rig r;
    ts_rig_open(&r, &paced, NULL, &slow, NULL);
    r.thread.send_timeout_ms = 60000;
    ts_slave_thread_start(&r.thread, r.slave);
    for (size_t len = 1024; len <= max; len *= 16) {
        for (int i = 0; i < 2; i++) { /* the second call of a size needs no retry */
            uint32_t before = omv_rpc_master_retries(r.master);
            ts_check_echo_random(r.master, len, (uint32_t)(len + (size_t)i), 60000);
            if (i == 1) {
                assert_int_equal(omv_rpc_master_retries(r.master), before);
            }
        }
    }
    printf("check at %.1f us per byte, up to %zu bytes: %u retries\n", (double)ns_per_byte / 1000.0,
           max, (unsigned)omv_rpc_master_retries(r.master));
    assert_true(omv_rpc_master_retries(r.master) <= bound);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

static void test_check_half_us_per_byte(void **state)
{
    (void)state;
    run_slow(500, 1024 * 1024, 0); /* within the starting allowance */
}

static void test_check_5_us_per_byte(void **state)
{
    (void)state;
    run_slow(5000, g_long ? 1024 * 1024 : 256 * 1024, 4);
}

static void test_check_20_us_per_byte(void **state)
{
    (void)state;
    run_slow(20000, g_long ? 1024 * 1024 : 64 * 1024, 16); /* learnt on the first late size */
}

int main(int argc, char **argv)
{
    g_long = argc > 1 && strcmp(argv[1], "long") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_half_us_per_byte),
        cmocka_unit_test(test_check_5_us_per_byte),
        cmocka_unit_test(test_check_20_us_per_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
