/* A wait in microseconds for input on a POSIX descriptor, for the links'
 * ready_us (link.h): the serial link's port and the network link's UDP
 * socket. Not on Windows. Internal, not installed. */
#ifndef OMV_RPC_LINKS_FD_READY_H
#define OMV_RPC_LINKS_FD_READY_H

#include <stdint.h>

/* 1 when `fd` has input within `timeout_us` (under 1000; more is cut to
 * 999), or when select cannot watch it (an fd at or over FD_SETSIZE: the
 * caller's recv then waits) or fails (the next recv reports it); 0 when
 * the time ran out. Consumes nothing. select, not poll: its timeout is in
 * microseconds, and it is POSIX (ppoll is not on macOS). On Linux the
 * timeout is shortened by the thread's timer slack, so that the wait ends
 * when stated rather than up to the slack later. */
int omvrpc_fd_ready_us(int fd, uint32_t timeout_us);

#endif
