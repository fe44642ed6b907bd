/* The cross-check of bench_openmv.c: the same small calls against our own
 * slave in its OpenMV camera timing (omv_rpc_slave_set_timing), with the
 * same gc.collect() pause (its attempt callback) and callback times, and
 * the same baseline (callback + 4 raw round trips on the same link). If
 * the two rows differ much, one of the two camera-timed slaves is not
 * the camera. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"
#include "bench_raw.h"

#define OWN_GC_US 100u /* as bench_openmv.c's OPENMV_GC_US */
#define OWN_TARGET 1.3

static uint32_t g_callback_us;

static void pause_us(uint32_t us)
{
    const double until = bench_now_s() + us * 1e-6;
    /* The time left is read once per sleep: read twice, it could turn
     * negative in between, which nanosleep refuses (bench_sleep_s would
     * then retry for ever). */
    for (double left = us * 1e-6; left > 0; left = until - bench_now_s()) {
        bench_sleep_s(left);
    }
}

/* The slave's answer: its argument reversed, after the callback time. */
static void reverse(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    pause_us(g_callback_us);
    uint8_t *out = omv_rpc_slave_reply_buffer(s, len);
    for (size_t i = 0; out && i < len; i++) {
        out[i] = arg[len - 1 - i];
    }
}

static void gc_pause(omv_rpc_slave *s, void *user)
{
    (void)s;
    (void)user;
    pause_us(OWN_GC_US);
}

static void *serve(void *arg)
{
    bench_exact_sleeps(); /* the model's pauses (OWN_GC_US, the callback) as stated */
    omv_rpc_slave_clear_stop(arg);
    omv_rpc_slave_loop(arg, 1000, 1000);
    return NULL;
}

static size_t calls_for(uint32_t callback_ms, int quick)
{
    size_t n = callback_ms == 0 ? 400 : callback_ms <= 1 ? 200 : callback_ms <= 10 ? 60 : 20;
    return quick ? n / 10 + 2 : n;
}

/* One row: `n` calls at `callback_ms`, the slave served on a thread. */
static int one_row(const char *link, omv_rpc_master *m, omv_rpc_slave *s, uint32_t callback_ms,
                   size_t n, double rtt, bench_results *r)
{
    g_callback_us = callback_ms * 1000u;
    pthread_t th;
    if (pthread_create(&th, NULL, serve, s) != 0) {
        return -1;
    }
    bench_progress("%s: small calls against our own slave in OpenMV camera timing, callback %u ms",
                   link, (unsigned)callback_ms);
    double *t = calloc(n, sizeof *t);
    uint32_t retries0 = omv_rpc_master_retries(m), refused0 = omv_rpc_slave_packets_refused(s);
    size_t wrong = 0, failed = 0;
    for (size_t i = 0; i < n && t; i++) {
        uint8_t arg[4] = {(uint8_t)i, (uint8_t)(i >> 8), 0x5A, 0xC3}, want[4];
        for (int j = 0; j < 4; j++) {
            want[j] = arg[3 - j];
        }
        const uint8_t *res;
        size_t len;
        double t0 = bench_now_s();
        omv_rpc_status cs = omv_rpc_master_call(m, "f", arg, 4, &res, &len, 1000, 1000);
        t[i] = bench_now_s() - t0;
        if (cs != OMV_RPC_OK) {
            failed++;
        } else if (len != 4 || memcmp(res, want, 4) != 0) {
            wrong++;
        }
    }
    omv_rpc_slave_stop(s);
    pthread_join(th, NULL);
    if (!t) {
        return -1;
    }
    double med = bench_median(t, n);
    free(t);
    char metric[64], note[200];
    snprintf(metric, sizeof metric, "own OpenMV-timed, callback %u ms, median",
             (unsigned)callback_ms);
    snprintf(note, sizeof note,
             "%zu calls, %zu failed, %zu wrong; retries/call %.2f, slave refused %u packets; "
             "our slave with OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA; gc pause %u us",
             n, failed, wrong, (double)(omv_rpc_master_retries(m) - retries0) / (double)n,
             (unsigned)(omv_rpc_slave_packets_refused(s) - refused0), (unsigned)OWN_GC_US);
    bench_add(r, link, metric, "ms", med * 1e3, callback_ms + 4 * rtt * 1e3, BENCH_LOWER,
              OWN_TARGET, note);
    if (failed || wrong) {
        r->failures++;
        return -1;
    }
    return 0;
}

int bench_run_openmv_own(const bench_plan *p, bench_results *r)
{
    const char *link = p->kind == BENCH_NET ? "udp" : p->name;
    bench_link_pair lp;
    omv_rpc_status st = bench_link_open(&lp, p->kind, p->baud, &p->log);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "bench: %s: own camera-timed slave: opening the link: %s\n", link,
                omv_rpc_status_name(st));
        r->failures++;
        return -1;
    }
    double rtt = 0, rtt_p99 = 0;
    st = bench_raw_rtt(&lp.master, &lp.slave, p->quick ? 50 : 400, &rtt, &rtt_p99);
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.log = p->log;
    omv_rpc_master *m = NULL;
    omv_rpc_slave *s = NULL;
    if (st == OMV_RPC_OK) {
        st = omv_rpc_slave_new(&s, &lp.slave, &cfg);
    } else {
        omv_rpc_link_close(&lp.slave);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_master_new(&m, &lp.master, &cfg);
    } else {
        omv_rpc_link_close(&lp.master);
    }
    bench_link_close_relay(&lp);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_slave_set_timing(s, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_slave_register_callback(s, "f", reverse, NULL);
    }
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "bench: %s: own camera-timed slave: %s\n", link, omv_rpc_status_name(st));
        omv_rpc_master_free(m);
        omv_rpc_slave_free(s);
        r->failures++;
        return -1;
    }
    omv_rpc_slave_set_attempt_callback(s, gc_pause, NULL);
    static const uint32_t callback_ms[] = {0, 1, 10, 50};
    int rc = 0;
    for (size_t k = 0; k < sizeof callback_ms / sizeof callback_ms[0] && rc == 0; k++) {
        rc = one_row(link, m, s, callback_ms[k], calls_for(callback_ms[k], p->quick), rtt, r);
    }
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
    return rc;
}
