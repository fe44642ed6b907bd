/* Network link: the socket calls of net_os.h on Winsock 2. */
#include "net_os.h"

#include <limits.h>
#include <stdio.h>

#include "net_internal.h"

/* Winsock's, which not every SDK's headers name (mingw-w64's do not). */
#ifndef SIO_UDP_CONNRESET
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#endif

/* The int that holds a socket, and back (see net_os.h). */
#define SOCK(fd) ((SOCKET)(intptr_t)(fd))

/* WSAStartup, once per process, whichever thread gets there first; the
 * other threads wait for it. Its reference is never given back: the
 * library cannot know its user's last socket, and the process's end
 * releases it. (The only state the link keeps outside its handles.) */
static INIT_ONCE winsock_once = INIT_ONCE_STATIC_INIT;
static int winsock_error; /* the WSAStartup error, 0 when it worked */

static BOOL CALLBACK start_winsock(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once;
    (void)param;
    (void)context;
    WSADATA data;
    winsock_error = WSAStartup(MAKEWORD(2, 2), &data);
    if (winsock_error == 0 && (LOBYTE(data.wVersion) != 2 || HIBYTE(data.wVersion) != 2)) {
        WSACleanup();
        winsock_error = WSAVERNOTSUPPORTED;
    }
    return TRUE;
}

/* errno for a Winsock error. */
static int errno_of(int wsa)
{
    switch (wsa) {
    case WSAEINTR:
        return EINTR;
    case WSAEWOULDBLOCK:
        return EWOULDBLOCK;
    case WSAEINPROGRESS:
        return EINPROGRESS;
    case WSAEALREADY:
        return EALREADY;
    case WSAEADDRINUSE:
        return EADDRINUSE;
    case WSAEADDRNOTAVAIL:
        return EADDRNOTAVAIL;
    case WSAEACCES:
        return EACCES;
    case WSAENETUNREACH:
        return ENETUNREACH;
    case WSAEHOSTUNREACH:
    case WSAEHOSTDOWN:
        return EHOSTUNREACH;
    case WSAENETDOWN:
        return ENETDOWN;
    case WSAECONNREFUSED:
        return ECONNREFUSED;
    case WSAECONNRESET:
    case WSAENETRESET:
        return ECONNRESET;
    case WSAECONNABORTED:
        return ECONNABORTED;
    case WSAESHUTDOWN:
        return EPIPE;
    case WSAETIMEDOUT:
        return ETIMEDOUT;
    case WSAENOBUFS:
        return ENOBUFS;
    case WSAEMSGSIZE:
        return EMSGSIZE;
    case WSAEMFILE:
        return EMFILE;
    case WSAEINVAL:
        return EINVAL;
    case WSAENOTSOCK:
        return EBADF;
    case WSAEAFNOSUPPORT:
        return EAFNOSUPPORT;
    case WSAENOTCONN:
        return ENOTCONN;
    case WSANOTINITIALISED:
    case WSASYSNOTREADY:
    case WSAVERNOTSUPPORTED:
        return ENETDOWN;
    default:
        return EIO;
    }
}

/* A failed call: errno from WSAGetLastError; returns -1. */
static int failed(void)
{
    errno = errno_of(WSAGetLastError());
    return -1;
}

int omvrpc_sock_start(void)
{
    InitOnceExecuteOnce(&winsock_once, start_winsock, NULL, NULL);
    if (winsock_error != 0) {
        errno = errno_of(winsock_error);
        return -1;
    }
    return 0;
}

const char *omvrpc_sock_strerror(int err)
{
    /* The C runtime names only the classic errno values. */
    switch (err) {
    case EWOULDBLOCK:
        return "operation would block";
    case EINPROGRESS:
        return "operation in progress";
    case EALREADY:
        return "operation already in progress";
    case EADDRINUSE:
        return "address already in use";
    case EADDRNOTAVAIL:
        return "address not available";
    case ENETUNREACH:
        return "network unreachable";
    case EHOSTUNREACH:
        return "host unreachable";
    case ENETDOWN:
        return "network down (or Winsock not started)";
    case ECONNREFUSED:
        return "connection refused";
    case ECONNRESET:
        return "connection reset by peer";
    case ECONNABORTED:
        return "connection aborted";
    case ETIMEDOUT:
        return "connection timed out";
    case ENOBUFS:
        return "no buffer space";
    case EMSGSIZE:
        return "message too long";
    case EAFNOSUPPORT:
        return "address family not supported";
    case ENOTCONN:
        return "not connected";
    default:
        return strerror(err);
    }
}

