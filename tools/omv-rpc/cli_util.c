/* omv-rpc: signals, files and time for the subcommands. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_platform.h"

volatile sig_atomic_t cli_interrupted = 0;
/* The slave that Ctrl-C stops and the master whose call, stream or
 * cut-through it aborts (both functions are async-signal-safe). */
static omv_rpc_slave *volatile stoppable_slave = NULL;
static omv_rpc_master *volatile abortable_master = NULL;

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
    omv_rpc_slave *slave = stoppable_slave;
    if (slave != NULL) {
        omv_rpc_slave_stop(slave);
    }
    omv_rpc_master *master = abortable_master;
    if (master != NULL) {
        omv_rpc_master_abort(master);
    }
}

void cli_install_signals(void)
{
#ifdef _WIN32
    /* Ctrl-C and Ctrl-Break come as SIGINT and SIGBREAK on a thread of
     * their own, where the handler's two calls are safe too; there is no
     * SIGPIPE (a closed pipe is EPIPE already). */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
#ifdef SIGBREAK
    signal(SIGBREAK, on_signal);
#endif
#else
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
#endif
}

void cli_set_abortable_master(omv_rpc_master *master)
{
    abortable_master = master;
    if (master != NULL && cli_interrupted) {
        omv_rpc_master_abort(master);
    }
}

void cli_free_master(omv_rpc_master *master)
{
    if (master != NULL && master == abortable_master) {
        abortable_master = NULL;
    }
    omv_rpc_master_free(master);
}

void cli_set_stoppable_slave(omv_rpc_slave *slave)
{
    stoppable_slave = slave;
    if (slave != NULL && cli_interrupted) {
        omv_rpc_slave_stop(slave);
    }
}

void cli_report(const char *what, omv_rpc_status status)
{
    fprintf(stderr, "omv-rpc: %s: %s (%s)\n", what, omv_rpc_status_message(status),
            omv_rpc_status_name(status));
}

int cli_write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR && !cli_interrupted) {
                continue;
            }
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int cli_read_file(const char *path, uint8_t **data, size_t *len)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | CLI_O_BINARY);
    if (fd < 0) {
        fprintf(stderr, "omv-rpc: cannot read %s: %s\n", path, strerror(errno));
        return CLI_EXIT_FILE;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    int rc = buf != NULL ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    while (rc == CLI_EXIT_OK) {
        if (n == cap) {
            if (cap > OMV_RPC_DEFAULT_MAX_PAYLOAD) {
                fprintf(stderr, "omv-rpc: %s is over the 64 MiB argument limit\n", path);
                rc = CLI_EXIT_FILE;
                break;
            }
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                rc = CLI_EXIT_FAILURE;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            fprintf(stderr, "omv-rpc: cannot read %s: %s\n", path, strerror(errno));
            rc = CLI_EXIT_FILE;
        } else if (got == 0) {
            break;
        } else {
            n += (size_t)got;
        }
    }
    if (fd != STDIN_FILENO) {
        close(fd);
    }
    if (rc != CLI_EXIT_OK) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = n;
    return CLI_EXIT_OK;
}

int cli_write_file(const char *path, const uint8_t *data, size_t len)
{
    int to_stdout = strcmp(path, "-") == 0;
    int fd =
        to_stdout ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | CLI_O_BINARY, 0666);
    if (fd < 0 || cli_write_all(fd, data, len) != 0) {
        fprintf(stderr, "omv-rpc: cannot write %s: %s\n", to_stdout ? "stdout" : path,
                strerror(errno));
        if (fd >= 0 && !to_stdout) {
            close(fd);
        }
        return CLI_EXIT_FILE;
    }
    if (!to_stdout && close(fd) != 0) {
        fprintf(stderr, "omv-rpc: cannot write %s: %s\n", path, strerror(errno));
        return CLI_EXIT_FILE;
    }
    return CLI_EXIT_OK;
}

uint64_t cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
