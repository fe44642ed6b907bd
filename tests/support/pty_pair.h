/* A pseudo-terminal pair for the serial tests: the controlling side's
 * descriptor (from posix_openpt, it has no path of its own) and the path
 * of the terminal side (/dev/pts/N), which the tests open by name with
 * omv_rpc_serial_open as a user opens /dev/ttyACM0. */
#ifndef OMV_RPC_PTY_PAIR_H
#define OMV_RPC_PTY_PAIR_H

typedef struct pty_pair {
    int controller_fd; /* -1 once handed over (e.g. to omv_rpc_serial_open_fd) */
    char path[128];    /* the terminal side, e.g. "/dev/pts/3" */
} pty_pair;

/* Open a pair; fails the test when the system has no pseudo-terminals. */
void pty_pair_open(pty_pair *p);

/* Give up the controlling side's descriptor (the caller now owns it). */
int pty_pair_take_controller(pty_pair *p);

/* Close whatever the pair still owns. */
void pty_pair_close(pty_pair *p);

#endif
