#include "call_checks.h"

#include <stdlib.h>
#include <string.h>

void ts_check_echo(omv_rpc_master *m, const void *arg, size_t len, uint32_t send_timeout_ms,
                   uint32_t recv_timeout_ms)
{
    const uint8_t *res = NULL;
    size_t res_len = 0;
    assert_int_equal(
        omv_rpc_master_call(m, "echo", arg, len, &res, &res_len, send_timeout_ms, recv_timeout_ms),
        OMV_RPC_OK);
    assert_int_equal(res_len, len);
    if (len) {
        assert_memory_equal(res, arg, len);
    }
}

void ts_check_echo_random(omv_rpc_master *m, size_t len, uint32_t seed, uint32_t timeout_ms)
{
    uint8_t *arg = malloc(len ? len : 1);
    assert_non_null(arg);
    ts_fill_random(arg, len, seed);
    ts_check_echo(m, arg, len, timeout_ms, timeout_ms);
    free(arg);
}

static void put_le32_bytes(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
}

void ts_check_pattern(omv_rpc_master *m, size_t len, uint32_t timeout_ms)
{
    uint8_t arg[4];
    put_le32_bytes(arg, (uint32_t)len);
    const uint8_t *res = NULL;
    size_t res_len = 0;
    assert_int_equal(
        omv_rpc_master_call(m, "pattern", arg, 4, &res, &res_len, timeout_ms, timeout_ms),
        OMV_RPC_OK);
    assert_int_equal(res_len, len);
    uint8_t *want = malloc(len ? len : 1);
    assert_non_null(want);
    ts_pattern(want, len);
    if (len) {
        assert_memory_equal(res, want, len);
    }
    free(want);
}

void ts_check_unknown_function(omv_rpc_master *m)
{
    /* Start from a non-empty result so that "empty" is really reported. */
    const uint8_t *res = (const uint8_t *)"x";
    size_t res_len = 99;
    assert_int_equal(
        omv_rpc_master_call(m, "no_such_function", "abc", 3, &res, &res_len, 1000, 1000),
        OMV_RPC_OK);
    assert_int_equal(res_len, 0);
}

void ts_rig_check_call_sizes(ts_rig *r, const size_t *sizes, size_t count)
{
    ts_slave_thread_start(&r->thread, r->slave);
    for (size_t i = 0; i < count; i++) {
        ts_check_echo_random(r->master, sizes[i], (uint32_t)i, 1000);
        ts_check_pattern(r->master, sizes[i], 1000);
    }
    assert_int_equal(ts_slave_thread_stop(&r->thread), OMV_RPC_ERR_STOPPED);
    assert_int_equal(omv_rpc_slave_calls_served(r->slave), 2 * count);
}

void ts_spread_sizes(size_t *sizes, size_t from, size_t to, uint32_t seed, unsigned log2_limit)
{
    for (size_t i = from; i < to; i++) {
        size_t magnitude = (size_t)1 << (ts_rand(&seed) % log2_limit);
        sizes[i] = magnitude + ts_rand(&seed) % magnitude;
    }
}

/* Runs after the call's result has gone out: the raw bytes follow it. */
static void put_raw(omv_rpc_slave *s, void *user)
{
    size_t n = *(size_t *)user;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf) {
        ts_pattern(buf, n);
        omv_rpc_put_bytes(omv_rpc_slave_link(s), buf, n, 1000);
    }
    free(buf);
}

/* "cut_through": the argument is the size to send raw after the result. */
static void cb_cut_through(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    if (len == 4) {
        *(size_t *)user = (size_t)arg[0] | ((size_t)arg[1] << 8) | ((size_t)arg[2] << 16) |
                          ((size_t)arg[3] << 24);
        omv_rpc_slave_schedule_callback(s, put_raw, user);
    }
}

/* Call for n raw bytes and read and check them right after the result. */
static void check_cut_through(omv_rpc_master *m, size_t n)
{
    uint8_t arg[4];
    put_le32_bytes(arg, (uint32_t)n);
    assert_int_equal(omv_rpc_master_call(m, "cut_through", arg, 4, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    uint8_t *got = malloc(n ? n : 1), *want = malloc(n ? n : 1);
    assert_non_null(got);
    assert_non_null(want);
    ts_pattern(want, n);
    assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(m), got, n, 1000), OMV_RPC_OK);
    assert_memory_equal(got, want, n);
    free(got);
    free(want);
}

void ts_rig_check_cut_through(ts_rig *r, const size_t *sizes, size_t count)
{
    /* The size travels to the scheduled write in the rig, which outlives
     * every call the test makes. */
    assert_int_equal(omv_rpc_slave_register_callback(r->slave, "cut_through", cb_cut_through,
                                                     &r->cut_through_len),
                     OMV_RPC_OK);
    ts_slave_thread_start(&r->thread, r->slave);
    for (size_t i = 0; i < count; i++) {
        check_cut_through(r->master, sizes[i]);
        ts_check_echo(r->master, "ok", 2, 1000, 1000);
    }
}
