/* Serial links on POSIX: termios on any tty (USB CDC ports, UARTs,
 * USB-serial adapters, pseudo-terminals).
 *
 * The descriptor is non-blocking; every wait is a poll() bounded by the
 * transfer's silence (quiet timeouts, link.h: each byte moved starts
 * it again) and by OMV_RPC_LINK_WATCH_MS when the owner watches. Reads
 * go through a small buffer so that the protocol's many short packets
 * cost one system call each, not one per piece; long reads bypass it. */
#define _XOPEN_SOURCE 700 /* realpath(path, NULL) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifdef __APPLE__
#include <IOKit/serial/ioss.h>
#endif

#include "common/fd_ready.h"
#include "omv_rpc/clock.h"
#include "serial_internal.h"
#include "common/watch.h"

/* Bytes read ahead; a protocol ack or header is 4 to 12 bytes. */
#define RX_BUFFER_SIZE 4096u

typedef struct serial_port {
    int fd;
    int exclusive; /* TIOCEXCL was set: clear it on close */
    uint32_t baudrate;
    uint32_t latency_ms;
    omv_rpc_watcher watcher;
    size_t rx_head, rx_count;
    uint8_t rx[RX_BUFFER_SIZE];
} serial_port;

/* ------------------------------------------------------------ waiting */

/* Wait until the port is ready for `events`, the silence `q` runs out or
 * the watcher says stop. Sets *hangup when the device reported a hang-up
 * or an error: the caller's next system call then tells what happened,
 * and if it would still block the link is closed (polling again would
 * spin). */
static omv_rpc_status wait_ready(serial_port *p, short events, omv_rpc_quiet *q, int *hangup)
{
    for (;;) {
        uint32_t ms;
        omv_rpc_status st = omvrpc_quiet_wait(q, &p->watcher, &ms);
        if (st != OMV_RPC_OK) {
            return st;
        }
        struct pollfd pfd = {p->fd, events, 0};
        int rc = poll(&pfd, 1, ms > INT_MAX ? INT_MAX : (int)ms);
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            return OMV_RPC_ERR_LINK;
        }
        if (rc == 0) {
            continue; /* the loop head decides: poll may wake a little early */
        }
        if (pfd.revents & POLLNVAL) {
            return OMV_RPC_ERR_LINK;
        }
        if (pfd.revents & (POLLHUP | POLLERR)) {
            *hangup = 1;
        }
        return OMV_RPC_OK;
    }
}

