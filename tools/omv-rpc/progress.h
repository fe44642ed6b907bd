/*
 * omv-rpc: a progress line on stderr for transfers that take over a
 * second, only when stderr is a terminal and --quiet was not given.
 * The core has no progress hook, so commands report what they know:
 * chunks of a snapshot, frames and bytes of a stream; a single long call
 * gets an elapsed-time spinner from a helper thread.
 */
#ifndef OMV_RPC_CLI_PROGRESS_H
#define OMV_RPC_CLI_PROGRESS_H

#include <pthread.h>
#include <stdint.h>

typedef struct cli_progress {
    int enabled;       /* stderr is a terminal and not --quiet */
    int drawn;         /* a line is on screen (end it with a newline) */
    uint64_t start_ms; /* when the transfer began */
    uint64_t last_ms;  /* last redraw (at most 10 per second) */
    const char *label;
    /* spinner thread (cli_progress_spin_start) */
    pthread_t thread;
    int thread_running;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
} cli_progress;

void cli_progress_begin(cli_progress *p, const char *label, int quiet);
/* `done` of `total` bytes (total 0: unknown), plus `frames` when non-zero. */
void cli_progress_update(cli_progress *p, uint64_t done, uint64_t total, uint64_t frames);
/* Finish the line, if one was drawn. */
void cli_progress_end(cli_progress *p);

/* Elapsed-time spinner for one long call, from a helper thread. */
void cli_progress_spin_start(cli_progress *p, const char *label, int quiet);
void cli_progress_spin_stop(cli_progress *p);

#endif
