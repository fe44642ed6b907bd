/*
 * Network link: the socket calls it makes, the same on POSIX and on
 * Winsock 2, so that the link's logic (who may talk to us, TCP policy,
 * waits) is written once. On POSIX these are the system calls themselves;
 * on Windows net_os_win32.c maps them (Winsock errors become errno values,
 * WSAStartup happens once, before the first socket or name lookup).
 *
 * Sockets are ints on both. A Windows SOCKET is a kernel handle, of which
 * only the low 32 bits are significant (Microsoft's 64-bit interprocess
 * rules: truncating and sign-extending a handle is safe), so an int holds
 * it and -1 is INVALID_SOCKET. Not installed: internal to the link.
 */
#ifndef OMV_RPC_NET_OS_H
#define OMV_RPC_NET_OS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef _WIN32
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* Vista: inet_pton, inet_ntop */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN /* no COM headers: they define `interface`, `small`... */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

/* The pieces of a scattered transfer, as POSIX has them. */
struct iovec {
    void *iov_base;
    size_t iov_len;
};
typedef SSIZE_T omvrpc_ssize;
/* Sockets are non-blocking: the flag has nothing to add. */
#define MSG_DONTWAIT 0
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
typedef ssize_t omvrpc_ssize;
#endif

/* Without MSG_NOSIGNAL (macOS, Windows): nothing raises SIGPIPE there
 * (SO_NOSIGPIPE on macOS, see omvrpc_sock_open; Windows has no SIGPIPE). */
#ifndef OMV_RPC_HAVE_MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* What omvrpc_sock_poll waits for: fd (-1: skipped), events (POLLIN,
 * POLLOUT) and revents (ready, or an error to report) as in struct pollfd. */
#ifdef _WIN32
typedef struct omvrpc_sock_pollfd {
    int fd;
    short events;
    short revents;
} omvrpc_sock_pollfd;
#else
typedef struct pollfd omvrpc_sock_pollfd;
#endif

#ifdef _WIN32
/* Each returns as the POSIX call does; on failure errno is set from the
 * Winsock error (WSAEWOULDBLOCK is EWOULDBLOCK, and a connect under way
 * says EINPROGRESS, as on POSIX). */
int omvrpc_sock_open(int type);
int omvrpc_sock_close(int fd);
int omvrpc_sock_nonblock(int fd);
int omvrpc_sock_setopt(int fd, int level, int name, int value);
int omvrpc_sock_error(int fd, int *err);
int omvrpc_sock_bind(int fd, const struct sockaddr_in *addr);
int omvrpc_sock_listen(int fd);
int omvrpc_sock_accept(int fd, struct sockaddr_in *from, socklen_t *len);
int omvrpc_sock_connect(int fd, const struct sockaddr_in *to);
int omvrpc_sock_name(int fd, struct sockaddr_in *addr, socklen_t *len);
/* recv/recvfrom; a datagram longer than `len` fills it and is gone (as
 * POSIX's recv without MSG_TRUNC): the result is `len`. */
omvrpc_ssize omvrpc_sock_recv(int fd, void *buf, size_t len, int flags, struct sockaddr_in *from,
                              socklen_t *from_len);
/* sendmsg/recvmsg over `count` pieces (to/from NULL: connected). *truncated:
 * the datagram was longer than the pieces (MSG_TRUNC). */
omvrpc_ssize omvrpc_sock_sendv(int fd, const struct iovec *v, size_t count, int flags,
                               const struct sockaddr_in *to);
omvrpc_ssize omvrpc_sock_recvv(int fd, struct iovec *v, size_t count, int flags,
                               struct sockaddr_in *from, socklen_t *from_len, int *truncated);
int omvrpc_sock_poll(omvrpc_sock_pollfd *p, size_t count, int timeout_ms);
/* Name lookups need Winsock started too: 0, or -1 (errno set). */
int omvrpc_sock_start(void);
/* strerror for what the calls above put in errno. */
const char *omvrpc_sock_strerror(int err);
#else
static inline int omvrpc_sock_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
                   fcntl(fd, F_SETFD, FD_CLOEXEC) < 0
               ? -1
               : 0;
}
/* A non-blocking, close-on-exec socket, or -1 (errno set). */
static inline int omvrpc_sock_open(int type)
{
    int fd = socket(AF_INET, type, 0);
    if (fd < 0 || omvrpc_sock_nonblock(fd) != 0) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
        }
        errno = err;
        return -1;
    }
#ifdef OMV_RPC_HAVE_SO_NOSIGPIPE
    /* Where sends have no MSG_NOSIGNAL (macOS), a closed TCP peer would
     * raise SIGPIPE and kill the user's program: the socket says no. */
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
#endif
    return fd;
}
static inline int omvrpc_sock_close(int fd)
{
    return close(fd);
}
static inline int omvrpc_sock_setopt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}
static inline int omvrpc_sock_error(int fd, int *err)
{
    socklen_t len = sizeof *err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len);
}
static inline int omvrpc_sock_bind(int fd, const struct sockaddr_in *addr)
{
    return bind(fd, (const struct sockaddr *)(const void *)addr, sizeof *addr);
}
static inline int omvrpc_sock_listen(int fd)
{
    return listen(fd, SOMAXCONN);
}
static inline int omvrpc_sock_accept(int fd, struct sockaddr_in *from, socklen_t *len)
{
    return accept(fd, (struct sockaddr *)(void *)from, len);
}
static inline int omvrpc_sock_connect(int fd, const struct sockaddr_in *to)
{
    return connect(fd, (const struct sockaddr *)(const void *)to, sizeof *to);
}
static inline int omvrpc_sock_name(int fd, struct sockaddr_in *addr, socklen_t *len)
{
    return getsockname(fd, (struct sockaddr *)(void *)addr, len);
}
static inline omvrpc_ssize omvrpc_sock_recv(int fd, void *buf, size_t len, int flags,
                                            struct sockaddr_in *from, socklen_t *from_len)
{
    return from != NULL ? recvfrom(fd, buf, len, flags, (struct sockaddr *)(void *)from, from_len)
                        : recv(fd, buf, len, flags);
}
static inline omvrpc_ssize omvrpc_sock_sendv(int fd, const struct iovec *v, size_t count, int flags,
                                             const struct sockaddr_in *to)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = (void *)(uintptr_t)to; /* sendmsg only reads it */
    msg.msg_namelen = to != NULL ? sizeof *to : 0;
    msg.msg_iov = (struct iovec *)(uintptr_t)v;
    msg.msg_iovlen = count;
    return sendmsg(fd, &msg, flags);
}
static inline omvrpc_ssize omvrpc_sock_recvv(int fd, struct iovec *v, size_t count, int flags,
                                             struct sockaddr_in *from, socklen_t *from_len,
                                             int *truncated)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = from;
    msg.msg_namelen = from_len != NULL ? *from_len : 0;
    msg.msg_iov = v;
    msg.msg_iovlen = count;
    omvrpc_ssize r = recvmsg(fd, &msg, flags);
    if (from_len != NULL) {
        *from_len = msg.msg_namelen;
    }
    if (truncated != NULL) {
        *truncated = r >= 0 && (msg.msg_flags & MSG_TRUNC) != 0;
    }
    return r;
}
static inline int omvrpc_sock_poll(omvrpc_sock_pollfd *p, size_t count, int timeout_ms)
{
    return poll(p, (nfds_t)count, timeout_ms);
}
static inline int omvrpc_sock_start(void)
{
    return 0;
}
#define omvrpc_sock_strerror strerror
#endif

#endif