/* The status for a failed read or write on an open port. */
static omv_rpc_status io_error(int err)
{
    switch (err) {
    case EIO: /* pty whose other side is gone, unplugged adapter */
    case EPIPE:
    case ENXIO:
    case ENODEV:
        return OMV_RPC_ERR_CLOSED;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

/* ---------------------------------------------------------- transfers */

static size_t take_buffered(serial_port *p, uint8_t *buf, size_t len)
{
    size_t n = p->rx_count < len ? p->rx_count : len;
    if (n) {
        memcpy(buf, p->rx + p->rx_head, n);
        p->rx_head += n;
        p->rx_count -= n;
        if (!p->rx_count) {
            p->rx_head = 0;
        }
    }
    return n;
}

static omv_rpc_status serial_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    serial_port *p = ctx;
    omv_rpc_status st = omvrpc_watcher_ask(&p->watcher);
    if (st != OMV_RPC_OK) {
        return st;
    }
    size_t n = take_buffered(p, buf, len);
    buf += n;
    len -= n;
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    int hangup = 0;
    while (len) {
        /* Long reads go straight to the caller; short ones read ahead. */
        int direct = len >= RX_BUFFER_SIZE;
        ssize_t got = direct ? read(p->fd, buf, len) : read(p->fd, p->rx, RX_BUFFER_SIZE);
        if (got > 0) {
            omvrpc_quiet_moved(&q);
            if (direct) {
                buf += got;
                len -= (size_t)got;
            } else {
                p->rx_head = 0;
                p->rx_count = (size_t)got;
                n = take_buffered(p, buf, len);
                buf += n;
                len -= n;
            }
            continue;
        }
        if (got == 0) {
            return OMV_RPC_ERR_CLOSED; /* end of file: the tty hung up */
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return io_error(errno);
        }
        if (hangup) {
            return OMV_RPC_ERR_CLOSED;
        }
        st = wait_ready(p, POLLIN, &q, &hangup);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

/* Bytes within `timeout_us` (link.h's ready_us). */
static int serial_ready_us(void *ctx, uint32_t timeout_us)
{
    serial_port *p = ctx;
    return p->rx_count || omvrpc_fd_ready_us(p->fd, timeout_us); /* read ahead already */
}

/* Write every byte of `iov` (at most IOV_PIECES pieces; modified). */
#define IOV_PIECES 8
static omv_rpc_status write_all(serial_port *p, struct iovec *iov, int count, omv_rpc_quiet *q)
{
    int hangup = 0;
    /* Skip empty pieces so the loop below only ever sees data. */
    while (count && iov->iov_len == 0) {
        iov++;
        count--;
    }
    while (count) {
        ssize_t put =
            count == 1 ? write(p->fd, iov->iov_base, iov->iov_len) : writev(p->fd, iov, count);
        if (put > 0) {
            omvrpc_quiet_moved(q);
            size_t left = (size_t)put;
            while (count && left >= iov->iov_len) {
                left -= iov->iov_len;
                iov++;
                count--;
            }
            if (count) {
                iov->iov_base = (uint8_t *)iov->iov_base + left;
                iov->iov_len -= left;
            }
            while (count && iov->iov_len == 0) {
                iov++;
                count--;
            }
            continue;
        }
        if (put < 0 && errno == EINTR) {
            continue;
        }
        if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return io_error(errno);
        }
        if (hangup) {
            return OMV_RPC_ERR_CLOSED;
        }
        omv_rpc_status st = wait_ready(p, POLLOUT, q, &hangup);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    return OMV_RPC_OK;
}

/* A packet's magic, payload and CRC in one system call. */
static omv_rpc_status serial_send(void *ctx, const omv_rpc_out_iov *pieces, size_t count,
                                  uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    serial_port *p = ctx;
    omv_rpc_status st = omvrpc_watcher_ask(&p->watcher);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    struct iovec iov[IOV_PIECES];
    while (count) {
        size_t n = count < IOV_PIECES ? count : IOV_PIECES;
        for (size_t i = 0; i < n; i++) {
            iov[i].iov_base = (void *)(uintptr_t)pieces[i].base;
            iov[i].iov_len = pieces[i].len;
        }
        st = write_all(p, iov, (int)n, &q);
        if (st != OMV_RPC_OK) {
            return st;
        }
        pieces += n;
        count -= n;
    }
    return OMV_RPC_OK;
}

static void serial_flush(void *ctx)
{
    serial_port *p = ctx;
    p->rx_head = p->rx_count = 0;
    tcflush(p->fd, TCIFLUSH);
}

static void serial_close(void *ctx)
{
    serial_port *p = ctx;
#ifdef TIOCNXCL
    if (p->exclusive) {
        ioctl(p->fd, TIOCNXCL);
    }
#endif
    close(p->fd);
    free(p);
}

static uint32_t serial_transfer_ms(void *ctx, size_t len)
{
    serial_port *p = ctx;
    return omvrpc_serial_wire_ms(p->baudrate, p->latency_ms, len);
}

static void serial_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((serial_port *)ctx)->watcher, fn, arg);
}

static omv_rpc_status serial_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                  uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(serial_get, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops serial_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = serial_recv,
    .send = serial_send,
    .flush = serial_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = serial_close,
    .transfer_ms = serial_transfer_ms,
    .watch = serial_watch,
    .ready_us = serial_ready_us,
};

/* -------------------------------------------------------------- setup */

/* The termios constant for a standard rate; 0 when there is none. */
static speed_t standard_speed(uint32_t baudrate)
{
    static const struct {
        uint32_t rate;
        speed_t speed;
    } table[] = {
        {50, B50},           {75, B75},     {110, B110},   {134, B134},     {150, B150},
        {200, B200},         {300, B300},   {600, B600},   {1200, B1200},   {1800, B1800},
        {2400, B2400},       {4800, B4800}, {9600, B9600}, {19200, B19200}, {38400, B38400},
#ifdef B57600
        {57600, B57600},
#endif
#ifdef B115200
        {115200, B115200},
#endif
#ifdef B230400
        {230400, B230400},
#endif
#ifdef B460800
        {460800, B460800},
#endif
#ifdef B500000
        {500000, B500000},
#endif
#ifdef B576000
        {576000, B576000},
#endif
#ifdef B921600
        {921600, B921600},
#endif
#ifdef B1000000
        {1000000, B1000000},
#endif
#ifdef B1152000
        {1152000, B1152000},
#endif
#ifdef B1500000
        {1500000, B1500000},
#endif
#ifdef B2000000
        {2000000, B2000000},
#endif
#ifdef B2500000
        {2500000, B2500000},
#endif
#ifdef B3000000
        {3000000, B3000000},
#endif
#ifdef B3500000
        {3500000, B3500000},
#endif
#ifdef B4000000
        {4000000, B4000000},
#endif
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].rate == baudrate) {
            return table[i].speed;
        }
    }
    return 0;
}

/* Raw bytes: no echo, no line editing, no signals, no translation, no
 * flow control; 8 data bits, no parity, 1 stop bit. */
