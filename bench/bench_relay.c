/* A UART's wire between two pseudo-terminals: one thread per direction
 * reads what one side wrote and hands it to the other no sooner than the
 * bytes would have taken at the baud rate (10 bits per byte: start, 8 data,
 * stop). Bytes move in chunks of about a millisecond of wire time, like a
 * UART's receive FIFO, so a long transfer keeps the rate and a short packet
 * arrives one wire time (plus at most a chunk) after it was written. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench_internal.h"

typedef struct relay_dir {
    struct bench_relay *relay;
    int from, to;
    pthread_t thread;
    int started;
} relay_dir;

typedef struct bench_relay {
    relay_dir dir[2];
    atomic_int stop;
    double byte_s; /* seconds per byte on the wire */
    size_t chunk;  /* bytes per forward, about 1 ms of wire time */
    int fd_a, fd_b;
} bench_relay;

/* Sleep until bench_now_s() reaches `t`. A relative nanosleep on the
 * monotonic reading, not clock_nanosleep(TIMER_ABSTIME): macOS has no
 * clock_nanosleep. */
static void sleep_until(double t)
{
    double left = t - bench_now_s();
    while (left > 0) {
        struct timespec ts;
        ts.tv_sec = (time_t)left;
        ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        if (nanosleep(&ts, NULL) != 0 && errno != EINTR) {
            return;
        }
        left = t - bench_now_s();
    }
}

/* Write all of buf, waiting for room, unless the relay is stopping. */
static int write_all(bench_relay *r, int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        if (atomic_load(&r->stop)) {
            return -1;
        }
        ssize_t n = write(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {fd, POLLOUT, 0};
            poll(&p, 1, 20);
        } else {
            return -1;
        }
    }
    return 0;
}

/* A UART is hardware: it is never descheduled. Ask for a real-time
 * priority so that other work on the machine does not add its jitter to
 * the wire; without the privilege the relay runs as an ordinary thread
 * (the table's raw round trips then show the jitter). */
static void try_realtime(void)
{
    struct sched_param sp;
    sp.sched_priority = sched_get_priority_min(SCHED_FIFO) + 1;
    (void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

static void *relay_run(void *arg)
{
    relay_dir *d = arg;
    bench_relay *r = d->relay;
    bench_pin_end(BENCH_ANY_CORE); /* the wire, not an end */
    try_realtime();
    uint8_t buf[1024];
    double busy_until = 0;
    while (!atomic_load(&r->stop)) {
        /* Bytes already waiting when the previous ones left go out back to
         * back, as a UART's transmitter sends its queue; otherwise the
         * line was idle and the next byte starts when it comes. Without
         * this the relay's own wake-up time would add to every byte and
         * the wire would run slower than its rate. */
        struct pollfd p = {d->from, POLLIN, 0};
        int queued = poll(&p, 1, 0) > 0;
        if (!queued && poll(&p, 1, 20) <= 0) {
            continue;
        }
        ssize_t n = read(d->from, buf, r->chunk);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            /* EIO: the terminal side is closed (not opened yet, or
             * closed by its link); wait for it. */
            bench_sleep_s(0.005);
            continue;
        }
        double now = bench_now_s();
        double start = (queued || busy_until > now) ? busy_until : now;
        if (start < now - 0.002) {
            start = now; /* the line was idle after all (a long pause) */
        }
        busy_until = start + (double)n * r->byte_s;
        sleep_until(busy_until);
        if (write_all(r, d->to, buf, (size_t)n) != 0) {
            break;
        }
    }
    return NULL;
}

omv_rpc_status bench_relay_start(bench_relay **out, int fd_a, int fd_b, uint32_t baud)
{
    bench_relay *r = calloc(1, sizeof *r);
    if (!r) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    atomic_init(&r->stop, 0);
    r->byte_s = 10.0 / (double)baud;
    r->chunk = baud / 10000u;
    if (r->chunk < 1) {
        r->chunk = 1;
    }
    if (r->chunk > 1024) {
        r->chunk = 1024;
    }
    r->fd_a = fd_a;
    r->fd_b = fd_b;
    r->dir[0].from = fd_a;
    r->dir[0].to = fd_b;
    r->dir[1].from = fd_b;
    r->dir[1].to = fd_a;
    for (int i = 0; i < 2; i++) {
        r->dir[i].relay = r;
        if (pthread_create(&r->dir[i].thread, NULL, relay_run, &r->dir[i]) != 0) {
            bench_relay_stop(r);
            return OMV_RPC_ERR_NO_MEMORY;
        }
        r->dir[i].started = 1;
    }
    *out = r;
    return OMV_RPC_OK;
}

void bench_relay_stop(bench_relay *r)
{
    if (!r) {
        return;
    }
    atomic_store(&r->stop, 1);
    for (int i = 0; i < 2; i++) {
        if (r->dir[i].started) {
            pthread_join(r->dir[i].thread, NULL);
        }
    }
    close(r->fd_a);
    close(r->fd_b);
    free(r);
}
