/* One link's measurements: its raw baseline first, then the protocol on
 * the same ends (a master here, a slave on a thread), each figure added
 * to the table beside the baseline it is held against. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_raw.h"

#define CALL_TIMEOUT_MS 1000u /* OpenMV's defaults: the figures a user gets */

/* What the slave's callbacks serve. */
typedef struct bench_slave {
    omv_rpc_slave *slave;
    pthread_t thread;
    const uint8_t *data; /* results, cut-through bytes and frames come from here */
    size_t data_len;
    size_t todo; /* cut-through bytes, or frames, of the scheduled task */
    size_t frame_len;
    size_t frames_sent;
    omv_rpc_status task_status;
    uint8_t small[4];
    int running; /* its loop runs on `thread` */
} bench_slave;

/* "64 MiB", "45 KiB", "960 B": sizes as the table shows them. */
static const char *size_text(size_t n, char *buf, size_t size)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0) {
        snprintf(buf, size, "%zu MiB", n >> 20);
    } else if (n >= 1024) {
        snprintf(buf, size, "%.3g KiB", (double)n / 1024);
    } else {
        snprintf(buf, size, "%zu B", n);
    }
    return buf;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* "nothing": empty argument, 4-byte result. */
static void cb_nothing(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    bench_slave *b = user;
    omv_rpc_slave_reply(s, b->small, sizeof b->small);
}

/* "result": a result of the u32 size asked for (borrowed: no copy). */
static void cb_result(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    bench_slave *b = user;
    size_t want = len >= 4 ? get_u32(arg) : 0;
    omv_rpc_slave_reply(s, b->data, want <= b->data_len ? want : 0);
}

/* "arg": takes any argument, answers its length (4 bytes). */
static void cb_arg(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    bench_slave *b = user;
    put_u32(b->small, (uint32_t)len);
    omv_rpc_slave_reply(s, b->small, sizeof b->small);
}

static void task_cut(omv_rpc_slave *s, void *user)
{
    bench_slave *b = user;
    b->task_status = omv_rpc_put_bytes(omv_rpc_slave_link(s), b->data, b->todo, CALL_TIMEOUT_MS);
}

/* "cut": after the result, put the u32 number of raw bytes asked for. */
static void cb_cut(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    bench_slave *b = user;
    size_t want = len >= 4 ? get_u32(arg) : 0;
    b->todo = want <= b->data_len ? want : 0;
    omv_rpc_slave_schedule_callback(s, task_cut, b);
}

static int write_frame(void *user, const uint8_t **frame, size_t *len)
{
    bench_slave *b = user;
    if (b->frames_sent == b->todo) {
        return 1;
    }
    b->frames_sent++;
    *frame = b->data;
    *len = b->frame_len;
    return 0;
}

static void task_stream(omv_rpc_slave *s, void *user)
{
    bench_slave *b = user;
    b->task_status = omv_rpc_slave_stream_writer(s, write_frame, b, CALL_TIMEOUT_MS);
}

/* "stream": after the result, write u32 frames of u32 bytes. */
static void cb_stream(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    bench_slave *b = user;
    if (len < 8 || get_u32(arg + 4) > b->data_len) {
        return;
    }
    b->todo = get_u32(arg);
    b->frame_len = get_u32(arg + 4);
    b->frames_sent = 0;
    omv_rpc_slave_schedule_callback(s, task_stream, b);
}

static void *slave_run(void *arg)
{
    bench_slave *b = arg;
    bench_pin_end(BENCH_SLAVE_END);
    omv_rpc_slave_loop(b->slave, 100, CALL_TIMEOUT_MS);
    return NULL;
}

/* ------------------------------------------------------------ the run */

typedef struct bench_ctx {
    const bench_plan *plan;
    bench_results *r;
    omv_rpc_master *master;
    bench_counter master_mem, slave_mem;
    size_t master_handle, slave_handle; /* bytes live right after creation */
    size_t largest_result, largest_arg; /* payloads each handle had to hold */
    uint8_t *src, *dst;                 /* bulk_big bytes each */
    double raw_rtt, raw_rtt_p99, raw_bps, raw_cpu_per_gb;
    const char *unit; /* throughput unit: MB/s, or kB/s on slow UARTs */
    double div;
    /* stream reader */
    size_t frames_wanted, frames_seen;
    int ack_last;
    double last_frame_at;
    size_t mem_after_first, mem_after_last;
} bench_ctx;

