/* Issue 16: our master against a slave with OpenMV's camera timing
 * (peers/openmv_slave.c) on a pseudo-terminal, as a camera's USB virtual
 * COM port, and on loopback UDP, as a camera on the network (its short
 * timeouts scaled by 10; each packet a datagram, so that a poll that
 * crossed an answer leaves a duplicate answer of its own, which the
 * master must skip, and results of 4 bytes are as long as their header):
 * every call succeeds with the right result and one callback,
 * at callback times of 0, 1 and 10 ms, and when the camera stalls for a
 * moment after taking the command header (our next poll then reaches it
 * in place of the data: a retry, but never a second callback) or after
 * taking the data request (the result data then comes after our master
 * has given up on it and asked again: it must still be taken). No timing
 * is asserted. The same calls against our own slave in its OpenMV camera
 * timing (omv_rpc_slave_set_timing) at the same callback times: the two
 * camera-timed slaves must look alike to our master. Arguments:
 * `calls=N` (default 60 per case). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peers.h"
#include "pty_pair.h"
#include "test_net_support.h"
#include "test_support.h"

static int g_calls = 60;

#define MAX_ARG 64u

static uint8_t g_result[MAX_ARG];

/* The camera's callback: its argument reversed. */
static void reverse(void *user, omvrpc_peer_call *call)
{
    (void)user;
    for (size_t i = 0; i < call->arg_len; i++) {
        g_result[i] = call->arg[call->arg_len - 1 - i];
    }
    call->result = g_result;
    call->result_len = call->arg_len;
}

static void *serve(void *arg)
{
    omvrpc_openmv_slave_run(arg);
    return NULL;
}

enum { ON_PTY, ON_UDP };

/* Master and slave links on a pseudo-terminal or on loopback UDP (a
 * master on 127.0.0.1, the camera on 127.0.0.2). */
