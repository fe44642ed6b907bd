/* The platform's monotonic clock. */
#include "omv_rpc/clock.h"

#ifdef _WIN32
#include <windows.h>

uint32_t omv_rpc_clock_ms(void *ctx)
{
    (void)ctx;
    return (uint32_t)GetTickCount64();
}

void omv_rpc_sleep_ms(uint32_t ms)
{
    Sleep(ms);
}
#else
#include <errno.h>
#include <time.h>

uint32_t omv_rpc_clock_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void omv_rpc_sleep_ms(uint32_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
#endif