static int failed(bench_ctx *c, const char *what, omv_rpc_status st)
{
    bench_progress("%s: %s failed: %s", c->plan->name, what, omv_rpc_status_name(st));
    c->r->failures++;
    return -1;
}

static const char *tp_link(const bench_ctx *c)
{
    return c->plan->bulk_name;
}

/* Targets apply where the issue sets them; elsewhere -1 (figure only). */
static double latency_target(const bench_plan *p)
{
    return (p->kind == BENCH_PTY || p->kind == BENCH_NET) ? 1.5 : -1;
}

static double throughput_target(const bench_plan *p)
{
    return (p->kind == BENCH_PTY || p->kind == BENCH_NET) ? 0.8 : -1;
}

static omv_rpc_status call_u32(bench_ctx *c, const char *name, uint32_t v, const uint8_t **res,
                               size_t *res_len)
{
    uint8_t arg[4];
    put_u32(arg, v);
    return omv_rpc_master_call(c->master, name, arg, 4, res, res_len, CALL_TIMEOUT_MS,
                               CALL_TIMEOUT_MS);
}

/* The slave's loop on its thread: paused while the raw round trips use
 * the same link ends. */
static int start_slave(bench_slave *b)
{
    omv_rpc_slave_clear_stop(b->slave);
    b->running = pthread_create(&b->thread, NULL, slave_run, b) == 0;
    return b->running;
}

static void stop_slave(bench_slave *b)
{
    if (b->running) {
        omv_rpc_slave_stop(b->slave);
        pthread_join(b->thread, NULL);
        b->running = 0;
    }
}

/* Rounds of raw round trips and small calls taken in turn, so that both
 * see the same load: on a shared machine the time a wake-up takes drifts
 * within seconds, and a baseline taken apart from its figure drifts with
 * it. */
#define LATENCY_ROUNDS 8

static int run_small_calls(bench_ctx *c, bench_slave *b)
{
    const bench_plan *p = c->plan;
    const size_t rounds =
        p->call_iters >= LATENCY_ROUNDS && p->rtt_iters >= LATENCY_ROUNDS ? LATENCY_ROUNDS : 1;
    const size_t calls = p->call_iters / rounds * rounds, rtts = p->rtt_iters / rounds * rounds;
    double *t = calloc(calls, sizeof *t), *raw = calloc(rtts, sizeof *raw);
    if (!t || !raw) {
        free(t);
        free(raw);
        return failed(c, "small calls", OMV_RPC_ERR_NO_MEMORY);
    }
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t i = 0; i < 3 && st == OMV_RPC_OK; i++) { /* warm up */
        st = omv_rpc_master_call(c->master, "nothing", NULL, 0, NULL, NULL, CALL_TIMEOUT_MS,
                                 CALL_TIMEOUT_MS);
    }
    double t_calls = 0;
    for (size_t r = 0; r < rounds && st == OMV_RPC_OK; r++) {
        stop_slave(b);
        st = bench_raw_rtt_samples(omv_rpc_master_link(c->master), omv_rpc_slave_link(b->slave),
                                   rtts / rounds, raw + r * (rtts / rounds));
        if (!start_slave(b) && st == OMV_RPC_OK) {
            st = OMV_RPC_ERR_NO_MEMORY;
        }
        double t_all = bench_now_s();
        for (size_t i = r * (calls / rounds); i < (r + 1) * (calls / rounds) && st == OMV_RPC_OK;
             i++) {
            size_t len = 0;
            double t0 = bench_now_s();
            st = omv_rpc_master_call(c->master, "nothing", NULL, 0, NULL, &len, CALL_TIMEOUT_MS,
                                     CALL_TIMEOUT_MS);
            t[i] = bench_now_s() - t0;
            if (st == OMV_RPC_OK && len != 4) {
                st = OMV_RPC_ERR_BAD_PACKET;
            }
        }
        t_calls += bench_now_s() - t_all;
    }
    if (st != OMV_RPC_OK) {
        free(t);
        free(raw);
        return failed(c, "small calls", st);
    }
    double med = bench_median(t, calls), p99 = bench_percentile(t, calls, 99);
    c->raw_rtt = bench_median(raw, rtts);
    c->raw_rtt_p99 = bench_percentile(raw, rtts, 99);
    free(t);
    free(raw);
    const char *l = p->lat_name;
    char note[96];
    snprintf(note, sizeof note, "baseline, median; %zu rounds taken in turn with the calls",
             rounds);
    bench_add(c->r, l, "raw round trip 12 B + 4 B", "us", c->raw_rtt * 1e6, -1, BENCH_INFO, -1,
              note);
    bench_add(c->r, l, "small call latency, median", "us", med * 1e6, 4 * c->raw_rtt * 1e6,
              BENCH_LOWER, latency_target(p), "baseline: 4 raw round trips");
    bench_add(c->r, l, "small call latency, p99", "us", p99 * 1e6, 4 * c->raw_rtt_p99 * 1e6,
              BENCH_INFO, -1, "baseline: 4 raw round trips (p99)");
    bench_add(c->r, l, "small calls per second", "1/s", (double)calls / t_calls,
              1.0 / (4 * c->raw_rtt), BENCH_INFO, -1, "empty argument, 4-byte result");
    return 0;
}