static void open_links(int on, omv_rpc_link *ml, omv_rpc_link *sl)
{
    if (on == ON_UDP) {
        uint16_t port = tn_free_port();
        assert_int_equal(omv_rpc_net_master_open(ml, TN_SLAVE_IP, TN_MASTER_IP, port, NULL),
                         OMV_RPC_OK);
        assert_int_equal(omv_rpc_net_slave_open(sl, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
        return;
    }
    pty_pair pty;
    pty_pair_open(&pty);
    assert_int_equal(omv_rpc_serial_open(ml, pty.path, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_serial_open_fd(sl, pty_pair_take_controller(&pty), "ptmx", 0, NULL),
                     OMV_RPC_OK);
}

/* `calls` calls of 0..MAX_ARG bytes against the camera-timed slave with
 * the given callback time and stalls. */
static void run_case(int on, uint32_t callback_us, uint32_t stall_every, uint32_t stall_us,
                     int once, int result_only)
{
    omv_rpc_link ml, sl;
    open_links(on, &ml, &sl);
    omvrpc_peer slave;
    assert_int_equal(omvrpc_peer_init(&slave, &sl, MAX_ARG), OMV_RPC_OK);
    slave.fn = reverse;
    slave.gc_us = 100;
    slave.callback_us = callback_us;
    slave.stall_every = stall_every;
    slave.stall_us = stall_us;
    slave.stall_once = once;
    slave.stall_result_only = result_only;
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &ml, NULL), OMV_RPC_OK);
    ts_thread th;
    ts_thread_start(&th, serve, &slave);

    uint32_t rng = 5;
    int failed = 0, wrong = 0;
    uint8_t arg[MAX_ARG], want[MAX_ARG];
    for (int i = 0; i < g_calls; i++) {
        size_t len = ts_rand(&rng) % (MAX_ARG + 1);
        ts_fill_random(arg, len, (uint32_t)i + 1);
        for (size_t k = 0; k < len; k++) {
            want[k] = arg[len - 1 - k];
        }
        const uint8_t *res = NULL;
        size_t res_len = 0;
        omv_rpc_status st = omv_rpc_master_call(m, "f", arg, len, &res, &res_len, 1000, 1000);
        if (st != OMV_RPC_OK) {
            printf("call %d (%zu bytes): %s\n", i, len, omv_rpc_status_name(st));
            failed++;
        } else if (res_len != len || (len && memcmp(res, want, len) != 0)) {
            wrong++;
        }
    }
    omvrpc_peer_stop(&slave);
    ts_thread_join(&th);
    printf("%s: callback %u us, stall %u us every %u calls%s: %d calls, %d failed, %d wrong, "
           "%u callbacks, %u master retries, %u bad packets at the slave\n",
           on == ON_UDP ? "udp" : "pty", (unsigned)callback_us, (unsigned)stall_us,
           (unsigned)stall_every,
           result_only ? " (after the data request only)"
           : once      ? " (first attempts)"
                       : "",
           g_calls, failed, wrong, (unsigned)slave.stats.calls, (unsigned)omv_rpc_master_retries(m),
           (unsigned)slave.stats.bad_packets);
    fflush(stdout);
    assert_int_equal(failed, 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(slave.stats.calls, (uint32_t)g_calls);
    omv_rpc_master_free(m);
    omvrpc_peer_free(&slave);
}

static void test_callback_0_ms(void **state)
{
    (void)state;
    run_case(ON_PTY, 0, 0, 0, 0, 0);
}

static void test_callback_1_ms(void **state)
{
    (void)state;
    run_case(ON_PTY, 1000, 0, 0, 0, 0);
}

static void test_callback_10_ms(void **state)
{
    (void)state;
    run_case(ON_PTY, 10000, 0, 0, 0, 0);
}

/* 30 ms: longer than any wait of our master for an ack or for the result
 * data to start (20 ms), shorter than its phases. A hiccup (the phase's first
 * attempt), and a camera that is that slow in every attempt of a call. */
static void test_camera_hiccups(void **state)
{
    (void)state;
    run_case(ON_PTY, 0, 3, 30000, 1, 0);
}

static void test_camera_slow_turnaround(void **state)
{
    (void)state;
    run_case(ON_PTY, 0, 4, 30000, 0, 0);
}

/* The same on UDP. A stall there is longer than our master's rhythm of
 * polls (a few ms), so the polls queue up behind the stalled camera's
 * answer: the camera reads one where it awaits the next packet, and the
 * attempt is retried, never run twice. */
static void test_udp_callback_0_ms(void **state)
{
    (void)state;
    run_case(ON_UDP, 0, 0, 0, 0, 0);
}

static void test_udp_callback_1_ms(void **state)
{
    (void)state;
    run_case(ON_UDP, 1000, 0, 0, 0, 0);
}

static void test_udp_callback_10_ms(void **state)
{
    (void)state;
    run_case(ON_UDP, 10000, 0, 0, 0, 0);
}

static void test_udp_camera_hiccups(void **state)
{
    (void)state;
    run_case(ON_UDP, 0, 3, 30000, 1, 0);
}

static void test_udp_camera_slow_turnaround(void **state)
{
    (void)state;
    run_case(ON_UDP, 0, 4, 30000, 0, 0);
}

/* A result delayed 30 ms on its way (a network's hiccup) while our master
 * polls fast: at callback 0 the header answers a poll, so the master
 * waits only a short while for the data and then asks again. A datagram
 * of the data's length is not a header, so the data that comes then is
 * not taken, and the camera, done with the call, never answers again:
 * the call failed with RECV_TIMEOUT (every stall call once fast polls
 * were on). After polls on UDP the data's wait is the camera's own,
 * scaled, so the delayed data is taken. */
static void test_udp_result_delayed(void **state)
{
    (void)state;
    run_case(ON_UDP, 0, 3, 30000, 1, 1);
}

/* ------------------------------ our own slave with the camera's timing */

static uint32_t g_own_callback_us;
static uint32_t g_own_callbacks;

static void sleep_us(uint32_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

static void own_reverse(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    g_own_callbacks++;
    sleep_us(g_own_callback_us);
    uint8_t *out = omv_rpc_slave_reply_buffer(s, len);
    for (size_t i = 0; out && i < len; i++) {
        out[i] = arg[len - 1 - i];
    }
}

/* The camera's gc.collect() before each attempt, as the peer's gc_us. */
static void own_gc(omv_rpc_slave *s, void *user)
{
    (void)s;
    (void)user;
    sleep_us(100);
}

static void run_own_case(uint32_t callback_us)
{
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_link ml, sl;
    assert_int_equal(omv_rpc_serial_open(&ml, pty.path, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_serial_open_fd(&sl, pty_pair_take_controller(&pty), "ptmx", 0, NULL),
                     OMV_RPC_OK);
    omv_rpc_slave *s;
    omv_rpc_master *m;
    omv_rpc_config scfg = ts_logged_config();
    assert_int_equal(omv_rpc_slave_new(&s, &sl, &scfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_set_timing(s, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA), OMV_RPC_OK);
    omv_rpc_slave_set_attempt_callback(s, own_gc, NULL);
    assert_int_equal(omv_rpc_slave_register_callback(s, "f", own_reverse, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&m, &ml, NULL), OMV_RPC_OK);
    g_own_callback_us = callback_us;
    g_own_callbacks = 0;
    ts_slave_thread th = {0};
    ts_slave_thread_start(&th, s);

    uint32_t rng = 5;
    int failed = 0, wrong = 0;
    uint8_t arg[MAX_ARG], want[MAX_ARG];
    for (int i = 0; i < g_calls; i++) {
        size_t len = ts_rand(&rng) % (MAX_ARG + 1);
        ts_fill_random(arg, len, (uint32_t)i + 1);
        for (size_t k = 0; k < len; k++) {
            want[k] = arg[len - 1 - k];
        }
        const uint8_t *res = NULL;
        size_t res_len = 0;
        omv_rpc_status st = omv_rpc_master_call(m, "f", arg, len, &res, &res_len, 1000, 1000);
        if (st != OMV_RPC_OK) {
            printf("call %d (%zu bytes): %s\n", i, len, omv_rpc_status_name(st));
            failed++;
        } else if (res_len != len || (len && memcmp(res, want, len) != 0)) {
            wrong++;
        }
    }
    ts_slave_thread_stop(&th);
    printf("our slave, camera timing, callback %u us: %d calls, %d failed, %d wrong, "
           "%u callbacks, %u master retries, %u packets refused by the slave\n",
           (unsigned)callback_us, g_calls, failed, wrong, (unsigned)g_own_callbacks,
           (unsigned)omv_rpc_master_retries(m), (unsigned)omv_rpc_slave_packets_refused(s));
    fflush(stdout);
    assert_int_equal(failed, 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(g_own_callbacks, (uint32_t)g_calls);
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
}

static void test_own_camera_slave_callback_0_ms(void **state)
{
    (void)state;
    run_own_case(0);
}

static void test_own_camera_slave_callback_1_ms(void **state)
{
    (void)state;
    run_own_case(1000);
}

static void test_own_camera_slave_callback_10_ms(void **state)
{
    (void)state;
    run_own_case(10000);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "calls=", 6) == 0) {
            g_calls = atoi(argv[i] + 6);
        }
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback_0_ms),
        cmocka_unit_test(test_callback_1_ms),
        cmocka_unit_test(test_callback_10_ms),
        cmocka_unit_test(test_camera_hiccups),
        cmocka_unit_test(test_camera_slow_turnaround),
        cmocka_unit_test(test_udp_callback_0_ms),
        cmocka_unit_test(test_udp_callback_1_ms),
        cmocka_unit_test(test_udp_callback_10_ms),
        cmocka_unit_test(test_udp_camera_hiccups),
        cmocka_unit_test(test_udp_camera_slow_turnaround),
        cmocka_unit_test(test_udp_result_delayed),
        cmocka_unit_test(test_own_camera_slave_callback_0_ms),
        cmocka_unit_test(test_own_camera_slave_callback_1_ms),
        cmocka_unit_test(test_own_camera_slave_callback_10_ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
