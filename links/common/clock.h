/* The links' clock, in one place (clock.c): the monotonic clock
 * without wrapping, short sleeps, and timed waits on condition variables
 * the same on every platform (the in-process links, pair and CAN bus, and
 * the simulated I2C/SPI camera of the tests wait this way).
 *
 * Condition variables wait for an absolute time on their clock. Monotonic
 * is right (a wall-clock jump must not stretch or cut a wait), but not
 * everywhere there: macOS has no pthread_condattr_setclock, and Windows'
 * winpthreads has it but refuses CLOCK_MONOTONIC with EINVAL. Where that
 * is so, condition variables keep their default clock, CLOCK_REALTIME, and
 * deadlines are computed on it; computing a monotonic deadline for a
 * realtime condition makes every wait end at once. So make each condition
 * variable with omvrpc_cond_init() and each deadline with
 * omvrpc_deadline_after(): both agree on the clock, probed once.
 * Internal, not installed. */
#ifndef OMV_RPC_LINKS_CLOCK_H
#define OMV_RPC_LINKS_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds of the monotonic clock, not wrapping (omv_rpc_clock_ms is
 * this cut to 32 bits). */
uint64_t omvrpc_clock_ms64(void);

/* Microseconds of the monotonic clock, not wrapping (the silence timer
 * of the links' transfers, watch.h). */
uint64_t omvrpc_clock_us64(void);

/* Sleep at least `us` microseconds (whole milliseconds on Windows). */
void omvrpc_sleep_us(uint32_t us);

/* Initialise `c` on the clock omvrpc_deadline_after() uses. Returns
 * pthread_cond_init's result (0 on success). */
int omvrpc_cond_init(pthread_cond_t *c);

/* `ms` milliseconds from now on the clock of the condition variables made
 * by omvrpc_cond_init(), for pthread_cond_timedwait. */
void omvrpc_deadline_after(struct timespec *ts, uint32_t ms);

#endif
