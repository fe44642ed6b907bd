/* omvrpc_timer_slack_us on Linux (timer_slack.h). */
#include "common/timer_slack.h"

#include <sys/prctl.h>

uint32_t omvrpc_timer_slack_us(void)
{
#ifdef PR_GET_TIMERSLACK
    /* Read each time: it is the thread's own and may change. */
    int ns = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    return ns > 0 ? (uint32_t)ns / 1000u : 0u;
#else
    return 0u;
#endif
}