static void make_raw(struct termios *tio)
{
    tio->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                                IXOFF | INPCK);
#ifdef IXANY
    tio->c_iflag &= ~(tcflag_t)IXANY;
#endif
    tio->c_oflag &= ~(tcflag_t)OPOST;
    tio->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
#ifdef CRTSCTS
    tio->c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    tio->c_cflag |= CS8 | CREAD | CLOCAL;
    /* VMIN 1: a non-blocking read with nothing to give fails with EAGAIN,
     * so a read of 0 bytes can only mean a hang-up. */
    tio->c_cc[VMIN] = 1;
    tio->c_cc[VTIME] = 0;
}

/* Apply a rate that has no termios constant. */
static omv_rpc_status set_custom_rate(int fd, const char *name, uint32_t baudrate,
                                      const omv_rpc_log *log)
{
#if defined(__linux__)
    uint32_t actual = 0;
    int err = omvrpc_serial_set_custom_baud(fd, baudrate, &actual);
    if (err) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s: the driver refuses %u baud (%s)", name,
                         (unsigned)baudrate, strerror(err));
        return err == ENOTTY || err == EINVAL ? OMV_RPC_ERR_UNSUPPORTED : OMV_RPC_ERR_LINK;
    }
    /* UARTs tolerate about 2% between the two ends. */
    uint64_t diff = actual > baudrate ? actual - baudrate : baudrate - actual;
    if (diff * 50u > baudrate) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "%s: asked for %u baud, the driver can only make %u", name,
                         (unsigned)baudrate, (unsigned)actual);
        return OMV_RPC_ERR_UNSUPPORTED;
    }
    return OMV_RPC_OK;
#elif defined(__APPLE__) && defined(IOSSIOSPEED)
    speed_t speed = (speed_t)baudrate;
    if (ioctl(fd, IOSSIOSPEED, &speed) != 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s: the driver refuses %u baud (%s)", name,
                         (unsigned)baudrate, strerror(errno));
        return OMV_RPC_ERR_UNSUPPORTED;
    }
    return OMV_RPC_OK;
#else
    (void)fd;
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "%s: %u baud is not a standard rate, and this system has no way to set "
                     "another",
                     name, (unsigned)baudrate);
    return OMV_RPC_ERR_UNSUPPORTED;
#endif
}

/* Put an open terminal in raw mode at `baudrate` (0: leave the rate). */
static omv_rpc_status configure(int fd, const char *name, uint32_t baudrate, const omv_rpc_log *log)
{
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        int err = errno;
        if (err == ENOTTY || err == EINVAL) {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s is not a serial port (not a tty)", name);
            return OMV_RPC_ERR_NO_SUCH_PORT;
        }
        return io_error(err) == OMV_RPC_ERR_CLOSED ? OMV_RPC_ERR_CLOSED : OMV_RPC_ERR_LINK;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        return OMV_RPC_ERR_LINK;
    }
    make_raw(&tio);
    speed_t speed = baudrate ? standard_speed(baudrate) : 0;
    if (baudrate && speed) {
        cfsetispeed(&tio, speed);
        cfsetospeed(&tio, speed);
    }
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s: cannot set raw 8N1 mode (%s)", name,
                         strerror(errno));
        return OMV_RPC_ERR_UNSUPPORTED;
    }
    if (baudrate && !speed) {
        omv_rpc_status st = set_custom_rate(fd, name, baudrate, log);
        if (st != OMV_RPC_OK) {
            return st;
        }
    } else if (baudrate) {
        /* tcsetattr succeeds when any part of the change took: check. */
        struct termios now;
        if (tcgetattr(fd, &now) != 0 || cfgetospeed(&now) != speed) {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s: the driver refuses %u baud", name,
                             (unsigned)baudrate);
            return OMV_RPC_ERR_UNSUPPORTED;
        }
    }
    tcflush(fd, TCIOFLUSH); /* whatever arrived before we were ready */
    return OMV_RPC_OK;
}

