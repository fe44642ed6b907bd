/* Small calls against a slave with OpenMV's camera timing (issue 16):
 * peers/openmv_slave.c on the slave end of a link, at callback times of
 * 0, 1, 10 and 50 ms. Baseline: the callback time plus 4 raw round trips
 * (a call is four exchanges) measured on the same link in the same run. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"
#include "bench_raw.h"
#include "peers.h"

#define OPENMV_GC_US 100u /* the camera's gc.collect() before each attempt */
#define OPENMV_TARGET 1.3

static void *serve(void *arg)
{
    omvrpc_openmv_slave_run(arg);
    return NULL;
}

/* The slave's answer: its argument reversed, so a wrong result shows. */
static uint8_t answer[8];
static void reverse(void *user, omvrpc_peer_call *call)
{
    (void)user;
    size_t n = call->arg_len < sizeof answer ? call->arg_len : sizeof answer;
    for (size_t i = 0; i < n; i++) {
        answer[i] = call->arg[n - 1 - i];
    }
    call->result = answer;
    call->result_len = n;
}

static size_t calls_for(uint32_t callback_ms, int quick)
{
    size_t n = callback_ms == 0 ? 400 : callback_ms <= 1 ? 200 : callback_ms <= 10 ? 60 : 20;
    return quick ? n / 10 + 2 : n;
}

/* OpenMV's desktop master against the same slave: a row of our median
 * against its median, which ours must beat (issue 16). */
static int compare_desktop(const bench_plan *p, bench_results *r, const char *link,
                           const omvrpc_peer *slave, uint32_t callback_ms, size_t n, double ours)
{
    bench_progress("%s: OpenMV's desktop master against an OpenMV-timed slave, callback %u ms",
                   link, (unsigned)callback_ms);
    double theirs = 0;
    size_t calls = 0, failed = 0, wrong = 0;
    if (bench_desktop_master(p->openmv_rpc, p->kind, slave, n, &theirs, &calls, &failed, &wrong) !=
            0 ||
        calls == 0) {
        fprintf(stderr, "bench: %s: OpenMV's desktop master (%s) did not run\n", link,
                p->openmv_rpc);
        r->failures++;
        return -1;
    }
    char metric[64], note[200];
    snprintf(metric, sizeof metric, "OpenMV slave, callback %u ms, vs OpenMV master",
             (unsigned)callback_ms);
    snprintf(note, sizeof note,
             "our median against OpenMV's desktop rpc.py master's (%zu calls, %zu failed, "
             "%zu wrong), same slave, new link",
             calls, failed, wrong);
    bench_add(r, link, metric, "ms", ours * 1e3, theirs, BENCH_LOWER, 1.0, note);
    return 0;
}

int bench_run_openmv(const bench_plan *p, bench_results *r)
{
    const char *link = p->kind == BENCH_NET ? "udp" : p->name;
    bench_link_pair lp;
    omv_rpc_status st = bench_link_open(&lp, p->kind, p->baud, &p->log);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "bench: %s: OpenMV slave: opening the link: %s\n", link,
                omv_rpc_status_name(st));
        r->failures++;
        return -1;
    }
    double rtt = 0, rtt_p99 = 0;
    st = bench_raw_rtt(&lp.master, &lp.slave, p->quick ? 50 : 400, &rtt, &rtt_p99);
    omvrpc_peer slave;
    omv_rpc_master *m = NULL;
    if (st == OMV_RPC_OK) {
        st = omvrpc_peer_init(&slave, &lp.slave, 64);
    } else {
        omv_rpc_link_close(&lp.slave);
    }
    if (st == OMV_RPC_OK) {
        omv_rpc_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.log = p->log;
        st = omv_rpc_master_new(&m, &lp.master, &cfg);
        if (st != OMV_RPC_OK) {
            omvrpc_peer_free(&slave);
        }
    } else {
        omv_rpc_link_close(&lp.master);
    }
    bench_link_close_relay(&lp);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "bench: %s: OpenMV slave: %s\n", link, omv_rpc_status_name(st));
        r->failures++;
        return -1;
    }
    slave.fn = reverse;
    slave.gc_us = OPENMV_GC_US;
    static const uint32_t callback_ms[] = {0, 1, 10, 50};
    int rc = 0;
    for (size_t k = 0; k < sizeof callback_ms / sizeof callback_ms[0] && rc == 0; k++) {
        slave.callback_us = callback_ms[k] * 1000u;
        pthread_t th;
        atomic_store(&slave.stop, 0);
        if (pthread_create(&th, NULL, serve, &slave) != 0) {
            rc = -1;
            break;
        }
        bench_progress("%s: small calls against an OpenMV-timed slave, callback %u ms", link,
                       (unsigned)callback_ms[k]);
        const size_t n = calls_for(callback_ms[k], p->quick);
        double *t = calloc(n, sizeof *t);
        uint32_t retries0 = omv_rpc_master_retries(m), bad0 = slave.stats.bad_packets;
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
        omvrpc_peer_stop(&slave);
        pthread_join(th, NULL);
        if (!t) {
            rc = -1;
            break;
        }
        double med = bench_median(t, n);
        free(t);
        char metric[48], note[160];
        snprintf(metric, sizeof metric, "OpenMV slave, callback %u ms, median",
                 (unsigned)callback_ms[k]);
        snprintf(note, sizeof note,
                 "%zu calls, %zu failed, %zu wrong; retries/call %.2f, slave saw %u bad "
                 "packets; baseline: callback + 4 raw round trips; gc pause %u us",
                 n, failed, wrong, (double)(omv_rpc_master_retries(m) - retries0) / (double)n,
                 (unsigned)(slave.stats.bad_packets - bad0), (unsigned)OPENMV_GC_US);
        bench_add(r, link, metric, "ms", med * 1e3, callback_ms[k] + 4 * rtt * 1e3, BENCH_LOWER,
                  OPENMV_TARGET, note);
        if (failed || wrong) {
            r->failures++;
            rc = -1;
        }
        if (p->openmv_rpc && compare_desktop(p, r, link, &slave, callback_ms[k], n, med) != 0) {
            rc = -1;
        }
    }
    omv_rpc_master_free(m);
    omvrpc_peer_free(&slave);
    return rc;
}
