/* Timing, CPU and memory figures, the counting allocator, progress. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"

double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

long bench_max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

void bench_sleep_s(double s)
{
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0) {
        return 0;
    }
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile(double *v, size_t n, double p)
{
    if (n == 0) {
        return 0;
    }
    size_t i = (size_t)ceil(p / 100.0 * (double)n);
    return v[i == 0 ? 0 : (i > n ? n - 1 : i - 1)];
}

void bench_progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The counting allocator keeps each block's size in a header so that free
 * knows how much to subtract; the header keeps max_align_t alignment. */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

static void *count_alloc(void *user_data, size_t size)
{
    bench_counter *c = user_data;
    if (size > SIZE_MAX - sizeof(block_header)) {
        return NULL;
    }
    block_header *h = malloc(sizeof *h + size);
    if (!h) {
        return NULL;
    }
    h->size = size;
    c->current += size;
    c->allocs++;
    if (c->current > c->peak) {
        c->peak = c->current;
    }
    return h + 1;
}

static void count_free(void *user_data, void *ptr)
{
    if (!ptr) {
        return;
    }
    bench_counter *c = user_data;
    block_header *h = (block_header *)ptr - 1;
    c->current -= h->size;
    free(h);
}

omv_rpc_allocator bench_counting_allocator(bench_counter *counter)
{
    omv_rpc_allocator a;
    a.alloc = count_alloc;
    a.free = count_free;
    a.user_data = counter;
    return a;
}

static void stderr_log(void *user_data, omv_rpc_log_level level, const char *message)
{
    const bench_log_opts *o = user_data;
    if (o->verbose) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        time_t secs = ts.tv_sec;
        if (localtime_r(&secs, &tm) != NULL) {
            fprintf(stderr, "%s: %02d:%02d:%02d.%03ld %s\n", o->prefix, tm.tm_hour, tm.tm_min,
                    tm.tm_sec, ts.tv_nsec / 1000000L, message);
            return;
        }
    }
    if (o->verbose || level <= OMV_RPC_LOG_WARNING) {
        fprintf(stderr, "%s: %s\n", o->prefix, message);
    }
}

omv_rpc_log bench_stderr_log(const bench_log_opts *opts)
{
    omv_rpc_log log;
    log.fn = stderr_log;
    log.user_data = (void *)(uintptr_t)opts;
    return log;
}