static omv_rpc_status make_link(omv_rpc_link *link, int fd, int exclusive, uint32_t baudrate,
                                uint32_t latency_ms)
{
    serial_port *p = calloc(1, sizeof *p);
    if (!p) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    p->fd = fd;
    p->exclusive = exclusive;
    p->baudrate = baudrate;
    p->latency_ms = latency_ms;
    *link =
        (omv_rpc_link){.ops = &serial_ops, .ctx = p, .flags = omvrpc_serial_link_flags(baudrate)};
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_serial_open_fd(omv_rpc_link *link, int fd, const char *name,
                                      uint32_t baudrate, const omv_rpc_log *log)
{
    if (!link || fd < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    omv_rpc_status st = configure(fd, name ? name : "serial port", baudrate, log);
    if (st == OMV_RPC_OK) {
        st = make_link(link, fd, 0, baudrate, 0);
    }
    if (st != OMV_RPC_OK) {
        close(fd);
    }
    return st;
}

/* The name of user `uid` or group `gid` (is_group), else the number. */
static void id_name(int is_group, unsigned id, char *out, size_t size)
{
    char buf[4096];
    const char *name = NULL;
    if (is_group) {
        struct group gr, *found = NULL;
        if (getgrgid_r((gid_t)id, &gr, buf, sizeof buf, &found) == 0 && found) {
            name = found->gr_name;
        }
    } else {
        struct passwd pw, *found = NULL;
        if (getpwuid_r((uid_t)id, &pw, buf, sizeof buf, &found) == 0 && found) {
            name = found->pw_name;
        }
    }
    if (name && strlen(name) < size) {
        snprintf(out, size, "%s", name);
    } else {
        snprintf(out, size, "%u", id);
    }
}

/* Tell the user how to get access to `path`: join its group when the
 * group may read and write it; otherwise joining a group would not help
 * (e.g. root:root, mode 0600), so say who owns it and that a udev rule
 * can give the device a group or mode that works. */
static void log_permission(const char *path, const omv_rpc_log *log)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "permission denied on %s", path);
        return;
    }
    char owner[128], group[128];
    id_name(0, (unsigned)sb.st_uid, owner, sizeof owner);
    id_name(1, (unsigned)sb.st_gid, group, sizeof group);
    if ((sb.st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP)) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "permission denied on %s: join the group '%s' that owns it "
                         "(sudo usermod -aG %s $USER), then log out and in again",
                         path, group, group);
        return;
    }
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "permission denied on %s: it belongs to user '%s' (group '%s', mode "
                     "%04o) and its group may not read and write it, so joining a group "
                     "does not help; a udev rule can give it a group you are in, e.g. "
                     "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"37c5\", MODE=\"0660\", "
                     "GROUP=\"dialout\" in /etc/udev/rules.d/50-openmv.rules",
                     path, owner, group, (unsigned)(sb.st_mode & 07777));
}

static void log_open_error(const char *path, int err, const omv_rpc_log *log)
{
    switch (omvrpc_serial_status_from_errno(err)) {
    case OMV_RPC_ERR_NO_SUCH_PORT:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "no serial port %s (%s)", path, strerror(err));
        break;
    case OMV_RPC_ERR_PERMISSION:
        log_permission(path, log);
        break;
    case OMV_RPC_ERR_BUSY:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "%s is in use by another program (OpenMV IDE, a serial monitor, "
                         "ModemManager?)",
                         path);
        break;
    default:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "cannot open %s (%s)", path, strerror(err));
        break;
    }
}

#if defined(__linux__)
/* The adapter's latency timer, looked up by the device's kernel name
 * (ttyUSB0 even when opened through /dev/serial/by-id/...). */
static uint32_t linux_latency(const char *path, const omv_rpc_log *log)
{
    char *real = realpath(path, NULL);
    const char *base = strrchr(real ? real : path, '/');
    base = base ? base + 1 : (real ? real : path);
    uint32_t latency = 0;
    omvrpc_serial_latency_setup(OMV_RPC_SERIAL_SYSFS_ROOT, base, log, &latency);
    free(real);
    return latency;
}
#endif

omv_rpc_status omv_rpc_serial_open(omv_rpc_link *link, const char *port, uint32_t baudrate,
                                   const omv_rpc_log *log)
{
    if (!link) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    char path[PATH_MAX];
    omv_rpc_status st = omvrpc_serial_resolve_port(port, path, sizeof path, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    int fd;
    do {
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        log_open_error(path, err, log);
        return omvrpc_serial_status_from_errno(err);
    }
    /* One program at a time: an advisory lock (held by tools that follow
     * the convention, root included) ... */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK || err == EAGAIN) {
            err = EBUSY;
        }
        log_open_error(path, err, log);
        return omvrpc_serial_status_from_errno(err);
    }
    st = configure(fd, path, baudrate, log);
    if (st != OMV_RPC_OK) {
        close(fd);
        return st;
    }
    /* ... and the kernel's exclusive mode, which refuses any later open
     * (except by root) with EBUSY. */
    int exclusive = 0;
#ifdef TIOCEXCL
    exclusive = ioctl(fd, TIOCEXCL) == 0;
#endif
    uint32_t latency = 0;
#if defined(__linux__)
    latency = linux_latency(path, log);
#elif defined(__APPLE__)
    latency = omvrpc_serial_latency_assumed(path, log);
#endif
    st = make_link(link, fd, exclusive, baudrate, latency);
    if (st != OMV_RPC_OK) {
        close(fd);
    }
    return st;
}
