/* An absolute CLOCK_MONOTONIC time for pthread_cond_timedwait on a
 * condition variable set to that clock: the in-process links (pair, CAN
 * bus) and the simulated I2C/SPI camera of the tests wait this way.
 * Internal, not installed. */
#ifndef OMV_RPC_DEADLINE_H
#define OMV_RPC_DEADLINE_H

#include <stdint.h>
#include <time.h>

/* `ms` milliseconds from now. */
static inline void omvrpc_deadline_after(struct timespec *ts, uint32_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000u;
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

#endif