/* UART: a 1 KB argument, 4-byte result, against its bytes' wire time. */
static int run_kib_calls(bench_ctx *c)
{
    const bench_plan *p = c->plan;
    if (p->kib_calls == 0) {
        return 0;
    }
    double *t = calloc(p->kib_calls, sizeof *t);
    if (!t) {
        return failed(c, "1 KB calls", OMV_RPC_ERR_NO_MEMORY);
    }
    uint32_t retries0 = omv_rpc_master_retries(c->master);
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t i = 0; i < p->kib_calls && st == OMV_RPC_OK; i++) {
        bench_progress("%s: 1 KB call %zu/%zu", p->name, i + 1, p->kib_calls);
        double t0 = bench_now_s();
        st = omv_rpc_master_call(c->master, "arg", c->src, 1024, NULL, NULL, CALL_TIMEOUT_MS,
                                 CALL_TIMEOUT_MS);
        t[i] = bench_now_s() - t0;
    }
    if (st != OMV_RPC_OK) {
        free(t);
        return failed(c, "1 KB calls", st);
    }
    /* Every byte of the call, one after the other: command header 12, ack
     * 4, data 1024 + 4, ack 4, request 4, result header 8, request 4,
     * result data 4 + 4. */
    const double wire_bytes = 12 + 4 + 1028 + 4 + 4 + 8 + 4 + 8;
    double wire_s = wire_bytes * 10.0 / (double)p->baud;
    double med = bench_median(t, p->kib_calls);
    free(t);
    double target = p->baud <= 115200 ? 1.2 : -1;
    bench_add(c->r, p->lat_name, "1 KB call, median", "ms", med * 1e3, wire_s * 1e3, BENCH_LOWER,
              target, "baseline: the call's 1072 B of wire time");
    bench_add(c->r, p->lat_name, "retries during 1 KB calls", "",
              (double)(omv_rpc_master_retries(c->master) - retries0), -1, BENCH_LOWER,
              p->baud <= 115200 ? 0 : -1, "omv_rpc_master_retries");
    return 0;
}

/* The first large payload makes the handle grow its buffer (fresh pages:
 * page faults); later ones reuse it. Fast links report both: the first
 * call as a figure, the repeat against the target. */
static int first_call_row(const bench_ctx *c)
{
    return c->plan->kind != BENCH_UART;
}

/* Timed repeats of each throughput figure, best kept: other work on this
 * machine only ever slows a run. Slow UARTs run once. */
static int repeats(const bench_ctx *c)
{
    return c->plan->kind == BENCH_UART ? 1 : c->plan->quick ? 2 : 3;
}

/* The least time the protocol can take for `len` bytes in `exchanges`
 * round trips on this link: the raw transfer plus those raw round trips
 * (a call is four exchanges; a depth-1 stream waits one per frame). As
 * bytes per second: the baseline of a throughput that includes them. */
static double protocol_bound(const bench_ctx *c, double len, double exchanges)
{
    return c->raw_rtt > 0 ? len / (len / c->raw_bps + exchanges * c->raw_rtt) : c->raw_bps;
}

#define A_CALL "raw + 4 raw round trips"

/* A throughput row held against protocol_bound, saying how it stands
 * against the raw throughput alone too. */
