/* Timed waits on a condition variable, the same on every platform: the
 * in-process links (pair, CAN bus) and the simulated I2C/SPI camera of the
 * tests wait this way.
 *
 * Condition variables wait for an absolute time on their clock. Monotonic
 * is right (a wall-clock jump must not stretch or cut a wait), but not
 * everywhere there: macOS has no pthread_condattr_setclock, and Windows'
 * winpthreads has it but refuses CLOCK_MONOTONIC with EINVAL. Where that
 * is so, condition variables keep their default clock, CLOCK_REALTIME, and
 * deadlines are computed on it; computing a monotonic deadline for a
 * realtime condition makes every wait end at once.
 *
 * Make each condition variable with omvrpc_cond_init() and each deadline
 * with omvrpc_deadline_after(): both agree on the clock, probed once per
 * file that includes this header. Internal, not installed. */
#ifndef OMV_RPC_DEADLINE_H
#define OMV_RPC_DEADLINE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static pthread_once_t omvrpc_cond_clock_once = PTHREAD_ONCE_INIT;
static clockid_t omvrpc_cond_clock_id = CLOCK_REALTIME;

static void omvrpc_cond_clock_probe(void)
{
#ifdef OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) == 0) {
        if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0) {
            omvrpc_cond_clock_id = CLOCK_MONOTONIC;
        }
        pthread_condattr_destroy(&attr);
    }
#endif
}

/* The clock of the condition variables made by omvrpc_cond_init(). */
static inline clockid_t omvrpc_cond_clock(void)
{
    pthread_once(&omvrpc_cond_clock_once, omvrpc_cond_clock_probe);
    return omvrpc_cond_clock_id;
}

/* Initialise `c` on omvrpc_cond_clock(). Returns pthread_cond_init's
 * result (0 on success). */
static inline int omvrpc_cond_init(pthread_cond_t *c)
{
#ifdef OMV_RPC_HAVE_PTHREAD_CONDATTR_SETCLOCK
    if (omvrpc_cond_clock() == CLOCK_MONOTONIC) {
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

/* `ms` milliseconds from now on omvrpc_cond_clock(), for
 * pthread_cond_timedwait on a condition made by omvrpc_cond_init(). */
static inline void omvrpc_deadline_after(struct timespec *ts, uint32_t ms)
{
    clock_gettime(omvrpc_cond_clock(), ts);
    ts->tv_sec += ms / 1000u;
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

#endif
