/* Serial links: USB-serial adapters' latency timer (Linux sysfs).
 *
 * FTDI and similar chips hold short packets back for up to their latency
 * timer (16 ms by default) before sending them over USB. Every ack of the
 * protocol is a short packet, so the default makes OpenMV's 3 ms short
 * timeouts fail and calls crawl; 1 ms is the setting that works. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serial_internal.h"

/* Read a small decimal file; returns -1 when absent or not a number. */
static long read_number(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    char text[32];
    ssize_t n;
    do {
        n = read(fd, text, sizeof text - 1);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    text[n] = '\0';
    char *end;
    long value = strtol(text, &end, 10);
    if (end == text || value < 0) {
        return -1;
    }
    return value;
}

/* Write "1\n"; returns 0 or an errno value. */
static int write_one(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    ssize_t n;
    do {
        n = write(fd, "1\n", 2);
    } while (n < 0 && errno == EINTR);
    int err = n == 2 ? 0 : (n < 0 ? errno : EIO);
    if (close(fd) != 0 && err == 0) {
        err = errno;
    }
    return err;
}

void omvrpc_serial_latency_setup(const char *sysfs_root, const char *tty_name,
                                 const omv_rpc_log *log, uint32_t *latency_ms)
{
    *latency_ms = 0;
    if (!sysfs_root || !tty_name || !*tty_name || strchr(tty_name, '/')) {
        return;
    }
    char path[1024];
    int len = snprintf(path, sizeof path, "%s/bus/usb-serial/devices/%s/latency_timer", sysfs_root,
                       tty_name);
    if (len < 0 || (size_t)len >= sizeof path) {
        return;
    }
    long timer = read_number(path);
    if (timer < 0) {
        return; /* not a usb-serial adapter with a timer */
    }
    *latency_ms = timer > 1000 ? 1000u : (uint32_t)timer;
    if (timer <= 1) {
        return;
    }
    int err = write_one(path);
    if (err == 0 && read_number(path) == 1) {
        omvrpc_link_logf(log, OMV_RPC_LOG_INFO,
                         "%s: lowered the USB-serial latency timer from %ld ms to 1 ms", tty_name,
                         timer);
        *latency_ms = 1;
        return;
    }
    omvrpc_link_logf(
        log, OMV_RPC_LOG_WARNING,
        "%s: the USB-serial latency timer is %ld ms and cannot be lowered (%s); calls will be "
        "slow and may time out. Fix: echo 1 | sudo tee "
        "/sys/bus/usb-serial/devices/%s/latency_timer",
        tty_name, timer, err ? strerror(err) : "the driver kept its value", tty_name);
}
