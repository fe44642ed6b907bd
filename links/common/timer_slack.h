/* The calling thread's timer slack: how late the kernel may end a timed
 * wait, to batch wakeups (Linux: 50 us by default, per thread, set with
 * prctl). fd_ready.c takes it off its short waits. Internal. */
#ifndef OMV_RPC_LINKS_TIMER_SLACK_H
#define OMV_RPC_LINKS_TIMER_SLACK_H

#include <stdint.h>

#ifdef __linux__
uint32_t omvrpc_timer_slack_us(void); /* timer_slack_linux.c */
#else
static inline uint32_t omvrpc_timer_slack_us(void)
{
    return 0u; /* none known */
}
#endif

#endif
