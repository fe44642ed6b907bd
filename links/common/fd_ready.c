/* A wait in microseconds for input on a descriptor (fd_ready.h). */
#include "common/fd_ready.h"

#include <stddef.h>
#include <sys/select.h>

int omvrpc_fd_ready_us(int fd, uint32_t timeout_us)
{
    if (fd < 0 || fd >= FD_SETSIZE) {
        return 1;
    }
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    struct timeval tv = {0, (suseconds_t)(timeout_us < 1000u ? timeout_us : 999u)};
    return select(fd + 1, &in, NULL, NULL, &tv) != 0;
}