int omvrpc_sock_open(int type)
{
    if (omvrpc_sock_start() != 0) {
        return -1;
    }
    SOCKET s = socket(AF_INET, type, 0);
    if (s == INVALID_SOCKET) {
        return failed();
    }
    int fd = (int)(intptr_t)s;
    /* Not inherited by child processes (POSIX: close-on-exec). */
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    if (omvrpc_sock_nonblock(fd) != 0) {
        int err = errno;
        closesocket(s);
        errno = err;
        return -1;
    }
    if (type == SOCK_DGRAM) {
        /* Windows reports an ICMP port-unreachable for an earlier datagram
         * as WSAECONNRESET on the next receive; POSIX sockets that are not
         * connected never do. Say no, as they do. */
        BOOL report = FALSE;
        DWORD bytes = 0;
        WSAIoctl(s, SIO_UDP_CONNRESET, &report, sizeof report, NULL, 0, &bytes, NULL, NULL);
    } else {
        /* Windows' SO_REUSEADDR would let another socket take over a
         * port in use; this makes the port ours alone while it is bound. */
        omvrpc_sock_setopt(fd, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1);
    }
    return fd;
}

int omvrpc_sock_close(int fd)
{
    return closesocket(SOCK(fd)) == 0 ? 0 : failed();
}

int omvrpc_sock_nonblock(int fd)
{
    u_long on = 1;
    return ioctlsocket(SOCK(fd), (long)FIONBIO, &on) == 0 ? 0 : failed();
}

int omvrpc_sock_setopt(int fd, int level, int name, int value)
{
    return setsockopt(SOCK(fd), level, name, (const char *)&value, sizeof value) == 0 ? 0
                                                                                      : failed();
}

int omvrpc_sock_error(int fd, int *err)
{
    int wsa = 0;
    int len = sizeof wsa;
    if (getsockopt(SOCK(fd), SOL_SOCKET, SO_ERROR, (char *)&wsa, &len) != 0) {
        return failed();
    }
    *err = wsa == 0 ? 0 : errno_of(wsa);
    return 0;
}

int omvrpc_sock_bind(int fd, const struct sockaddr_in *addr)
{
    return bind(SOCK(fd), (const struct sockaddr *)(const void *)addr, sizeof *addr) == 0
               ? 0
               : failed();
}

int omvrpc_sock_listen(int fd)
{
    return listen(SOCK(fd), SOMAXCONN) == 0 ? 0 : failed();
}

int omvrpc_sock_accept(int fd, struct sockaddr_in *from, socklen_t *len)
{
    SOCKET s = accept(SOCK(fd), (struct sockaddr *)(void *)from, len);
    if (s == INVALID_SOCKET) {
        return failed();
    }
    SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0);
    return (int)(intptr_t)s;
}

int omvrpc_sock_connect(int fd, const struct sockaddr_in *to)
{
    if (connect(SOCK(fd), (const struct sockaddr *)(const void *)to, sizeof *to) == 0) {
        return 0;
    }
    /* A non-blocking connect under way is WSAEWOULDBLOCK here. */
    int wsa = WSAGetLastError();
    errno = wsa == WSAEWOULDBLOCK ? EINPROGRESS : errno_of(wsa);
    return -1;
}

int omvrpc_sock_name(int fd, struct sockaddr_in *addr, socklen_t *len)
{
    return getsockname(SOCK(fd), (struct sockaddr *)(void *)addr, len) == 0 ? 0 : failed();
}

omvrpc_ssize omvrpc_sock_recv(int fd, void *buf, size_t len, int flags, struct sockaddr_in *from,
                              socklen_t *from_len)
{
    int n = len > INT_MAX ? INT_MAX : (int)len;
    int r = from != NULL
                ? recvfrom(SOCK(fd), buf, n, flags, (struct sockaddr *)(void *)from, from_len)
                : recv(SOCK(fd), buf, n, flags);
    if (r != SOCKET_ERROR) {
        return r;
    }
    if (WSAGetLastError() == WSAEMSGSIZE) {
        return n; /* the buffer is full; the rest of the datagram is gone */
    }
    return failed();
}

