/* posix_openpt, grantpt, unlockpt and ptsname are X/Open interfaces. */
#define _XOPEN_SOURCE 700

#include "pty_pair.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"

void pty_pair_open(pty_pair *p)
{
    memset(p, 0, sizeof *p);
    p->controller_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->controller_fd < 0) {
        fail_msg("posix_openpt failed: this system has no pseudo-terminals");
    }
    assert_int_equal(grantpt(p->controller_fd), 0);
    assert_int_equal(unlockpt(p->controller_fd), 0);
    const char *name = ptsname(p->controller_fd);
    assert_non_null(name);
    assert_true(strlen(name) < sizeof p->path);
    strcpy(p->path, name);
}

int pty_pair_take_controller(pty_pair *p)
{
    int fd = p->controller_fd;
    p->controller_fd = -1;
    return fd;
}

void pty_pair_close(pty_pair *p)
{
    if (p->controller_fd >= 0) {
        close(p->controller_fd);
        p->controller_fd = -1;
    }
}
