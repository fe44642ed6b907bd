/* The links the benchmark sets up by itself: the in-process pair, a
 * pseudo-terminal, loopback UDP/TCP, and a pseudo-terminal paced to a
 * UART's byte rate by a relay between two pseudo-terminals. */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_internal.h"

#define MASTER_IP "127.0.0.1"
#define SLAVE_IP "127.0.0.2"

int bench_pty_open(char *path, size_t path_size)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) {
        return -1;
    }
    /* ptsname is not thread-safe: the benchmark opens links from one thread. */
    const char *name = grantpt(fd) == 0 && unlockpt(fd) == 0 ? ptsname(fd) : NULL;
    if (!name || (size_t)snprintf(path, path_size, "%s", name) >= path_size) {
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* Whether UDP and TCP can bind `port` on both loopback addresses. */
static int port_free(uint16_t port)
{
    static const char *const ips[2] = {MASTER_IP, SLAVE_IP};
    static const int types[2] = {SOCK_DGRAM, SOCK_STREAM};
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        for (int t = 0; t < 2 && ok; t++) {
            int fd = socket(AF_INET, types[t], 0);
            struct sockaddr_in a;
            memset(&a, 0, sizeof a);
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            inet_pton(AF_INET, ips[i], &a.sin_addr);
            ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
            if (fd >= 0) {
                close(fd);
            }
        }
    }
    return ok;
}

/* A port the system hands out (bound to port 0), free on both addresses. */
static uint16_t free_port(void)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) {
            return 0;
        }
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        inet_pton(AF_INET, MASTER_IP, &a.sin_addr);
        socklen_t len = sizeof a;
        uint16_t port = 0;
        if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
            port = ntohs(a.sin_port);
        }
        close(fd);
        if (port && port_free(port)) {
            return port;
        }
    }
    return 0;
}

static omv_rpc_status open_pty(bench_link_pair *lp, const omv_rpc_log *log)
{
    char path[128];
    int fd = bench_pty_open(path, sizeof path);
    if (fd < 0) {
        return OMV_RPC_ERR_LINK;
    }
    /* The terminal side first, by name, as a user opens /dev/ttyACM0. */
    omv_rpc_status st = omv_rpc_serial_open(&lp->slave, path, 0, log);
    if (st != OMV_RPC_OK) {
        close(fd);
        return st;
    }
    st = omv_rpc_serial_open_fd(&lp->master, fd, "pty controller", 0, log);
    if (st != OMV_RPC_OK) {
        omv_rpc_link_close(&lp->slave);
    }
    return st;
}

static omv_rpc_status open_uart(bench_link_pair *lp, uint32_t baud, const omv_rpc_log *log)
{
    char path_a[128], path_b[128];
    int fd_a = bench_pty_open(path_a, sizeof path_a);
    int fd_b = fd_a < 0 ? -1 : bench_pty_open(path_b, sizeof path_b);
    if (fd_b < 0) {
        if (fd_a >= 0) {
            close(fd_a);
        }
        return OMV_RPC_ERR_LINK;
    }
    omv_rpc_status st = omv_rpc_serial_open(&lp->master, path_a, baud, log);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_serial_open(&lp->slave, path_b, baud, log);
        if (st != OMV_RPC_OK) {
            omv_rpc_link_close(&lp->master);
        }
    }
    if (st == OMV_RPC_OK) {
        st = bench_relay_start(&lp->relay, fd_a, fd_b, baud); /* owns the fds */
        if (st != OMV_RPC_OK) {
            omv_rpc_link_close(&lp->master);
            omv_rpc_link_close(&lp->slave);
        }
        return st;
    }
    close(fd_a);
    close(fd_b);
    return st;
}

static omv_rpc_status open_net(bench_link_pair *lp, const omv_rpc_log *log)
{
    uint16_t port = free_port();
    if (port == 0) {
        return OMV_RPC_ERR_ADDR_IN_USE;
    }
    omv_rpc_status st = omv_rpc_net_master_open(&lp->master, SLAVE_IP, MASTER_IP, port, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    st = omv_rpc_net_slave_open(&lp->slave, SLAVE_IP, port, NULL, 0, log);
    if (st != OMV_RPC_OK) {
        omv_rpc_link_close(&lp->master);
    }
    return st;
}

omv_rpc_status bench_link_open_slave(omv_rpc_link *slave, bench_link_kind kind, char *where,
                                     size_t where_size)
{
    if (kind == BENCH_PTY) {
        int fd = bench_pty_open(where, where_size);
        if (fd < 0) {
            return OMV_RPC_ERR_LINK;
        }
        omv_rpc_status st = omv_rpc_serial_open_fd(slave, fd, "pty controller", 0, NULL);
        if (st != OMV_RPC_OK) {
            close(fd);
        }
        return st;
    }
    if (kind != BENCH_NET) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    uint16_t port = free_port();
    if (port == 0) {
        return OMV_RPC_ERR_ADDR_IN_USE;
    }
    snprintf(where, where_size, "%s %s %u", SLAVE_IP, MASTER_IP, (unsigned)port);
    return omv_rpc_net_slave_open(slave, SLAVE_IP, port, NULL, 0, NULL);
}

omv_rpc_status bench_link_open(bench_link_pair *lp, bench_link_kind kind, uint32_t baud,
                               const omv_rpc_log *log)
{
    memset(lp, 0, sizeof *lp);
    lp->baud = baud;
    switch (kind) {
    case BENCH_PAIR:
        return omv_rpc_pair_open(&lp->master, &lp->slave, 0);
    case BENCH_PTY:
        return open_pty(lp, log);
    case BENCH_NET:
        return open_net(lp, log);
    case BENCH_UART:
        return open_uart(lp, baud, log);
    }
    return OMV_RPC_ERR_INVALID_ARG;
}

void bench_link_close_relay(bench_link_pair *lp)
{
    bench_relay_stop(lp->relay);
    lp->relay = NULL;
}