/* WSABUFs for `count` pieces (each at most ULONG_MAX: a longer one is cut,
 * which a partial transfer reports); returns how many. */
static DWORD to_wsabuf(const struct iovec *v, size_t count, WSABUF *out)
{
    DWORD n = 0;
    for (size_t i = 0; i < count && i < NET_MAX_IOV + 1u; i++) {
        out[n].buf = (CHAR *)v[i].iov_base;
        out[n].len = v[i].iov_len > ULONG_MAX ? ULONG_MAX : (ULONG)v[i].iov_len;
        n++;
        if (v[i].iov_len > ULONG_MAX) {
            break;
        }
    }
    return n;
}

omvrpc_ssize omvrpc_sock_sendv(int fd, const struct iovec *v, size_t count, int flags,
                               const struct sockaddr_in *to)
{
    WSABUF b[NET_MAX_IOV + 1];
    DWORD n = to_wsabuf(v, count, b), sent = 0;
    int rc = to != NULL
                 ? WSASendTo(SOCK(fd), b, n, &sent, (DWORD)flags,
                             (const struct sockaddr *)(const void *)to, sizeof *to, NULL, NULL)
                 : WSASend(SOCK(fd), b, n, &sent, (DWORD)flags, NULL, NULL);
    return rc == 0 ? (omvrpc_ssize)sent : failed();
}

omvrpc_ssize omvrpc_sock_recvv(int fd, struct iovec *v, size_t count, int flags,
                               struct sockaddr_in *from, socklen_t *from_len, int *truncated)
{
    WSABUF b[NET_MAX_IOV + 1];
    DWORD n = to_wsabuf(v, count, b), got = 0, fl = (DWORD)flags;
    if (truncated != NULL) {
        *truncated = 0;
    }
    int rc = from != NULL ? WSARecvFrom(SOCK(fd), b, n, &got, &fl, (struct sockaddr *)(void *)from,
                                        from_len, NULL, NULL)
                          : WSARecv(SOCK(fd), b, n, &got, &fl, NULL, NULL);
    if (rc == 0) {
        return (omvrpc_ssize)got;
    }
    if (WSAGetLastError() == WSAEMSGSIZE) {
        /* Longer than the pieces: they are full, the rest is gone. */
        if (truncated != NULL) {
            *truncated = 1;
        }
        size_t full = 0;
        for (DWORD i = 0; i < n; i++) {
            full += b[i].len;
        }
        return (omvrpc_ssize)full;
    }
    return failed();
}

int omvrpc_sock_poll(omvrpc_sock_pollfd *p, size_t count, int timeout_ms)
{
    /* select() rather than WSAPoll, which does not report a failed
     * connect on many Windows versions. */
    fd_set rd, wr, ex;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    int any = 0;
    for (size_t i = 0; i < count && i < FD_SETSIZE; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0) {
            continue;
        }
        if (p[i].events & POLLIN) {
            FD_SET(SOCK(p[i].fd), &rd);
        }
        if (p[i].events & POLLOUT) {
            FD_SET(SOCK(p[i].fd), &wr);
        }
        FD_SET(SOCK(p[i].fd), &ex); /* a failed connect shows here */
        any = 1;
    }
    if (!any) {
        /* select refuses empty sets. */
        Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int rc = select(0, &rd, &wr, &ex, timeout_ms < 0 ? NULL : &tv);
    if (rc == SOCKET_ERROR) {
        return failed();
    }
    int ready = 0;
    for (size_t i = 0; i < count && i < FD_SETSIZE; i++) {
        if (p[i].fd < 0) {
            continue;
        }
        if (FD_ISSET(SOCK(p[i].fd), &rd)) {
            p[i].revents |= POLLIN;
        }
        if (FD_ISSET(SOCK(p[i].fd), &wr)) {
            p[i].revents |= POLLOUT;
        }
        if (FD_ISSET(SOCK(p[i].fd), &ex)) {
            p[i].revents |= POLLERR;
        }
        ready += p[i].revents != 0;
    }
    return ready;
}
