/* Network link: addresses, sockets, waits and errno mapping. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/link_log.h"
#include "net_internal.h"

omv_rpc_status omvrpc_net_status_from_errno(int err)
{
    switch (err) {
    case EADDRINUSE:
        return OMV_RPC_ERR_ADDR_IN_USE;
    case EACCES:
    case EPERM:
        return OMV_RPC_ERR_PERMISSION;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
#ifdef EHOSTDOWN
    case EHOSTDOWN:
#endif
        return OMV_RPC_ERR_UNREACHABLE;
    case ECONNREFUSED:
        return OMV_RPC_ERR_REFUSED;
    case EADDRNOTAVAIL:
        return OMV_RPC_ERR_INVALID_ARG;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
        return OMV_RPC_ERR_CLOSED;
    case ETIMEDOUT:
        return OMV_RPC_ERR_TIMEOUT;
    case ENOMEM:
    case ENOBUFS:
        return OMV_RPC_ERR_NO_MEMORY;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

omv_rpc_status omvrpc_net_resolve(const char *host, int any_ok, struct in_addr *out,
                                  const omv_rpc_log *log)
{
    if (!host || !*host || strcmp(host, "any") == 0) {
        if (!any_ok) {
            return OMV_RPC_ERR_INVALID_ARG;
        }
        out->s_addr = htonl(INADDR_ANY);
        return OMV_RPC_OK;
    }
    /* Windows: Winsock first (once; nothing to do elsewhere). */
    if (omvrpc_sock_start() != 0) {
        int err = errno;
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: cannot start the network: %s",
                         omvrpc_sock_strerror(err));
        return omvrpc_net_status_from_errno(err);
    }
    /* A literal needs no resolver (and works with no network at all). */
    if (inet_pton(AF_INET, host, out) == 1) {
        return OMV_RPC_OK;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: cannot resolve host \"%s\" (%s)", host,
                         gai_strerror(rc));
        if (res) {
            freeaddrinfo(res);
        }
        return OMV_RPC_ERR_HOST_NOT_FOUND;
    }
    memcpy(out, &((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr, sizeof *out);
    freeaddrinfo(res);
    return OMV_RPC_OK;
}

const char *omvrpc_net_format(const struct sockaddr_in *addr, char *buf, size_t size)
{
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &addr->sin_addr, ip, sizeof ip);
    snprintf(buf, size, "%s:%u", ip, (unsigned)ntohs(addr->sin_port));
    return buf;
}

/* Whether the transfer must end now (n->wait_status says why); else
 * *sleep_ms is how long it may sleep. */
static int must_end(net_link *n, uint32_t *sleep_ms)
{
    n->wait_status = omvrpc_quiet_wait(&n->quiet, &n->watcher, sleep_ms);
    return n->wait_status != OMV_RPC_OK;
}

int omvrpc_net_wait(net_link *n, int fd, short events)
{
    for (;;) {
        uint32_t ms = 0;
        int last = must_end(n, &ms);
        if (last && n->wait_status != OMV_RPC_ERR_TIMEOUT) {
            return 0; /* the watcher said stop */
        }
        /* One more look when the time is up: data may be waiting. */
        omvrpc_sock_pollfd p = {fd, events, 0};
        int rc = omvrpc_sock_poll(&p, 1, last ? 0 : (int)(ms > 60000u ? 60000u : ms));
        if (rc > 0) {
            return 1;
        }
        if (rc < 0 && errno != EINTR) {
            return -1;
        }
        if (last) {
            return 0;
        }
    }
}

int omvrpc_net_expired(net_link *n)
{
    uint32_t ms;
    return must_end(n, &ms);
}

int omvrpc_net_socket(int type)
{
    return omvrpc_sock_open(type);
}

void omvrpc_net_close_fd(int *fd)
{
    if (*fd >= 0) {
        omvrpc_sock_close(*fd);
        *fd = -1;
    }
}

omv_rpc_status omvrpc_net_bind(int fd, const struct sockaddr_in *addr, const char *what,
                               const omv_rpc_log *log)
{
    if (omvrpc_sock_bind(fd, addr) == 0) {
        return OMV_RPC_OK;
    }
    int err = errno;
    char where[32];
    omvrpc_net_format(addr, where, sizeof where);
    omv_rpc_status st = omvrpc_net_status_from_errno(err);
    if (st == OMV_RPC_ERR_ADDR_IN_USE) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "net: %s port %u is already in use on %s (another program, or another "
                         "master or slave, holds it)",
                         what, (unsigned)ntohs(addr->sin_port), where);
    } else if (st == OMV_RPC_ERR_PERMISSION) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "net: no permission to bind %s port %u on %s (ports below 1024 need "
                         "privileges)",
                         what, (unsigned)ntohs(addr->sin_port), where);
    } else if (err == EADDRNOTAVAIL) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: %s is not an address of this host (%s bind)",
                         where, what);
    } else {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "net: cannot bind %s to %s: %s", what, where,
                         omvrpc_sock_strerror(err));
    }
    return st;
}

static size_t iov_skip(const size_t *lens, size_t count, size_t *offset)
{
    size_t i = 0;
    while (i < count && *offset >= lens[i]) {
        *offset -= lens[i];
        i++;
    }
    return i;
}

size_t omvrpc_net_iov_in(const omv_rpc_in_iov *iov, size_t count, size_t offset, struct iovec *out)
{
    size_t lens[NET_MAX_IOV], n = 0;
    for (size_t i = 0; i < count && i < NET_MAX_IOV; i++) {
        lens[i] = iov[i].len;
    }
    count = count < NET_MAX_IOV ? count : NET_MAX_IOV;
    for (size_t i = iov_skip(lens, count, &offset); i < count; i++) {
        if (iov[i].len - offset == 0) {
            continue;
        }
        out[n].iov_base = iov[i].base + offset;
        out[n].iov_len = iov[i].len - offset;
        n++;
        offset = 0;
    }
    return n;
}

size_t omvrpc_net_iov_out(const omv_rpc_out_iov *iov, size_t count, size_t offset,
                          struct iovec *out)
{
    size_t lens[NET_MAX_IOV], n = 0;
    for (size_t i = 0; i < count && i < NET_MAX_IOV; i++) {
        lens[i] = iov[i].len;
    }
    count = count < NET_MAX_IOV ? count : NET_MAX_IOV;
    for (size_t i = iov_skip(lens, count, &offset); i < count; i++) {
        if (iov[i].len - offset == 0) {
            continue;
        }
        /* sendmsg only reads the pieces; struct iovec has no const. */
        out[n].iov_base = (void *)(uintptr_t)(iov[i].base + offset);
        out[n].iov_len = iov[i].len - offset;
        n++;
        offset = 0;
    }
    return n;
}
