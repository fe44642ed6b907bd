/* The master's rhythm of fast polls (core/master_timing.h), rule by rule,
 * on its own: a link that can wait in microseconds (ready_us) and whose
 * round trips the clock sees as 0 ms polls a busy slave every 100 us for
 * the first 2.4 ms of a phase; a crossing that follows another within
 * 16 calls doubles that rhythm (up to 800 us) instead of turning fast
 * polls off, an isolated one changes nothing, 8 clean calls halve it
 * again (16, 32, ... up to 256 if it crossed again soon after the last
 * relaxation), and only a crossing at 800 us turns them off, for as many
 * calls; the fast polls do not shorten the millisecond rhythm's 64 polls
 * that follow. Without ready_us, or before a round trip is known, nothing is
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

static omv_rpc_endpoint g_ep;

/* A schedule for a link with `ops` and `flags`. */
static void setup_link(omvrpc_timing *t, const omv_rpc_link_ops *ops, uint32_t flags)
{
    omv_rpc_link link;
    memset(&link, 0, sizeof link);
    link.ops = ops;
    link.flags = flags;
    memset(&g_ep, 0, sizeof g_ep);
    assert_int_equal(omvrpc_ep_init(&g_ep, &link, NULL), OMV_RPC_OK);
    omvrpc_timing_init(t, &g_ep);
}

/* A schedule for a byte-stream link with `ops`, its first command header
 * answered within the clock's tick when `answered`. */
static void setup(omvrpc_timing *t, const omv_rpc_link_ops *ops, int answered)
{
    setup_link(t, ops, OMV_RPC_LINK_BYTE_STREAM);
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
    /* Back on, at 800 us, after 8 clean calls. */
    calls_done(&t, 7);
    assert_false(omvrpc_timing_polling_fast(&t));
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 800), 3);
    /* Off again at the next crossing, this time for 16 calls (they came
     * back too soon); one more while they are off slows the millisecond
     * rhythm, which halves back after 16 calls too. */
    omvrpc_timing_crossed(&t);
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
    omvrpc_timing_crossed(&t);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    assert_false(omvrpc_timing_polling_fast(&t));
    calls_done(&t, 15);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    calls_done(&t, 1);
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
    calls_done(&t, 15);
    assert_false(omvrpc_timing_polling_fast(&t));
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 800), 3);
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
    calls_done(&t, 7);
    assert_int_equal(fast_polls_at(&t, 400), 6);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 7);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 100), 24);
    calls_done(&t, 1000); /* never faster than the start */
    assert_int_equal(fast_polls_at(&t, 100), 24);
    /* Crossings again within 8 calls of a relaxation (a slave slower than
     * the relaxed rhythm): the next relaxation waits twice as long. */
    calls_done(&t, 10);
    omvrpc_timing_crossed(&t); /* isolated */
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 8);
    assert_int_equal(fast_polls_at(&t, 100), 24);
    calls_done(&t, 3);
    omvrpc_timing_crossed(&t);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 15);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 100), 24);
}

/* Issue 16: a camera that stalls for tens of ms every few calls (a gc, a
 * busy callback) crosses polls in both phases of each such call, which
 * turns fast polls off and grows the short wait to its 16 ms max. Once
 * the stalls stop, each step back takes 8 clean calls: fast polls every
 * 100 us again after 72 (it took 256 per step, a short wait of 2 ms cost
 * every call 6 ms on a pseudo-terminal for 256 calls). */