static void add_throughput(bench_ctx *c, const char *metric, double len, double seconds,
                           double exchanges, const char *baseline, const char *what)
{
    double value = len / seconds, bound = protocol_bound(c, len, exchanges);
    char note[160];
    snprintf(note, sizeof note, "%s; baseline: %s; %.3f of raw alone", what, baseline,
             value / c->raw_bps);
    bench_add(c->r, tp_link(c), metric, c->unit, value / c->div, bound / c->div, BENCH_HIGHER,
              throughput_target(c->plan), note);
}

static const char *bulk_note(const bench_ctx *c)
{
    return c->plan->scale_note[0] ? c->plan->scale_note : "best of the repeats";
}

static int run_bulk_result(bench_ctx *c, size_t len, const char *metric, int with_cpu)
{
    const uint8_t *res = NULL;
    size_t res_len = 0;
    omv_rpc_status st = OMV_RPC_OK;
    double t = 1e30, cpu = 0;
    for (int round = first_call_row(c) ? 0 : 1; round <= repeats(c) && st == OMV_RPC_OK; round++) {
        double c0 = bench_cpu_s(), t0 = bench_now_s();
        st = call_u32(c, "result", (uint32_t)len, &res, &res_len);
        double dt = bench_now_s() - t0, dcpu = bench_cpu_s() - c0;
        if (round > 0 && dt < t) {
            t = dt;
            cpu = dcpu;
        }
        if (st == OMV_RPC_OK && (res_len != len || memcmp(res, c->src, len) != 0)) {
            st = OMV_RPC_ERR_BAD_PACKET;
        }
        if (st == OMV_RPC_OK && round == 0) {
            char m[64];
            snprintf(m, sizeof m, "%s, first call", metric);
            bench_add(c->r, tp_link(c), m, c->unit, (double)len / dt / c->div, c->raw_bps / c->div,
                      BENCH_INFO, -1, "the master's buffer grows: fresh pages");
        }
    }
    if (st != OMV_RPC_OK) {
        return failed(c, metric, st);
    }
    if (len > c->largest_result) {
        c->largest_result = len;
    }
    add_throughput(c, metric, (double)len, t, 4, A_CALL, bulk_note(c));
    if (with_cpu) {
        bench_add(c->r, tp_link(c), "CPU per GB moved (bulk result)", "s/GB",
                  cpu / ((double)len / 1e9), c->raw_cpu_per_gb, BENCH_INFO, -1,
                  "both ends, getrusage; baseline: raw transfer");
    }
    return 0;
}

static int run_bulk_arg(bench_ctx *c, size_t len, const char *metric)
{
    const uint8_t *res = NULL;
    size_t res_len = 0;
    omv_rpc_status st = OMV_RPC_OK;
    double t = 1e30;
    for (int round = first_call_row(c) ? 0 : 1; round <= repeats(c) && st == OMV_RPC_OK; round++) {
        double t0 = bench_now_s();
        st = omv_rpc_master_call(c->master, "arg", c->src, len, &res, &res_len, CALL_TIMEOUT_MS,
                                 CALL_TIMEOUT_MS);
        double dt = bench_now_s() - t0;
        if (round > 0 && dt < t) {
            t = dt;
        }
        if (st == OMV_RPC_OK && (res_len != 4 || get_u32(res) != len)) {
            st = OMV_RPC_ERR_BAD_PACKET;
        }
        if (st == OMV_RPC_OK && round == 0) {
            char m[64];
            snprintf(m, sizeof m, "%s, first call", metric);
            bench_add(c->r, tp_link(c), m, c->unit, (double)len / dt / c->div, c->raw_bps / c->div,
                      BENCH_INFO, -1, "the slave's buffer grows: fresh pages");
        }
    }
    if (st != OMV_RPC_OK) {
        return failed(c, metric, st);
    }
    if (len > c->largest_arg) {
        c->largest_arg = len;
    }
    add_throughput(c, metric, (double)len, t, 4, A_CALL, bulk_note(c));
    return 0;
}

