/* Soak: a master and a slave over an in-process pair, then over the
 * network link on loopback (UDP up to 1400 bytes, TCP above), whose two
 * ends flip bits, lose and repeat small packets, repeat bytes and send
 * late (support/fault_link.c, wrapping the real links), for thousands of
 * echo calls of random sizes with fresh random data each. Checked: no call ever returns a wrong result;
 * every failed call reports a documented timeout status; after each
 * failure, a call with the faults switched off succeeds (the two sides
 * are back in step). Bounded: stops after SOAK_CALLS calls or SOAK_SECONDS,
 * whichever comes first, and prints its figures. gcc builds only, not
 * under valgrind or the sanitizers (tests/soak.cmake). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call_checks.h"
#include "fault_link.h"
#include "rig.h"
#include "test_net_support.h"
#define FAULTS_PER_MILLE 15u
/* A lost or corrupted result data packet fails the call (the slave has
 * moved on; the protocol has no way back): such a failure costs the whole
 * receive timeout, so keep it short. */
#define CALL_TIMEOUT_MS 400u

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Mostly small arguments, some of tens of kilobytes. */
static size_t random_size(uint32_t *rng)
{
    uint32_t r = ts_rand(rng);
    if (r % 10u == 0) {
        return ts_rand(rng) % 100000u;
    }
    return ts_rand(rng) % 2048u;
}

static int documented_failure(omv_rpc_status st)
{
    return st == OMV_RPC_ERR_SEND_TIMEOUT || st == OMV_RPC_ERR_RECV_TIMEOUT;
}

/* Echo calls between a master on `a` and a slave on `b` (both wrapped in
 * fault links) until `max_calls` or `max_seconds`. */
static void soak(const char *name, omv_rpc_link a, omv_rpc_link b, uint32_t max_calls,
                 double max_seconds)
{
    fault_counts counts;
    memset(&counts, 0, sizeof counts);
    fault_link *fa = calloc(1, sizeof *fa), *fb = calloc(1, sizeof *fb);
    assert_true(fa && fb);
    omv_rpc_link fla = fault_link_wrap(fa, &a, 11, FAULTS_PER_MILLE, &counts, 1);
    omv_rpc_link flb = fault_link_wrap(fb, &b, 22, FAULTS_PER_MILLE, &counts, 1);
    ts_rig r;
    omv_rpc_config cfg = ts_logged_config(); /* OMV_RPC_TEST_LOG=1 shows the retries */
    ts_rig_open(&r, &fla, &cfg, &flb, &cfg);
    r.thread.send_timeout_ms = CALL_TIMEOUT_MS / 2;
    ts_slave_thread_start(&r.thread, r.slave);

    uint8_t *arg = malloc(100000);
    assert_non_null(arg);
    uint32_t rng = 2026, calls = 0, ok = 0, failed = 0, wrong = 0, undocumented = 0;
    uint32_t send_timeouts = 0, recv_timeouts = 0;
    uint64_t bytes = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (calls < max_calls && seconds_since(&t0) < max_seconds) {
        size_t len = random_size(&rng);
        ts_fill_random(arg, len, ts_rand(&rng));
        const uint8_t *res = NULL;
        size_t res_len = 0;
        omv_rpc_status st = omv_rpc_master_call(r.master, "echo", arg, len, &res, &res_len,
                                                CALL_TIMEOUT_MS, CALL_TIMEOUT_MS);
        calls++;
        if (st == OMV_RPC_OK) {
            if (res_len != len || (len && memcmp(res, arg, len) != 0)) {
                wrong++;
            } else {
                ok++;
                bytes += len;
            }
            continue;
        }
        failed++;
        send_timeouts += st == OMV_RPC_ERR_SEND_TIMEOUT;
        recv_timeouts += st == OMV_RPC_ERR_RECV_TIMEOUT;
        if (!documented_failure(st)) {
            undocumented++;
            print_message("soak (%s): call %u failed with %s\n", name, calls,
                          omv_rpc_status_name(st));
        }
        /* Recovery: with the faults off, the next call succeeds. */
        atomic_store(&fa->enabled, 0);
        atomic_store(&fb->enabled, 0);
        uint8_t probe[100];
        ts_fill_random(probe, sizeof probe, calls);
        st = omv_rpc_master_call(r.master, "echo", probe, sizeof probe, &res, &res_len, 3000, 3000);
        if (st != OMV_RPC_OK) {
            print_message("soak (%s): no recovery after call %u: %s (the slave's loop: %s)\n", name,
                          calls, omv_rpc_status_name(st), omv_rpc_status_name(r.thread.result));
        }
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(res_len, sizeof probe);
        assert_memory_equal(res, probe, sizeof probe);
        atomic_store(&fa->enabled, 1);
        atomic_store(&fb->enabled, 1);
    }
    double secs = seconds_since(&t0);
    printf("soak (%s): %u calls in %.1f s: %u right (%llu bytes echoed), %u failed (%u send "
           "timeouts, %u receive timeouts, each recovered), %u wrong, %u undocumented; "
           "%u master retries; faults: %u bit flips, %u packets lost, %u sent twice, "
           "%u bytes repeated, %u late\n",
           name, calls, secs, ok, (unsigned long long)bytes, failed, send_timeouts, recv_timeouts,
           wrong, undocumented, omv_rpc_master_retries(r.master), atomic_load(&counts.flips),
           atomic_load(&counts.drops), atomic_load(&counts.duplicates),
           atomic_load(&counts.repeats), atomic_load(&counts.delays));
    fflush(stdout);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
    free(arg);
    assert_int_equal(wrong, 0);
    assert_int_equal(undocumented, 0);
    assert_true(calls >= max_calls / 4); /* all of them on an idle machine */
    assert_true(ok > calls / 2);
    /* Every kind of fault was met. */
    assert_true(atomic_load(&counts.flips) > 0 && atomic_load(&counts.drops) > 0 &&
                atomic_load(&counts.duplicates) > 0 && atomic_load(&counts.repeats) > 0 &&
                atomic_load(&counts.delays) > 0);
}

static void test_soak_pair(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    soak("pair", a, b, 4000, 60.0);
}

static void test_soak_network(void **state)
{
    (void)state;
    uint16_t port = tn_free_port();
    omv_rpc_link a, b;
    omv_rpc_log log = {ts_log, NULL};
    assert_int_equal(omv_rpc_net_master_open(&a, TN_SLAVE_IP, TN_MASTER_IP, port, &log),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_net_slave_open(&b, TN_SLAVE_IP, port, NULL, 0, &log), OMV_RPC_OK);
    soak("network", a, b, 2000, 45.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soak_pair),
        cmocka_unit_test(test_soak_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