static void test_recovery_after_a_burst_of_stalls(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    for (int i = 0; i < 10; i++) {
        omvrpc_timing_crossed(&t); /* the command phase */
        omvrpc_timing_crossed(&t); /* the result phase */
        calls_done(&t, 3);
    }
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_first_short(&t), 16);
    /* 16 ms, then 8, 4, 2, 1 for 8 calls each (3 are done). */
    calls_done(&t, 5);
    assert_int_equal(omvrpc_timing_first_short(&t), 8);
    calls_done(&t, 31);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 1), 0);
    calls_done(&t, 1);
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
    /* The millisecond rhythm for 8 calls, then fast polls from 800 us. */
    calls_done(&t, 7);
    assert_false(omvrpc_timing_polling_fast(&t));
    assert_int_equal(omvrpc_timing_poll_us(&t, 0, 0), 0);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 800), 3);
    calls_done(&t, 23);
    assert_int_equal(fast_polls_at(&t, 200), 12);
    calls_done(&t, 1);
    assert_int_equal(fast_polls_at(&t, 100), 24);
}

/* A slave slower than the relaxed rhythm on every call (its turnaround
 * between 1 and 2 ms): each relaxation to 1 ms is crossed at once, and
 * the relaxations come ever less often, 8 calls apart, 16, ... up to
 * 256, so that such a slave costs a retry per 256 calls at most, as it
 * did; relaxations that stand let them come sooner again. */
static void test_slow_slave_relaxes_ever_less_often(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &slow_ops, 1);
    omvrpc_timing_crossed(&t);
    omvrpc_timing_crossed(&t);
    assert_int_equal(omvrpc_timing_first_short(&t), 2);
    for (uint32_t period = 8; period <= 512; period *= 2) {
        const uint32_t want = period > 256 ? 256 : period;
        calls_done(&t, (int)want - 1);
        assert_int_equal(omvrpc_timing_first_short(&t), 2);
        calls_done(&t, 1);
        assert_int_equal(omvrpc_timing_first_short(&t), 1);
        omvrpc_timing_crossed(&t); /* crossed again at 1 ms */
        assert_int_equal(omvrpc_timing_first_short(&t), 2);
    }
    /* The slave got slower (4 ms), then faster: each relaxation that
     * stood halves the period. */
    omvrpc_timing_crossed(&t);
    assert_int_equal(omvrpc_timing_first_short(&t), 4);
    calls_done(&t, 256);
    assert_int_equal(omvrpc_timing_first_short(&t), 2);
    calls_done(&t, 256);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    calls_done(&t, 127);
    assert_int_equal(omvrpc_timing_first_short(&t), 1);
    calls_done(&t, 1);
    assert_int_equal(omvrpc_timing_first_short(&t), 0);
}

/* Issue 17.3: the round trip a header's wait allows. A link's figure
 * flagged as a floor (a port opened with no baud rate) is not taken as its
 * pace. On a byte stream whose first headers are never answered within a
 * tick (a UART at 115200 baud: 1.4 ms) the wait allows one tick more than
 * they took; a shorter exchange seen within the tick (a 0-byte call's
 * data and ack) does not lower it. Once a header is answered within the
 * tick (a USB port), or on a link of transfers, the wait is as it was. */
static void test_header_round_trip(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup_link(&t, &slow_ops, OMV_RPC_LINK_BYTE_STREAM);
    assert_true(t.pace_known);
    setup_link(&t, &slow_ops, OMV_RPC_LINK_BYTE_STREAM | OMV_RPC_LINK_PACE_FLOOR);
    assert_false(t.pace_known);

    omvrpc_timing_header_rtt(&t, 1, 1);
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 3);
    omvrpc_timing_short_rtt(&t, 8, 0);
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 3);
    omvrpc_timing_header_rtt(&t, 0, 0); /* a later attempt's: not its own */
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 3);
    omvrpc_timing_header_rtt(&t, 0, 1);
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 1);

    setup(&t, &slow_ops, 1);
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 1);
    setup_link(&t, &slow_ops, 0);
    omvrpc_timing_header_rtt(&t, 1, 1);
    assert_int_equal(omvrpc_timing_round_trip(&t, &g_ep, 12, 4), 2);
}

