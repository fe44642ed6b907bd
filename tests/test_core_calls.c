/* Calls between our master and our slave over the in-process pair: sizes
 * from 0 bytes to several MiB, unknown functions, caller buffers, limits,
 * cut-through, and a slave that stops and comes back. */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "call_checks.h"
#include "endpoint.h"
#include "rig.h"
#include "test_support.h"

static void test_random_sizes(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    /* Around the small-packet path (60 bytes), and sizes spread over every
     * order of magnitude below 4 MiB, then 6 MiB. */
    size_t sizes[30] = {0, 1, 59, 60, 61, 6u * 1024 * 1024};
    ts_spread_sizes(sizes, 6, 30, 42, 22);
    ts_rig_check_call_sizes(&r, sizes, 30);
    ts_rig_close(&r);
}

static void test_unknown_and_empty(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    ts_slave_thread_start(&r.thread, r.slave);
    ts_check_unknown_function(r.master);
    assert_int_equal(omv_rpc_master_call(r.master, "nothing", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    /* Bad arguments are refused without touching the link. */
    assert_int_equal(omv_rpc_master_call(r.master, NULL, NULL, 0, NULL, NULL, 10, 10),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_master_call(r.master, "echo", NULL, 5, NULL, NULL, 10, 10),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_master_call(NULL, "echo", NULL, 0, NULL, NULL, 10, 10),
                     OMV_RPC_ERR_INVALID_ARG);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

static void test_call_into(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    ts_slave_thread_start(&r.thread, r.slave);
    uint8_t buf[100], arg[4];
    size_t len = 0;
    put_le32(arg, 100);
    assert_int_equal(
        omv_rpc_master_call_into(r.master, "pattern", arg, 4, buf, sizeof buf, &len, 1000, 1000),
        OMV_RPC_OK);
    assert_int_equal(len, 100);
    uint8_t want[100];
    ts_pattern(want, 100);
    assert_memory_equal(buf, want, 100);
    /* One byte too many for the caller's buffer: refused, size reported. */
    put_le32(arg, 101);
    assert_int_equal(
        omv_rpc_master_call_into(r.master, "pattern", arg, 4, buf, sizeof buf, &len, 1000, 200),
        OMV_RPC_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 101);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

static void test_limits(void **state)
{
    (void)state;
    omv_rpc_config mcfg = {0}, scfg = {0};
    mcfg.max_payload = 1000;
    scfg.max_payload = 2000;
    ts_rig r;
    ts_rig_open_pair(&r, &mcfg, &scfg);
    ts_slave_thread_start(&r.thread, r.slave);
    uint8_t big[3000] = {0}, arg[4];
    /* Argument over our own limit: refused before anything is sent. */
    assert_int_equal(omv_rpc_master_call(r.master, "echo", big, 1001, NULL, NULL, 100, 100),
                     OMV_RPC_ERR_TOO_LARGE);
    /* Result over our limit: refused from its header. */
    put_le32(arg, 1500);
    assert_int_equal(omv_rpc_master_call(r.master, "pattern", arg, 4, NULL, NULL, 1000, 1000),
                     OMV_RPC_ERR_TOO_LARGE);
    /* The slave refuses an argument over its limit: the command is never
     * taken, so the master's phase 1 times out. */
    mcfg.max_payload = 0;
    omv_rpc_master *m2;
    omv_rpc_link a2, b2;
    assert_int_equal(omv_rpc_pair_open(&a2, &b2, 0), OMV_RPC_OK);
    omv_rpc_link_close(&b2);
    assert_int_equal(omv_rpc_master_new(&m2, &a2, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_call(m2, "echo", big, 10, NULL, NULL, 50, 50),
                     OMV_RPC_ERR_CLOSED);
    omv_rpc_master_free(m2);
    /* And the pair still works after the refusals. */
    assert_int_equal(omv_rpc_master_call(r.master, "echo", big, 1000, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

static void test_slave_refuses_large_argument(void **state)
{
    (void)state;
    omv_rpc_config scfg = {0};
    scfg.max_payload = 2000;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, &scfg);
    ts_slave_thread_start(&r.thread, r.slave);
    static uint8_t big[3000];
    assert_int_equal(omv_rpc_master_call(r.master, "echo", big, 2001, NULL, NULL, 200, 200),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    assert_true(omv_rpc_slave_packets_refused(r.slave) > 0);
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(r.master, "echo", big, 2000, &res, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 2000);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

/* Cut-through: the slave's scheduled callback writes raw bytes. */
static void test_cut_through(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    const size_t sizes[] = {1, 1000, 65536, 3u * 1024 * 1024 + 17};
    ts_rig_check_cut_through(&r, sizes, sizeof sizes / sizeof sizes[0]);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

/* The master times out while no slave serves, then succeeds again. */
static void test_timeouts_then_success(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "a", 1, NULL, NULL, 100, 100),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    assert_true(omv_rpc_master_retries(r.master) > 0);
    /* Phase 2 timeout: the slave takes the command, then is gone. */
    assert_int_equal(omv_rpc_slave_loop_once(r.slave, 0, 0), OMV_RPC_ERR_TIMEOUT);
    ts_slave_thread_start(&r.thread, r.slave);
    for (int i = 0; i < 3; i++) {
        ts_check_echo(r.master, "back", 4, 1000, 1000);
    }
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

/* A slave that is freed and replaced mid-session on the same link end is
 * modelled by stopping its loop and starting a fresh slave thread. */
static void test_slave_restart(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
    omv_rpc_slave *s;
    assert_int_equal(omv_rpc_slave_new(&s, &b, NULL), OMV_RPC_OK);
    ts_register_standard_callbacks(s);
    for (int round = 0; round < 3; round++) {
        ts_slave_thread t = {0};
        omv_rpc_slave_clear_stop(s);
        ts_slave_thread_start(&t, s);
        assert_int_equal(omv_rpc_master_call(m, "echo", "hi", 2, NULL, NULL, 1000, 1000),
                         OMV_RPC_OK);
        ts_slave_thread_stop(&t);
        assert_int_equal(omv_rpc_master_call(m, "echo", "hi", 2, NULL, NULL, 60, 60),
                         OMV_RPC_ERR_SEND_TIMEOUT);
    }
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
}

/* The loop callback runs on every pass; stop() from a callback ends the
 * loop. */
static void loop_cb(omv_rpc_slave *s, void *user)
{
    int *n = user;
    if (++*n == 3) {
        omv_rpc_slave_stop(s);
    }
}

static void test_loop_callback_and_stop(void **state)
{
    (void)state;
    ts_rig r;
    int passes = 0;
    ts_rig_open_pair(&r, NULL, NULL);
    omv_rpc_slave_setup_loop_callback(r.slave, loop_cb, &passes);
    assert_int_equal(omv_rpc_slave_loop(r.slave, 10, 10), OMV_RPC_ERR_STOPPED);
    assert_int_equal(passes, 3);
    assert_int_equal(omv_rpc_slave_loop_once(r.slave, 10, 10), OMV_RPC_ERR_STOPPED);
    omv_rpc_slave_clear_stop(r.slave);
    omv_rpc_slave_setup_loop_callback(r.slave, NULL, NULL);
    assert_int_equal(omv_rpc_slave_loop_once(r.slave, 10, 10), OMV_RPC_ERR_TIMEOUT);
    ts_rig_close(&r);
}

static void cb_upper(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    uint8_t *out = omv_rpc_slave_reply_buffer(s, len);
    for (size_t i = 0; out && i < len; i++) {
        out[i] = (uint8_t)(arg[i] >= 'a' && arg[i] <= 'z' ? arg[i] - 32 : arg[i]);
    }
}

static void test_register_replace_and_full(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    /* Registering "echo" again replaces it (the later registration wins). */
    assert_int_equal(omv_rpc_slave_register_callback(r.slave, "echo", cb_upper, NULL), OMV_RPC_OK);
    char name[32];
    size_t registered = 3; /* the standard callbacks */
    for (int i = 0; registered < OMV_RPC_SLAVE_MAX_CALLBACKS; i++, registered++) {
        snprintf(name, sizeof name, "f%d", i);
        assert_int_equal(omv_rpc_slave_register_callback(r.slave, name, cb_upper, NULL),
                         OMV_RPC_OK);
    }
    assert_int_equal(omv_rpc_slave_register_callback(r.slave, "one_too_many", cb_upper, NULL),
                     OMV_RPC_ERR_FULL);
    assert_int_equal(omv_rpc_slave_register_callback(r.slave, "x", NULL, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_slave_unregister_callback(r.slave, "f0");
    assert_int_equal(omv_rpc_slave_register_callback(r.slave, "one_too_many", cb_upper, NULL),
                     OMV_RPC_OK);
    ts_slave_thread_start(&r.thread, r.slave);
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "abc", 3, &res, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(res, "ABC", 3);
    /* Unregistered: now an unknown function, so an empty result. */
    assert_int_equal(omv_rpc_master_call(r.master, "f0", "abc", 3, &res, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 0);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_unknown_and_empty),
        cmocka_unit_test(test_call_into),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_slave_refuses_large_argument),
        cmocka_unit_test(test_cut_through),
        cmocka_unit_test(test_timeouts_then_success),
        cmocka_unit_test(test_slave_restart),
        cmocka_unit_test(test_loop_callback_and_stop),
        cmocka_unit_test(test_register_replace_and_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
