/* Shared between the benchmark's parts: links under test, results table,
 * timing helpers. Not installed. */
#ifndef OMV_RPC_BENCH_INTERNAL_H
#define OMV_RPC_BENCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "omv_rpc/omv_rpc.h"

/* ------------------------------------------------------------- timing */

double bench_now_s(void);     /* monotonic seconds */
double bench_cpu_s(void);     /* user + system CPU seconds of the process */
long bench_max_rss_kib(void); /* ru_maxrss */
void bench_sleep_s(double s);
double bench_median(double *v, size_t n);               /* sorts v */
double bench_percentile(double *v, size_t n, double p); /* v must be sorted */
/* Pin the calling thread to a core of its own: BENCH_MASTER_END (the
 * master) or BENCH_SLAVE_END (the slave, or the raw peer standing in for
 * it); BENCH_ANY_CORE lets it run anywhere again (the UART relay). No-op
 * on one core or where affinity cannot be set. */
#define BENCH_ANY_CORE (-1)
#define BENCH_MASTER_END 0
#define BENCH_SLAVE_END 1
void bench_pin_end(int end);
/* For a thread that runs a slave model (the OpenMV-timed slaves): its
 * sleeps last what they say. Linux adds its default timer slack of 50 us
 * to each (here a 100 us gc pause slept about 170 us, a 1 ms callback
 * 1076 us; with a slack of 1 ns, 126 us and 1026 us, the wake-up's own
 * latency), so the model was slower than the camera it stands for. The
 * slack is set on the calling thread only: the master's keeps the
 * default, as a user's program does. No-op elsewhere. */
void bench_exact_sleeps(void);

/* ------------------------------------------------------ links under test */

typedef enum bench_link_kind {
    BENCH_PAIR,
    BENCH_PTY,
    BENCH_NET, /* loopback UDP (<= 1400 B) and TCP (larger, streams) */
    BENCH_UART,
} bench_link_kind;

struct bench_relay;

/* Two connected ends, plus what keeps them running (a pacing relay). */
typedef struct bench_link_pair {
    omv_rpc_link master;
    omv_rpc_link slave;
    struct bench_relay *relay; /* UART only */
    uint32_t baud;             /* UART only */
} bench_link_pair;

/* Open both ends. Returns OMV_RPC_OK or the failing link's status; on
 * failure *lp is left closed. */
omv_rpc_status bench_link_open(bench_link_pair *lp, bench_link_kind kind, uint32_t baud,
                               const omv_rpc_log *log);
/* Only a slave's end, for a master in another process: a pseudo-terminal
 * (`where` gets the path of its terminal side) or loopback UDP (`where`
 * gets "SLAVE_IP MASTER_IP PORT"). */
omv_rpc_status bench_link_open_slave(omv_rpc_link *slave, bench_link_kind kind, char *where,
                                     size_t where_size);
/* Close what the master and slave did not take over (the relay). */
void bench_link_close_relay(bench_link_pair *lp);

/* A relay between two pseudo-terminal controllers forwarding bytes both
 * ways at `baud` with 10 bits per byte, as a UART's wire would. */
omv_rpc_status bench_relay_start(struct bench_relay **out, int fd_a, int fd_b, uint32_t baud);
void bench_relay_stop(struct bench_relay *relay);

/* Open a pseudo-terminal: the controller's fd and the terminal's path. */
int bench_pty_open(char *path, size_t path_size);

/* --------------------------------------------------- counting allocator */

typedef struct bench_counter {
    size_t current; /* bytes live now */
    size_t peak;    /* most bytes live at once */
    size_t allocs;  /* allocations so far */
} bench_counter;
/* An allocator that counts into `counter` (one handle's thread only). */
omv_rpc_allocator bench_counting_allocator(bench_counter *counter);

/* --------------------------------------------------------------- results */

typedef enum bench_better { BENCH_INFO, BENCH_LOWER, BENCH_HIGHER } bench_better;

