/* A wait in microseconds for input on a descriptor (fd_ready.h). */
#include "common/fd_ready.h"

#include <stddef.h>
#include <sys/select.h>

#include "common/timer_slack.h"

int omvrpc_fd_ready_us(int fd, uint32_t timeout_us)
{
    if (fd < 0 || fd >= FD_SETSIZE) {
        return 1;
    }
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    uint32_t us = timeout_us < 1000u ? timeout_us : 999u;
    if (us > 0) {
        /* A wait that runs out ends up to the timer slack late: on Linux
         * a 100 us wait took about 150 us (a VM's wakeup adds some 25),
         * and a master's fast polls (master_timing.h), due every 100 us,
         * came every 175-190. Input still ends the wait at once. At least
         * a quarter of the wait is kept: a huge slack must not make the
         * caller's loop a busy one. */
        const uint32_t slack = omvrpc_timer_slack_us();
        us = slack < us - us / 4u ? us - slack : us / 4u;
    }
    struct timeval tv = {0, (suseconds_t)us};
    return select(fd + 1, &in, NULL, NULL, &tv) != 0;
}
