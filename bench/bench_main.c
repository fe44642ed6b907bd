/* omv-rpc bench: options, the plan for each link (sizes scaled to its
 * rate), the run, and the output. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_internal.h"

#define MIB ((size_t)1 << 20)

enum { L_PAIR = 1, L_PTY = 2, L_UDP = 4, L_TCP = 8, L_U9600 = 16, L_U115200 = 32, L_U921600 = 64 };

static const struct {
    const char *name;
    unsigned bits;
} link_names[] = {
    {"pair", L_PAIR},
    {"pty", L_PTY},
    {"udp", L_UDP},
    {"tcp", L_TCP},
    {"uart9600", L_U9600},
    {"uart115200", L_U115200},
    {"uart921600", L_U921600},
    {"all", 127},
};

static void usage(FILE *out, const char *argv0)
{
    fprintf(out,
            "Usage: %s [--link NAME]... [--quick] [--runs N] [--json FILE|-] [--verbose]\n"
            "       [--openmv-rpc PATH]\n"
            "  --link NAME  pair, pty, udp, tcp, uart9600, uart115200, uart921600 or all\n"
            "               (default all; repeat to pick several)\n"
            "  --quick      small sizes and few repetitions (a smoke run)\n"
            "  --runs N     run everything N times; each figure is then the median of\n"
            "               the runs' ratios, each against its own run's baseline\n"
            "  --json FILE  also write the results as JSON (- for stdout)\n"
            "  --openmv-rpc PATH  also run OpenMV's desktop master (its rpc.py, a file\n"
            "               or a folder; needs python3-serial) against the OpenMV-timed\n"
            "               slave on pty and udp, and compare (OMV_RPC_BENCH_PYTHON:\n"
            "               the interpreter)\n"
            "  -v, --verbose  show every library log line, with the time (without it:\n"
            "               its warnings and errors)\n",
            argv0);
}

static size_t clamp(double v, size_t lo, size_t hi)
{
    return v < (double)lo ? lo : v > (double)hi ? hi : (size_t)v;
}

/* A fast link: the sizes (64 MiB), or small ones for --quick. */
static void plan_fast(bench_plan *p, int quick)
{
    p->rtt_iters = quick ? 200 : 2000;
    p->call_iters = quick ? 200 : 2000;
    p->bulk_small = quick ? MIB / 4 : MIB;
    p->bulk_big = quick ? MIB : 64 * MIB;
    p->frame_len = 30000; /* a typical QVGA JPEG */
    p->stream_bytes = quick ? 2 * MIB : 64 * MIB;
}

/* A paced UART: every size scaled to take seconds, not hours. */
static void plan_uart(bench_plan *p, uint32_t baud, int quick)
{
    double bps = baud / 10.0, span = quick ? 0.25 : 1.0;
    p->kind = BENCH_UART;
    p->baud = baud;
    p->rtt_iters = clamp(2 * span * bps / 16, 10, 2000);
    p->call_iters = clamp(2 * span * bps / 48, 10, 2000);
    p->bulk_small = clamp(span * bps, 256, MIB);
    p->bulk_big = clamp(4 * span * bps, 1024, 64 * MIB);
    p->frame_len = clamp(bps / 4, 64, 30000);
    p->stream_bytes = clamp(3 * span * bps, 4 * p->frame_len, 64 * MIB);
    p->kib_calls = baud <= 9600 ? (quick ? 1 : 3) : (quick ? 3 : 20);
    snprintf(p->scale_note, sizeof p->scale_note, "sizes scaled to %u baud", baud);
}