typedef struct bench_row {
    char link[24];
    char metric[64];
    char unit[12];
    double value;
    double baseline; /* < 0: none */
    /* The target, compared with value / baseline (or with value itself
     * when there is no baseline); < 0: none. */
    double target;
    bench_better better; /* which side of the target passes */
    char note[160];
    /* The metric of the row on the same link whose value is this row's
     * baseline ("": none, or a baseline measured apart). */
    char baseline_row[64];
    /* Merged over several runs (runs > 1): the median of the runs'
     * ratios, each taken in its own run, and their range. */
    int runs;
    double ratio_median, ratio_min, ratio_max;
} bench_row;

typedef struct bench_results {
    bench_row *rows;
    size_t count, cap;
    int failures; /* measurements that could not run */
    int quick;
} bench_results;

/* Append a row (ratio = value / baseline when baseline > 0). */
void bench_add(bench_results *r, const char *link, const char *metric, const char *unit,
               double value, double baseline, bench_better better, double target, const char *note);
/* The last row added takes its baseline from the row named `metric`
 * (same link): bench_row.baseline_row. */
void bench_set_baseline_row(bench_results *r, const char *metric);
/* 1 pass, 0 miss, -1 no target. */
int bench_row_pass(const bench_row *row);
void bench_print_table(const bench_results *r, FILE *out);
/* Write the results as JSON; returns 0 on success. */
int bench_write_json(const bench_results *r, FILE *out);
void bench_results_free(bench_results *r);
/* One table from `n` runs of the same plans: each row's value, baseline
 * and ratio are the medians over the runs that have it (rows matched by
 * link, metric and order). Returns 0, or -1 when out of memory. */
int bench_merge_runs(const bench_results *runs, size_t n, bench_results *out);

/* --------------------------------------------------------- measurements */

/* Sizes for one link, scaled to its rate. */
typedef struct bench_plan {
    const char *name;      /* "pair", "pty", "net", "uart9600", ... */
    const char *lat_name;  /* name in the table for latency rows */
    const char *bulk_name; /* name in the table for throughput rows */
    bench_link_kind kind;
    uint32_t baud; /* UART only */
    int do_latency, do_bulk;
    size_t rtt_iters, call_iters;
    size_t bulk_small, bulk_big, frame_len, stream_bytes;
    size_t kib_calls; /* 1 KB calls to time (UART) */
    int quick;
    const char *openmv_rpc; /* OpenMV's desktop rpc.py to compare with (NULL: none) */
    omv_rpc_log log;        /* the library's log lines ({NULL}: none) */
    char scale_note[96];    /* say when sizes were scaled to the rate */
} bench_plan;

/* Run every measurement of `plan`, appending rows. Returns 0, or -1 when a
 * measurement failed (counted in r->failures, logged on stderr). */
int bench_run_plan(const bench_plan *plan, bench_results *r);
/* Small calls against a slave with OpenMV's camera timing at callback
 * times of 0, 1, 10 and 50 ms, on a new link of the plan's kind
 * (bench_openmv.c). Returns 0 or -1 as bench_run_plan. */
int bench_run_openmv(const bench_plan *plan, bench_results *r);
/* The same calls against our own slave in its OpenMV camera timing
 * (bench_openmv_own.c): a cross-check of the two camera-timed slaves. */
int bench_run_openmv_own(const bench_plan *plan, bench_results *r);

/* OpenMV's desktop master from `rpc_py` (a file, or a folder holding
 * rpc.py) making `n` small calls on a new link of `kind` to an OpenMV-timed
 * slave set up as `like` (its callback, callback time and pause)
 * (bench_desktop.c): its median call time, and the calls made (at most
 * 60 s of them), failed and wrong. Returns 0, or -1 when it could not run. */
struct omvrpc_peer;
int bench_desktop_master(const char *rpc_py, bench_link_kind kind, const struct omvrpc_peer *like,
                         size_t n, double *median_ms, size_t *calls, size_t *failed, size_t *wrong);

/* A log hook on stderr, as omv-rpc's: "PREFIX: message" for warnings and
 * errors; with `verbose`, every line, as "PREFIX: HH:MM:SS.mmm message".
 * `opts` must outlive the hook's use. */
typedef struct bench_log_opts {
    const char *prefix;
    int verbose;
} bench_log_opts;
omv_rpc_log bench_stderr_log(const bench_log_opts *opts);

/* Progress on stderr. */
void bench_progress(const char *fmt, ...);

#endif
