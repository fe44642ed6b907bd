/* The master's rhythm of fast polls (core/master_timing.h), rule by rule,
 * on its own: a link that can wait in microseconds (ready_us) and whose
 * round trips the clock sees as 0 ms polls a busy slave every 100 us for
 * the first 2.4 ms of a phase; a crossing that follows another within
 * 16 calls doubles that rhythm (up to 800 us) instead of turning fast
 * polls off, an isolated one changes nothing, 32 clean calls halve it
 * again, and only a crossing at 800 us turns them off, for 256 calls; the
 * fast polls do not shorten the millisecond rhythm's 64 polls that
 * follow. Without ready_us, or before a round trip is known, nothing is
 * fast. No timing: the schedule is asked, not run. */
#include <string.h>

#include "master_timing.h"
#include "test_support.h"

static omv_rpc_status t_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    (void)ctx, (void)iov, (void)count, (void)timeout_ms, (void)xfer;
    return OMV_RPC_ERR_TIMEOUT;
}

static omv_rpc_status t_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    (void)ctx, (void)iov, (void)count, (void)timeout_ms, (void)xfer;
    return OMV_RPC_OK;
}

static void t_flush(void *ctx)
{
    (void)ctx;
}

static uint32_t t_now_ms(void *ctx)
{
    (void)ctx;
    return 0;
}

/* A fast wire (a USB virtual COM port): 1 ms per transfer, whatever its
 * length up to a few KB, then growing. */
static uint32_t t_transfer_ms(void *ctx, size_t len)
{
    (void)ctx;
    return 1u + (uint32_t)(len / 10000u);
}

static int t_ready_us(void *ctx, uint32_t timeout_us)
{
    (void)ctx, (void)timeout_us;
    return 1;
}

static const omv_rpc_link_ops fast_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = t_recv,
    .send = t_send,
    .flush = t_flush,
    .now_ms = t_now_ms,
    .transfer_ms = t_transfer_ms,
    .ready_us = t_ready_us,
};

static const omv_rpc_link_ops slow_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = t_recv,
    .send = t_send,
    .flush = t_flush,
    .now_ms = t_now_ms,
    .transfer_ms = t_transfer_ms,
};

/* A schedule for a byte-stream link with `ops`, its first command header
 * answered within the clock's tick when `answered`. */
static void setup(omvrpc_timing *t, const omv_rpc_link_ops *ops, int answered)
{
    static omv_rpc_endpoint ep;
    omv_rpc_link link;
    memset(&link, 0, sizeof link);
    link.ops = ops;
    link.flags = OMV_RPC_LINK_BYTE_STREAM;
    memset(&ep, 0, sizeof ep);
    assert_int_equal(omvrpc_ep_init(&ep, &link, NULL), OMV_RPC_OK);
    omvrpc_timing_init(t, &ep);
    if (answered) {
        omvrpc_timing_header_rtt(t, 0, 1);
    }
}

/* How many of a phase's first polls are fast, all at `us`. */
static int fast_polls_at(const omvrpc_timing *t, uint32_t us)
{
    int n = 0;
    while (omvrpc_timing_poll_us(t, n, 0) != 0u) {
        assert_int_equal(omvrpc_timing_poll_us(t, n, 0), us);
        n++;
    }
    return n;
}

static void calls_done(omvrpc_timing *t, int n)
{
    for (int i = 0; i < n; i++) {
        omvrpc_timing_call_done(t);
    }
}

static void test_fast_only_with_ready_us_and_a_short_round_trip(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &slow_ops, 1);
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 0), 0);
    setup(&t, &fast_ops, 0);
    assert_false(omvrpc_timing_polling_fast(&t)); /* no round trip seen yet */
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 0), 0);
    setup(&t, &fast_ops, 1);
    assert_true(omvrpc_timing_polling_fast(&t));
    /* A phase whose short wait grew (a slower slave) does not poll fast. */
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 1), 0);
}

static void test_fast_polls_span_and_the_rhythm_after(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    assert_int_equal(fast_polls_at(&t, 100), 24); /* 2.4 ms */
    /* Then 64 polls at the millisecond rhythm before the waits grow. */
    assert_true(omvrpc_timing_is_poll(&t, 24 + 63));
    assert_false(omvrpc_timing_is_poll(&t, 24 + 64));
    assert_int_equal(omvrpc_timing_next_short(&t, 0, 24 + 62, 1000), 0);
    assert_true(omvrpc_timing_next_short(&t, 0, 24 + 63, 1000) > 0);
    /* Without fast polls the rhythm is the 64 polls alone. */
    setup(&t, &slow_ops, 1);
    assert_true(omvrpc_timing_is_poll(&t, 63));
    assert_false(omvrpc_timing_is_poll(&t, 64));
}

/* A crossing with none in the 16 calls before it: most likely a stall of
 * a moment, which changes nothing; a second within 16 calls does. */
static void test_isolated_crossing_changes_nothing(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 100), 24);
    calls_done(&t, 16);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 100), 24);
    calls_done(&t, 15);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    /* On a link without fast polls every crossing counts, as before. */
    setup(&t, &slow_ops, 1);
    omvrpc_timing_crossed(&t);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
}

static void test_crossing_doubles_the_rhythm_then_turns_it_off(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    omvrpc_timing_crossed(&t); /* isolated */
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 800), 3);
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
    omvrpc_timing_crossed(&t); /* at the slowest fast rhythm: off */
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 0), 0);
    assert_int_equal(omvrpc_timing_first_short(&t), 0); /* the millisecond rhythm */
    /* Back on, at 800 us, after 256 clean calls. */
    calls_done(&t, 255);
    assert_false(omvrpc_timing_polling_fast(&t));
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 800), 3);
    /* Off again at the second crossing; one more while they are off
     * slows the millisecond rhythm. */
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 800), 3);
    omvrpc_timing_crossed(&t);
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
    omvrpc_timing_crossed(&t);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    assert_false(omvrpc_timing_polling_fast(&t));
}

static void test_clean_calls_halve_the_rhythm(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    omvrpc_timing_crossed(&t); /* isolated */
    omvrpc_timing_crossed(&t);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    calls_done(&t, 31);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    /* A crossing that counts starts the count again. */
    calls_done(&t, 10);
    omvrpc_timing_crossed(&t); /* isolated */
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 5);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    calls_done(&t, 31);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 31);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 100), 24);
    calls_done(&t, 1000); /* never faster than the start */
    assert_int_equal(fast_polls_at(&t, 100), 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_only_with_ready_us_and_a_short_round_trip),
        cmocka_unit_test(test_fast_polls_span_and_the_rhythm_after),
        cmocka_unit_test(test_isolated_crossing_changes_nothing),
        cmocka_unit_test(test_crossing_doubles_the_rhythm_then_turns_it_off),
        cmocka_unit_test(test_clean_calls_halve_the_rhythm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