/* Best of the repeats, as for bulk figures. */
static int run_cut_through(bench_ctx *c, bench_slave *b)
{
    size_t len = c->plan->bulk_big;
    omv_rpc_status st = OMV_RPC_OK;
    double t = 1e30;
    for (int round = 0; round < repeats(c) && st == OMV_RPC_OK; round++) {
        memset(c->dst, 0, len);
        double t0 = bench_now_s();
        st = call_u32(c, "cut", (uint32_t)len, NULL, NULL);
        if (st == OMV_RPC_OK) {
            st = omv_rpc_get_bytes(omv_rpc_master_link(c->master), c->dst, len, CALL_TIMEOUT_MS);
        }
        double dt = bench_now_s() - t0;
        if (st == OMV_RPC_OK && memcmp(c->dst, c->src, len) != 0) {
            st = OMV_RPC_ERR_BAD_PACKET;
        }
        /* The slave's put returns once its bytes are handed over; give it
         * a moment to get back to its loop before the next call. */
        bench_sleep_s(0.05);
        if (st == OMV_RPC_OK && b->task_status != OMV_RPC_OK) {
            st = b->task_status;
        }
        if (st == OMV_RPC_OK && dt < t) {
            t = dt;
        }
    }
    if (st != OMV_RPC_OK) {
        return failed(c, "cut-through", st);
    }
    char metric[64], sz[24];
    snprintf(metric, sizeof metric, "%s%s", "cut-through ", size_text(len, sz, sizeof sz));
    add_throughput(c, metric, (double)len, t, 4, A_CALL,
                   "call, then raw get_bytes; best of the repeats");
    return 0;
}

static int read_frame(void *user, const uint8_t *frame, size_t len)
{
    (void)frame;
    (void)len;
    bench_ctx *c = user;
    c->frames_seen++;
    if (c->frames_seen == 1) {
        c->mem_after_first = c->master_mem.current;
    }
    if (c->frames_seen == c->frames_wanted) {
        c->last_frame_at = bench_now_s();
        c->mem_after_last = c->master_mem.current;
        /* With a queue depth under 3 the writer waits for the last frame's
         * ack before it learns the stream is over: ack it and let the
         * reader end on the writer's silence instead. */
        return c->ack_last ? 0 : 1;
    }
    return 0;
}

/* One stream of `frames` frames; *seconds from the reader's start to the
 * last frame. */
static omv_rpc_status stream_once(bench_ctx *c, bench_slave *b, uint32_t depth, size_t frames,
                                  double *seconds)
{
    uint8_t arg[8];
    put_u32(arg, (uint32_t)frames);
    put_u32(arg + 4, (uint32_t)c->plan->frame_len);
    c->frames_wanted = frames;
    c->frames_seen = 0;
    c->ack_last = depth < 3;
    omv_rpc_status st = omv_rpc_master_call(c->master, "stream", arg, 8, NULL, NULL,
                                            CALL_TIMEOUT_MS, CALL_TIMEOUT_MS);
    double t0 = bench_now_s();
    if (st == OMV_RPC_OK) {
        st = omv_rpc_master_stream_reader(c->master, read_frame, c, depth, CALL_TIMEOUT_MS);
        if (st == OMV_RPC_ERR_TIMEOUT && c->ack_last && c->frames_seen == frames) {
            st = OMV_RPC_OK; /* ended on the writer's silence, as planned */
        }
    }
    if (st == OMV_RPC_OK && c->frames_seen != frames) {
        st = OMV_RPC_ERR_STREAM_ENDED;
    }
    bench_sleep_s(0.05);
    if (st == OMV_RPC_OK && b->task_status != OMV_RPC_OK) {
        st = b->task_status;
    }
    *seconds = c->last_frame_at - t0;
    return st;
}