static int run(unsigned links, int quick, const char *openmv_rpc, const omv_rpc_log *log,
               bench_results *r)
{
    int rc = 0;
    bench_plan p;
    if (links & L_PAIR) {
        memset(&p, 0, sizeof p);
        plan_fast(&p, quick);
        p.name = p.lat_name = p.bulk_name = "pair";
        p.kind = BENCH_PAIR;
        p.do_latency = p.do_bulk = 1;
        p.quick = quick;
        p.log = *log;
        rc |= bench_run_plan(&p, r);
    }
    if (links & L_PTY) {
        memset(&p, 0, sizeof p);
        plan_fast(&p, quick);
        p.name = p.lat_name = p.bulk_name = "pty";
        p.kind = BENCH_PTY;
        p.do_latency = p.do_bulk = 1;
        p.quick = quick;
        p.log = *log;
        rc |= bench_run_plan(&p, r);
        p.openmv_rpc = openmv_rpc;
        rc |= bench_run_openmv(&p, r);
        rc |= bench_run_openmv_own(&p, r);
    }
    if (links & (L_UDP | L_TCP)) {
        /* One network link: transfers up to 1400 B go as UDP datagrams,
         * larger ones and streams over TCP. */
        memset(&p, 0, sizeof p);
        plan_fast(&p, quick);
        p.name = "udp+tcp";
        p.lat_name = "udp";
        p.bulk_name = "tcp";
        p.kind = BENCH_NET;
        p.do_latency = (links & L_UDP) != 0;
        p.do_bulk = (links & L_TCP) != 0;
        p.quick = quick;
        p.log = *log;
        rc |= bench_run_plan(&p, r);
        if (p.do_latency) {
            p.openmv_rpc = openmv_rpc;
            rc |= bench_run_openmv(&p, r);
            rc |= bench_run_openmv_own(&p, r);
        }
    }
    static const struct {
        unsigned bit;
        uint32_t baud;
        const char *name;
    } uarts[3] = {{L_U9600, 9600, "uart9600"},
                  {L_U115200, 115200, "uart115200"},
                  {L_U921600, 921600, "uart921600"}};
    for (int i = 0; i < 3; i++) {
        if (links & uarts[i].bit) {
            memset(&p, 0, sizeof p);
            plan_uart(&p, uarts[i].baud, quick);
            p.name = p.lat_name = p.bulk_name = uarts[i].name;
            p.do_latency = p.do_bulk = 1;
            p.quick = quick;
            p.log = *log;
            rc |= bench_run_plan(&p, r);
        }
    }
    return rc;
}

int omv_rpc_bench_main(int argc, char **argv)
{
    const char *argv0 = argc > 0 ? argv[0] : "omv-rpc-bench";
    unsigned links = 0;
    int quick = 0, verbose = 0;
    size_t runs = 1;
    const char *json = NULL;
    const char *openmv_rpc = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            char *end = NULL;
            long n = strtol(argv[++i], &end, 10);
            if (!end || *end || n < 1 || n > 99 || argv[i][0] < '0' || argv[i][0] > '9') {
                fprintf(stderr, "%s: --runs must be a decimal number from 1 to 99, not \"%s\"\n",
                        argv0, argv[i]);
                return 2;
            }
            runs = (size_t)n;
        } else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            verbose++;
        } else if (strcmp(argv[i], "--openmv-rpc") == 0 && i + 1 < argc) {
            openmv_rpc = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json = argv[++i];
        } else if (strcmp(argv[i], "--link") == 0 && i + 1 < argc) {
            const char *name = argv[++i];
            size_t k = 0, n = sizeof link_names / sizeof link_names[0];
            while (k < n && strcmp(link_names[k].name, name) != 0) {
                k++;
            }
            if (k == n) {
                fprintf(stderr, "%s: no link named %s (see --help)\n", argv0, name);
                return 2;
            }
            links |= link_names[k].bits;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, argv0);
            return 0;
        } else {
            fprintf(stderr, "%s: %s option %s (see --help)\n", argv0,
                    strcmp(argv[i], "--runs") == 0 || strcmp(argv[i], "--json") == 0 ||
                            strcmp(argv[i], "--link") == 0 || strcmp(argv[i], "--openmv-rpc") == 0
                        ? "missing the argument of"
                        : "unknown",
                    argv[i]);
            return 2;
        }
    }
    if (links == 0) {
        links = 127;
    }
    /* As omv-rpc's other commands: warnings and errors always; with
     * --verbose every line, with the time. */
    bench_log_opts log_opts = {argv0, verbose};
    omv_rpc_log log = bench_stderr_log(&log_opts);
    bench_results *each = calloc(runs, sizeof *each);
    if (!each) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        return 1;
    }
    for (size_t k = 0; k < runs; k++) {
        if (runs > 1) {
            bench_progress("run %zu of %zu", k + 1, runs);
        }
        each[k].quick = quick;
        run(links, quick, openmv_rpc, &log, &each[k]);
    }
    bench_results r;
    if (runs == 1) {
        r = each[0];
    } else if (bench_merge_runs(each, runs, &r) != 0) {
        r.failures++;
    }
    for (size_t k = 0; runs > 1 && k < runs; k++) {
        bench_results_free(&each[k]);
    }
    free(each);

    int json_to_stdout = json && strcmp(json, "-") == 0;
    bench_print_table(&r, json_to_stdout ? stderr : stdout);
    int rc = r.failures ? 1 : 0;
    if (json) {
        FILE *out = json_to_stdout ? stdout : fopen(json, "w");
        if (!out || bench_write_json(&r, out) != 0) {
            fprintf(stderr, "%s: cannot write %s\n", argv0, json);
            rc = 1;
        }
        if (out && !json_to_stdout && fclose(out) != 0) {
            fprintf(stderr, "%s: cannot write %s\n", argv0, json);
            rc = 1;
        }
    }
    bench_results_free(&r);
    return rc;
}
