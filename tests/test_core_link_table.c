/* The link table's versioning (link.h): an operation past the size a
 * table was built with is absent, whatever the memory beyond holds, and
 * one within it is used. Checked with ready_us, the operation added last
 * (issue 16): a master on a table whose size ends before it never calls
 * it and its calls go through; on the whole table it asks it on its polls
 * (each phase's first request is one). The link wraps one end of an
 * in-process pair with our slave on the other; its millisecond clock
 * ticks every 16 ms, so that the master sees its round trips as under a
 * millisecond (the condition for fast polls) on any machine. */
#include <stddef.h>
#include <string.h>

#include "omv_rpc/clock.h"
#include "test_support.h"

#ifndef CLOCK_TICK
#define CLOCK_TICK 16u
#endif

typedef struct wrapped {
    omv_rpc_link inner;
    int ready_calls;
} wrapped;

static omv_rpc_status w_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    wrapped *w = ctx;
    return w->inner.ops->recv(w->inner.ctx, iov, count, timeout_ms, xfer);
}

static omv_rpc_status w_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                             uint32_t timeout_ms, uint32_t xfer)
{
    wrapped *w = ctx;
    return w->inner.ops->send(w->inner.ctx, iov, count, timeout_ms, xfer);
}

static void w_flush(void *ctx)
{
    wrapped *w = ctx;
    w->inner.ops->flush(w->inner.ctx);
}

static uint32_t w_now_ms(void *ctx)
{
    return omv_rpc_clock_ms(ctx) / CLOCK_TICK * CLOCK_TICK;
}

static void w_close(void *ctx)
{
    wrapped *w = ctx;
    omv_rpc_link_close(&w->inner);
}

/* Answers "ready" at once: the recv that follows waits as usual. */
static int w_ready_us(void *ctx, uint32_t timeout_us)
{
    wrapped *w = ctx;
    (void)timeout_us;
    w->ready_calls++;
    return 1;
}

/* 20 echo calls over a table of `size` bytes; how often ready_us was asked. */
static int ready_calls_with_size(size_t size)
{
    omv_rpc_link_ops ops = {
        .size = size,
        .recv = w_recv,
        .send = w_send,
        .flush = w_flush,
        .now_ms = w_now_ms,
        .close = w_close,
        .ready_us = w_ready_us, /* beyond `size` when size is smaller */
    };
    wrapped w;
    memset(&w, 0, sizeof w);
    omv_rpc_link theirs;
    assert_int_equal(omv_rpc_pair_open(&w.inner, &theirs, 4096), OMV_RPC_OK);
    omv_rpc_link ours = {.ops = &ops, .ctx = &w, .flags = w.inner.flags};
    omv_rpc_slave *s;
    assert_int_equal(omv_rpc_slave_new(&s, &theirs, NULL), OMV_RPC_OK);
    ts_register_standard_callbacks(s);
    ts_slave_thread th;
    memset(&th, 0, sizeof th); /* the slave's default timeouts */
    ts_slave_thread_start(&th, s);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &ours, NULL), OMV_RPC_OK);
    for (int i = 0; i < 20; i++) {
        const uint8_t *res;
        size_t len;
        assert_int_equal(omv_rpc_master_call(m, "echo", "abc", 3, &res, &len, 1000, 1000),
                         OMV_RPC_OK);
        assert_int_equal(len, 3);
        assert_memory_equal(res, "abc", 3);
    }
    assert_int_equal(ts_slave_thread_stop(&th), OMV_RPC_ERR_STOPPED);
    omv_rpc_slave_free(s);
    omv_rpc_master_free(m);
    return w.ready_calls;
}

static void test_operation_past_size_is_absent(void **state)
{
    (void)state;
    assert_int_equal(ready_calls_with_size(offsetof(omv_rpc_link_ops, ready_us)), 0);
}

static void test_operation_within_size_is_used(void **state)
{
    (void)state;
    assert_true(ready_calls_with_size(sizeof(omv_rpc_link_ops)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operation_past_size_is_absent),
        cmocka_unit_test(test_operation_within_size_is_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