/* Streams at one depth: the best of the repeats, as for bulk figures. */
static int run_stream(bench_ctx *c, bench_slave *b, uint32_t depth)
{
    const bench_plan *p = c->plan;
    size_t frames = p->stream_bytes / p->frame_len;
    if (frames < 4) {
        frames = 4;
    }
    bench_progress("%s: stream, depth %u, %zu frames of %zu B", p->name, depth, frames,
                   p->frame_len);
    omv_rpc_status st = OMV_RPC_OK;
    double t = 1e30;
    for (int round = 0; round < repeats(c) && st == OMV_RPC_OK; round++) {
        double dt = 0;
        st = stream_once(c, b, depth, frames, &dt);
        if (st == OMV_RPC_OK && dt < t) {
            t = dt;
        }
    }
    if (st != OMV_RPC_OK) {
        return failed(c, "stream", st);
    }
    if (p->frame_len > c->largest_result) {
        c->largest_result = p->frame_len;
    }
    double bytes = (double)frames * (double)p->frame_len;
    char metric[48], note[96];
    snprintf(metric, sizeof metric, "stream %zu B frames, depth %u", p->frame_len, depth);
    snprintf(note, sizeof note, "%.1f frames/s, best of %d", (double)frames / t, repeats(c));
    /* Depth 1 waits for each frame's ack before the next by design: one
     * round trip per frame. Deeper queues overlap them: raw throughput. */
    if (depth == 1) {
        add_throughput(c, metric, bytes, t, (double)frames, "raw + 1 raw round trip per frame",
                       note);
    } else {
        add_throughput(c, metric, bytes, t, 0, "raw", note);
    }
    bench_add(c->r, tp_link(c), "stream memory growth", "B",
              (double)c->mem_after_last - (double)c->mem_after_first, -1, BENCH_LOWER, 0,
              "master's live allocations, first to last frame");
    return 0;
}

static void add_memory_rows(bench_ctx *c)
{
    const char *l = c->plan->do_bulk ? tp_link(c) : c->plan->lat_name;
    /* The handle itself (allocated with the same allocator) is a fixed
     * size; what must stay bounded is what comes on top of it. */
    char note[96];
    if (c->largest_result > 0) {
        snprintf(note, sizeof note, "peak minus the %zu-B handle; baseline: largest result/frame",
                 c->master_handle);
        bench_add(c->r, l, "master peak allocation", "KiB",
                  (double)(c->master_mem.peak - c->master_handle) / 1024,
                  (double)c->largest_result / 1024, BENCH_LOWER, 1.05, note);
    }
    if (c->largest_arg > 0) {
        snprintf(note, sizeof note, "peak minus the %zu-B handle; baseline: largest argument",
                 c->slave_handle);
        bench_add(c->r, l, "slave peak allocation", "KiB",
                  (double)(c->slave_mem.peak - c->slave_handle) / 1024,
                  (double)c->largest_arg / 1024, BENCH_LOWER, 1.05, note);
    }
}

static int run_raw(bench_ctx *c, bench_link_pair *lp)
{
    const bench_plan *p = c->plan;
    omv_rpc_status st;
    if (p->do_latency || p->do_bulk) { /* bulk figures include round trips too */
        bench_progress("%s: raw round trips (%zu)", p->name, p->rtt_iters);
        st = bench_raw_rtt(&lp->master, &lp->slave, p->rtt_iters, &c->raw_rtt, &c->raw_rtt_p99);
        if (st != OMV_RPC_OK) {
            return failed(c, "raw round trips", st);
        }
    }
    if (p->do_bulk) {
        bench_progress("%s: raw throughput (%zu B)", p->name, p->bulk_big);
        double cpu = 0;
        st = bench_raw_throughput(&lp->master, &lp->slave, c->src, c->dst, p->bulk_big, repeats(c),
                                  &c->raw_bps, &cpu);
        if (st != OMV_RPC_OK) {
            return failed(c, "raw throughput", st);
        }
        c->raw_cpu_per_gb = cpu / ((double)p->bulk_big / 1e9);
        char metric[48], sz[24];
        snprintf(metric, sizeof metric, "%s%s", "raw one-way ",
                 size_text(p->bulk_big, sz, sizeof sz));
        bench_add(c->r, tp_link(c), metric, c->unit, c->raw_bps / c->div, -1, BENCH_INFO, -1,
                  "baseline: link get_bytes/put_bytes, best of repeats");
    }
    return 0;
}

static int run_protocol(bench_ctx *c, bench_slave *b)
{
    const bench_plan *p = c->plan;
    int rc = 0;
    if (p->do_latency) {
        bench_progress("%s: small calls (%zu)", p->name, p->call_iters);
        rc |= run_small_calls(c, b);
        rc |= run_kib_calls(c);
    }
    if (p->do_bulk) {
        char metric[48], sz[24];
        bench_progress("%s: bulk results and arguments", p->name);
        snprintf(metric, sizeof metric, "%s%s", "bulk result ",
                 size_text(p->bulk_small, sz, sizeof sz));
        rc |= run_bulk_result(c, p->bulk_small, metric, 0);
        snprintf(metric, sizeof metric, "%s%s", "bulk result ",
                 size_text(p->bulk_big, sz, sizeof sz));
        rc |= run_bulk_result(c, p->bulk_big, metric, 1);
        snprintf(metric, sizeof metric, "%s%s", "bulk argument ",
                 size_text(p->bulk_big, sz, sizeof sz));
        rc |= run_bulk_arg(c, p->bulk_big, metric);
        bench_progress("%s: cut-through", p->name);
        rc |= run_cut_through(c, b);
        static const uint32_t depths[3] = {1, 8, 255};
        for (int i = 0; i < 3; i++) {
            rc |= run_stream(c, b, depths[i]);
        }
    }
    return rc;
}