/* Phase 2 polls fast again around when the function's last result header
 * came: from 2 ms before it, for twice the phase's first fast polls, at
 * the fast rhythm of the moment; not where the phase's polls are not
 * fast, nor for a header that came within the first fast polls (3 ms). */
static void test_window_polls_around_the_last_header(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 0);
    omvrpc_timing_result_came(&t, 7, 2); /* the first fast polls catch it */
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 0);
    omvrpc_timing_result_came(&t, 7, 10);
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 10);
    assert_int_equal(omvrpc_timing_result_expected(&t, 8), 0);

    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 7, 0, 0), 0); /* too soon */
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 8, 0, 0), 100);
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 30, 47, 0), 100);
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 30, 48, 0), 0); /* 2 x 24 made */
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 9, 0, 1), 0);   /* a grown short wait */
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 0, 9, 0, 0), 0);    /* nothing kept */

    /* At a doubled rhythm, half as many polls, as long in all. */
    omvrpc_timing_crossed(&t);
    omvrpc_timing_crossed(&t);
    assert_int_equal(t.fast_us, 200);
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 9, 23, 0), 200);
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 9, 24, 0), 0);

    /* A header that came soon this time leaves what was kept (a callback
     * now quick, now long keeps its window for the long ones). */
    omvrpc_timing_result_came(&t, 7, 1);
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 10);
    omvrpc_timing_result_came(&t, 7, 12);
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 12);

    /* No fast polls, no window. */
    setup(&t, &slow_ops, 1);
    omvrpc_timing_result_came(&t, 7, 10);
    assert_int_equal(omvrpc_timing_window_poll_us(&t, 10, 9, 0, 0), 0);
}

/* Four functions are kept, each with its own time; another takes a free
 * slot, else that of the one heard from longest ago. */
static void test_turnaround_kept_per_function(void **state)
{
    (void)state;
    omvrpc_timing t;
    setup(&t, &fast_ops, 1);
    for (uint32_t c = 1; c <= 4; c++) {
        omvrpc_timing_result_came(&t, c, 10u * c);
    }
    omvrpc_timing_result_came(&t, 1, 1);  /* quick: not heard, as far as the slots go */
    omvrpc_timing_result_came(&t, 5, 50); /* replaces 1, the oldest */
    assert_int_equal(omvrpc_timing_result_expected(&t, 1), 0);
    for (uint32_t c = 2; c <= 5; c++) {
        assert_int_equal(omvrpc_timing_result_expected(&t, c), 10u * c);
    }
    omvrpc_timing_result_came(&t, 2, 25); /* kept where it was, heard last */
    omvrpc_timing_result_came(&t, 6, 60); /* 3: heard before 4, 5 and 2 */
    assert_int_equal(omvrpc_timing_result_expected(&t, 3), 0);
    assert_int_equal(omvrpc_timing_result_expected(&t, 2), 25);
    assert_int_equal(omvrpc_timing_result_expected(&t, 4), 40);
    assert_int_equal(omvrpc_timing_result_expected(&t, 5), 50);
    assert_int_equal(omvrpc_timing_result_expected(&t, 6), 60);
    omvrpc_timing_result_came(&t, 7, 70); /* then 4 */
    assert_int_equal(omvrpc_timing_result_expected(&t, 4), 0);
    assert_int_equal(omvrpc_timing_result_expected(&t, 7), 70);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_only_with_ready_us_and_a_short_round_trip),
        cmocka_unit_test(test_fast_polls_span_and_the_rhythm_after),
        cmocka_unit_test(test_isolated_crossing_changes_nothing),
        cmocka_unit_test(test_crossing_doubles_the_rhythm_then_turns_it_off),
        cmocka_unit_test(test_clean_calls_halve_the_rhythm),
        cmocka_unit_test(test_recovery_after_a_burst_of_stalls),
        cmocka_unit_test(test_slow_slave_relaxes_ever_less_often),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_window_polls_around_the_last_header),
        cmocka_unit_test(test_turnaround_kept_per_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
