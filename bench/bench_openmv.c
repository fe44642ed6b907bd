/* Small calls against a slave with OpenMV's camera timing (issue 16):
 * peers/openmv_slave.c on the slave end of a link, at callback times of
 * 0, 1, 10 and 50 ms. Baseline: the callback time plus 4 raw round trips
 * (a call is four exchanges) measured on the same link in the same run.
 * After our master, on the same link and slave: the ideal master
 * (bench_ideal.c), told by the slave when it listens, whose figure is the
 * floor any master can reach; our rows are also given as ratios to it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"
#include "bench_ideal.h"
#include "bench_raw.h"
#include "peers.h"

#define OPENMV_GC_US 100u /* the camera's gc.collect() before each attempt */
#define OPENMV_TARGET 1.3

static void *serve(void *arg)
{
    bench_exact_sleeps(); /* the model's pauses as it states them */
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

#define CALLBACK_TIMES 4
static const uint32_t callback_ms[CALLBACK_TIMES] = {0, 1, 10, 50};

/* What one master's calls at one callback time came to. */
typedef struct tally {
    size_t n, failed, wrong;
    double median;        /* seconds */
    uint32_t retries;     /* ours: omv_rpc_master_retries; the ideal master: its resends */
    uint32_t bad_packets; /* the slave saw, during these calls */
    uint32_t lapsed;      /* the ideal master: attempts of the slave that got no request */
} tally;

/* OpenMV's desktop master's calls at one callback time. */
typedef struct desktop {
    double median_ms;
    size_t calls, failed, wrong;
} desktop;

static void make_arg(size_t i, uint8_t arg[4], uint8_t want[4])
{
    arg[0] = (uint8_t)i;
    arg[1] = (uint8_t)(i >> 8);
    arg[2] = 0x5A;
    arg[3] = 0xC3;
    for (int j = 0; j < 4; j++) {
        want[j] = arg[3 - j];
    }
}

/* t->n calls by our master (ideal == NULL) or by the ideal master, the
 * slave served on a thread meanwhile. Returns 0, or -1 when they could
 * not run. */
static int timed_calls(omv_rpc_master *m, bench_ideal *ideal, omvrpc_peer *slave,
                       uint32_t callback_ms, tally *t)
{
    double *sec = calloc(t->n, sizeof *sec);
    pthread_t th;
    slave->callback_us = callback_ms * 1000u;
    atomic_store(&slave->stop, 0);
    if (ideal) {
        bench_ideal_forget(ideal);
    }
    if (!sec || pthread_create(&th, NULL, serve, slave) != 0) {
        free(sec);
        return -1;
    }
    uint32_t bad0 = slave->stats.bad_packets, lapsed0 = ideal ? ideal->lapsed : 0;
    uint32_t retries0 = ideal ? ideal->resends : omv_rpc_master_retries(m);
    const uint32_t command = omv_rpc_hash_str("f");
    for (size_t i = 0; i < t->n; i++) {
        uint8_t arg[4], want[4], got[8];
        make_arg(i, arg, want);
        const uint8_t *res = got;
        size_t len = 0;
        double t0 = bench_now_s();
        omv_rpc_status cs =
            ideal ? bench_ideal_call(ideal, command, arg, 4, got, sizeof got, &len, 1000)
                  : omv_rpc_master_call(m, "f", arg, 4, &res, &len, 1000, 1000);
        sec[i] = bench_now_s() - t0;
        if (cs != OMV_RPC_OK) {
            t->failed++;
        } else if (len != 4 || memcmp(res, want, 4) != 0) {
            t->wrong++;
        }
    }
    omvrpc_peer_stop(slave);
    pthread_join(th, NULL);
    t->retries = (ideal ? ideal->resends : omv_rpc_master_retries(m)) - retries0;
    t->bad_packets = slave->stats.bad_packets - bad0;
    /* Counted by the ideal master: the slave's own failed_attempts also
     * has the attempt that runs out when it is stopped. */
    t->lapsed = ideal ? ideal->lapsed - lapsed0 : 0;
    t->median = bench_median(sec, t->n);
    free(sec);
    return 0;
}

/* OpenMV's desktop master against a slave like ours (issue 16: ours
 * must beat it). Returns 0, or -1 when it could not run. */
static int run_desktop(const bench_plan *p, bench_results *r, const char *link,
                       const omvrpc_peer *slave, uint32_t callback_ms, size_t n, desktop *d)
{
    bench_progress("%s: OpenMV's desktop master against an OpenMV-timed slave, callback %u ms",
                   link, (unsigned)callback_ms);
    if (bench_desktop_master(p->openmv_rpc, p->kind, slave, n, &d->median_ms, &d->calls, &d->failed,
                             &d->wrong) != 0 ||
        d->calls == 0) {
        fprintf(stderr, "bench: %s: OpenMV's desktop master (%s) did not run\n", link,
                p->openmv_rpc);
        r->failures++;
        return -1;
    }
    return 0;
}

/* The rows of one callback time: our median; ours against OpenMV's
 * desktop master's (when it ran); the ideal master's; ours against it. */
static void add_rows(bench_results *r, const char *link, uint32_t callback_ms, double base_ms,
                     const tally *o, const desktop *d, const tally *id)
{
    char metric[64], ideal_metric[64], note[160];
    snprintf(metric, sizeof metric, "OpenMV slave, callback %u ms, median", (unsigned)callback_ms);
    snprintf(note, sizeof note,
             "%zu calls, %zu failed, %zu wrong; retries/call %.2f, slave saw %u bad "
             "packets; baseline: callback + 4 raw round trips; gc pause %u us",
             o->n, o->failed, o->wrong, (double)o->retries / (double)o->n, (unsigned)o->bad_packets,
             (unsigned)OPENMV_GC_US);
    bench_add(r, link, metric, "ms", o->median * 1e3, base_ms, BENCH_LOWER, OPENMV_TARGET, note);
    if (d) {
        snprintf(metric, sizeof metric, "OpenMV slave, callback %u ms, vs OpenMV master",
                 (unsigned)callback_ms);
        snprintf(note, sizeof note,
                 "our median against OpenMV's desktop rpc.py master's (%zu calls, %zu failed, "
                 "%zu wrong), same slave, new link",
                 d->calls, d->failed, d->wrong);
        bench_add(r, link, metric, "ms", o->median * 1e3, d->median_ms, BENCH_LOWER, 1.0, note);
    }
    if (id->n == 0) {
        return; /* the ideal master did not run */
    }
    snprintf(ideal_metric, sizeof ideal_metric,
             "ideal master (knows when the slave listens), callback %u ms", (unsigned)callback_ms);
    snprintf(note, sizeof note,
             "the floor: sends when the slave listens; %zu calls, %zu failed, %zu wrong; "
             "resends/call %.2f, slave saw %u bad packets, %u lapsed attempts",
             id->n, id->failed, id->wrong, (double)id->retries / (double)id->n,
             (unsigned)id->bad_packets, (unsigned)id->lapsed);
    bench_add(r, link, ideal_metric, "ms", id->median * 1e3, base_ms, BENCH_LOWER, -1, note);
    snprintf(metric, sizeof metric, "OpenMV slave, callback %u ms, ours / ideal master",
             (unsigned)callback_ms);
    bench_add(r, link, metric, "ms", o->median * 1e3, id->median * 1e3, BENCH_INFO, -1,
              "our median against the ideal master's: same slave and link, after all of ours");
    bench_set_baseline_row(r, ideal_metric);
}

/* Every callback time: first our master's calls (each followed by
 * OpenMV's desktop master's, on a link of its own), in the order they had
 * before the ideal master's rows existed, then the ideal master's calls,
 * then the rows. Our master keeps what it learns from call to call, so
 * nothing else runs between its rows. (Taken in turn with the ideal
 * master's, in rounds, ours came out at 4.3-4.5 ms at cb 1 on pty in two
 * runs; ours alone swings from 2.0 to 10.6 ms between runs on this
 * machine, so that proved nothing either way, and this order avoids the
 * question.) */
static int run_callback_times(const bench_plan *p, bench_results *r, const char *link,
                              omv_rpc_master *m, omvrpc_peer *slave, double rtt)
{
    tally ours[CALLBACK_TIMES], best[CALLBACK_TIMES];
    desktop theirs[CALLBACK_TIMES];
    memset(ours, 0, sizeof ours);
    memset(best, 0, sizeof best);
    memset(theirs, 0, sizeof theirs);
    int rc = 0;
    size_t done = 0; /* callback times whose rows are made */
    for (; done < CALLBACK_TIMES && rc == 0; done++) {
        bench_progress("%s: small calls against an OpenMV-timed slave, callback %u ms", link,
                       (unsigned)callback_ms[done]);
        ours[done].n = calls_for(callback_ms[done], p->quick);
        if (timed_calls(m, NULL, slave, callback_ms[done], &ours[done]) != 0) {
            break;
        }
        if (ours[done].failed || ours[done].wrong) {
            r->failures++;
            rc = -1;
        }
        if (p->openmv_rpc &&
            run_desktop(p, r, link, slave, callback_ms[done], ours[done].n, &theirs[done]) != 0) {
            rc = -1;
        }
    }
    bench_ideal ideal;
    bench_ideal_init(&ideal, omv_rpc_master_link(m));
    slave->listening = bench_ideal_listening; /* only for the ideal master's calls */
    slave->listen_user = &ideal;
    for (size_t k = 0; k < done && rc == 0; k++) {
        bench_progress("%s: the ideal master against an OpenMV-timed slave, callback %u ms", link,
                       (unsigned)callback_ms[k]);
        best[k].n = calls_for(callback_ms[k], p->quick);
        if (timed_calls(NULL, &ideal, slave, callback_ms[k], &best[k]) != 0) {
            best[k].n = 0;
            r->failures++;
            rc = -1;
        }
        if (best[k].failed || best[k].wrong) {
            r->failures++;
            rc = -1;
        }
    }
    slave->listening = NULL;
    for (size_t k = 0; k < done; k++) {
        add_rows(r, link, callback_ms[k], callback_ms[k] + 4 * rtt * 1e3, &ours[k],
                 p->openmv_rpc && theirs[k].calls ? &theirs[k] : NULL, &best[k]);
    }
    return done == CALLBACK_TIMES ? rc : -1;
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
    int rc = run_callback_times(p, r, link, m, &slave, rtt);
    omv_rpc_master_free(m);
    omvrpc_peer_free(&slave);
    return rc;
}