int bench_run_plan(const bench_plan *p, bench_results *r)
{
    bench_ctx c;
    memset(&c, 0, sizeof c);
    c.plan = p;
    c.r = r;
    c.unit = p->kind == BENCH_UART ? "kB/s" : "MB/s";
    c.div = p->kind == BENCH_UART ? 1e3 : 1e6;
    bench_pin_end(BENCH_MASTER_END);
    bench_progress("%s: opening", p->name);
    size_t buf_len = p->bulk_big > 1024 ? p->bulk_big : 1024;
    if (p->frame_len > buf_len) {
        buf_len = p->frame_len;
    }
    c.src = malloc(buf_len);
    c.dst = malloc(buf_len);
    bench_link_pair lp;
    omv_rpc_status st =
        (c.src && c.dst) ? bench_link_open(&lp, p->kind, p->baud, &p->log) : OMV_RPC_ERR_NO_MEMORY;
    if (st != OMV_RPC_OK) {
        free(c.src);
        free(c.dst);
        return failed(&c, "opening the link", st);
    }
    for (size_t i = 0; i < buf_len; i++) {
        c.src[i] = (uint8_t)(i * 131u + (i >> 12));
    }
    memset(c.dst, 0, buf_len);

    int rc = run_raw(&c, &lp);
    /* The protocol on the same ends, with counting allocators. */
    omv_rpc_allocator ma = bench_counting_allocator(&c.master_mem);
    omv_rpc_allocator sa = bench_counting_allocator(&c.slave_mem);
    omv_rpc_config mcfg, scfg;
    memset(&mcfg, 0, sizeof mcfg);
    memset(&scfg, 0, sizeof scfg);
    mcfg.allocator = &ma;
    scfg.allocator = &sa;
    mcfg.log = p->log;
    scfg.log = p->log;
    bench_slave b;
    memset(&b, 0, sizeof b);
    b.data = c.src;
    b.data_len = buf_len;
    st = omv_rpc_master_new(&c.master, &lp.master, &mcfg);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_slave_new(&b.slave, &lp.slave, &scfg);
    } else {
        omv_rpc_link_close(&lp.slave);
    }
    c.master_handle = c.master_mem.current;
    c.slave_handle = c.slave_mem.current;
    const char *names[5] = {"nothing", "result", "arg", "cut", "stream"};
    const omv_rpc_callback fns[5] = {cb_nothing, cb_result, cb_arg, cb_cut, cb_stream};
    for (int i = 0; i < 5 && st == OMV_RPC_OK; i++) {
        st = omv_rpc_slave_register_callback(b.slave, names[i], fns[i], &b);
    }
    int started = st == OMV_RPC_OK && start_slave(&b);
    if (started && rc == 0) {
        rc = run_protocol(&c, &b);
        add_memory_rows(&c);
        if (p->kind != BENCH_UART || p->baud > 115200) {
            bench_add(r, p->do_bulk ? tp_link(&c) : p->lat_name, "master retries", "",
                      (double)omv_rpc_master_retries(c.master), -1, BENCH_INFO, -1, "whole run");
        }
    } else if (!started) {
        rc = failed(&c, "starting master and slave", st == OMV_RPC_OK ? OMV_RPC_ERR_NO_MEMORY : st);
    }
    stop_slave(&b);
    omv_rpc_slave_free(b.slave);
    omv_rpc_master_free(c.master);
    bench_link_close_relay(&lp);
    if (c.master_mem.current != 0 || c.slave_mem.current != 0) {
        bench_progress("%s: library allocations left after free: %zu + %zu B", p->name,
                       c.master_mem.current, c.slave_mem.current);
        rc = -1;
        r->failures++;
    }
    free(c.src);
    free(c.dst);
    return rc;
}
