/* The platform's monotonic clock, sleeps, and condition-variable
 * deadlines (clock.h says why those need care). */
#include "clock.h"

#include "omv_rpc/clock.h"

#ifdef _WIN32
#include <windows.h>

uint64_t omvrpc_clock_ms64(void)
{
    return (uint64_t)GetTickCount64();
}

uint64_t omvrpc_clock_us64(void)
{
    LARGE_INTEGER freq, now;
    QueryPerformanceFrequency(&freq); /* cheap: a value fixed at boot */
    QueryPerformanceCounter(&now);
    return (uint64_t)(now.QuadPart / freq.QuadPart) * 1000000u +
           (uint64_t)(now.QuadPart % freq.QuadPart) * 1000000u / (uint64_t)freq.QuadPart;
}

void omv_rpc_sleep_ms(uint32_t ms)
{
    Sleep(ms);
}

void omvrpc_sleep_us(uint32_t us)
{
    Sleep((us + 999u) / 1000u);
}
#else
#include <errno.h>

uint64_t omvrpc_clock_ms64(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t omvrpc_clock_us64(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_ts(struct timespec ts)
{
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void omv_rpc_sleep_ms(uint32_t ms)
{
    sleep_ts((struct timespec){(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L});
}

void omvrpc_sleep_us(uint32_t us)
{
    sleep_ts((struct timespec){(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L});
}
#endif

uint32_t omv_rpc_clock_ms(void *ctx)
{
    (void)ctx;
    return (uint32_t)omvrpc_clock_ms64();
}

static pthread_once_t cond_clock_once = PTHREAD_ONCE_INIT;
static clockid_t cond_clock_id = CLOCK_REALTIME;

static void cond_clock_probe(void)
{
#ifdef OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) == 0) {
        if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0) {
            cond_clock_id = CLOCK_MONOTONIC;
        }
        pthread_condattr_destroy(&attr);
    }
#endif
}

static clockid_t cond_clock(void)
{
    pthread_once(&cond_clock_once, cond_clock_probe);
    return cond_clock_id;
}

int omvrpc_cond_init(pthread_cond_t *c)
{
#ifdef OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK
    if (cond_clock() == CLOCK_MONOTONIC) {
        pthread_condattr_t attr;
        int err = pthread_condattr_init(&attr);
        if (err == 0) {
            err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
            if (err == 0) {
                err = pthread_cond_init(c, &attr);
            }
            pthread_condattr_destroy(&attr);
        }
        return err;
    }
#endif
    return pthread_cond_init(c, NULL);
}

void omvrpc_deadline_after(struct timespec *ts, uint32_t ms)
{
    clock_gettime(cond_clock(), ts);
    ts->tv_sec += ms / 1000u;
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
