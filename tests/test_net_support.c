/* Helpers shared by the network link tests. */
#include <stdlib.h>
#include <string.h>

#include "test_net_support.h"

int tn_socket(int type)
{
    assert_int_equal(omvrpc_sock_start(), 0);
#ifdef _WIN32
    SOCKET s = socket(AF_INET, type, 0);
    assert_true(s != INVALID_SOCKET);
    return (int)(intptr_t)s; /* as the link keeps its sockets (net_os.h) */
#else
    int fd = socket(AF_INET, type, 0);
    assert_true(fd >= 0);
    return fd;
#endif
}

size_t tn_send(int fd, const void *data, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        struct iovec v = {(uint8_t *)(uintptr_t)data + sent, len - sent};
        omvrpc_ssize r = omvrpc_sock_sendv(fd, &v, 1, MSG_NOSIGNAL, NULL);
        if (r <= 0) {
            break;
        }
        sent += (size_t)r;
    }
    return sent;
}

static int bind_to(int type, const char *ip, uint16_t port, uint16_t *bound)
{
    int fd = tn_socket(type);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (omvrpc_sock_bind(fd, &a) != 0) {
        omvrpc_sock_close(fd);
        return -1;
    }
    if (bound) {
        socklen_t len = sizeof a;
        omvrpc_sock_name(fd, &a, &len);
        *bound = ntohs(a.sin_port);
    }
    return fd;
}

uint16_t tn_free_port(void)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        uint16_t port = 0;
        int fds[4];
        fds[0] = bind_to(SOCK_DGRAM, TN_MASTER_IP, 0, &port);
        assert_true(fds[0] >= 0);
        fds[1] = bind_to(SOCK_STREAM, TN_MASTER_IP, port, NULL);
        fds[2] = bind_to(SOCK_DGRAM, TN_SLAVE_IP, port, NULL);
        fds[3] = bind_to(SOCK_STREAM, TN_SLAVE_IP, port, NULL);
        int ok = fds[1] >= 0 && fds[2] >= 0 && fds[3] >= 0;
        for (int i = 0; i < 4; i++) {
            if (fds[i] >= 0) {
                omvrpc_sock_close(fds[i]);
            }
        }
        if (ok) {
            return port;
        }
    }
    fail_msg("no free port on both loopback addresses");
    return 0;
}

void tn_open_slave(tn_pair *p)
{
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.log.fn = ts_log;
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_slave_open(&link, TN_SLAVE_IP, p->port, NULL, 0, &cfg.log),
                     OMV_RPC_OK);
    p->slave_fault = tn_fault_wrap(&link);
    assert_int_equal(omv_rpc_slave_new(&p->slave, &link, &cfg), OMV_RPC_OK);
    ts_register_standard_callbacks(p->slave);
    memset(&p->thread, 0, sizeof p->thread);
    p->running = 0;
}

void tn_open(tn_pair *p)
{
    memset(p, 0, sizeof *p);
    p->port = tn_free_port();
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.log.fn = ts_log;
    omv_rpc_link link;
    assert_int_equal(omv_rpc_net_master_open(&link, TN_SLAVE_IP, TN_MASTER_IP, p->port, &cfg.log),
                     OMV_RPC_OK);
    p->master_fault = tn_fault_wrap(&link);
    assert_int_equal(omv_rpc_master_new(&p->master, &link, &cfg), OMV_RPC_OK);
    tn_open_slave(p);
}

void tn_start(tn_pair *p)
{
    ts_slave_thread_start(&p->thread, p->slave);
    p->running = 1;
}

void tn_close_slave(tn_pair *p)
{
    if (p->running) {
        ts_slave_thread_stop(&p->thread);
        p->running = 0;
    }
    omv_rpc_slave_free(p->slave);
    p->slave = NULL;
}

void tn_close(tn_pair *p)
{
    tn_close_slave(p);
    omv_rpc_master_free(p->master);
    p->master = NULL;
}

net_link *tn_master_net(tn_pair *p)
{
    net_link *n = tn_fault_inner(omv_rpc_master_link(p->master));
    assert_non_null(n);
    return n;
}

net_link *tn_slave_net(tn_pair *p)
{
    net_link *n = tn_fault_inner(omv_rpc_slave_link(p->slave));
    assert_non_null(n);
    return n;
}

int tn_udp_socket(const char *ip, uint16_t port)
{
    int fd = bind_to(SOCK_DGRAM, ip, port, NULL);
    assert_true(fd >= 0);
    return fd;
}

void tn_udp_send(int fd, const char *ip, uint16_t port, const void *data, size_t len)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, ip, &to.sin_addr);
    struct iovec v = {(void *)(uintptr_t)data, len};
    assert_int_equal(omvrpc_sock_sendv(fd, &v, 1, 0, &to), (omvrpc_ssize)len);
}
