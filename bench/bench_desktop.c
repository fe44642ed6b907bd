/* OpenMV's own desktop master against the OpenMV-timed slave (issue 16):
 * its rpc.py (tools/rpc/ in OpenMV's repository until February 2025),
 * loaded from the path the user gives with --openmv-rpc and never shipped
 * here, run by a Python interpreter (python3-serial for its serial
 * classes) on a new link of the same kind, the slave the same as for our
 * master's row: rpc_usb_vcp_master on the pseudo-terminal,
 * rpc_network_master on loopback UDP. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_internal.h"
#include "peers.h"

/* The driver: loads rpc.py from a file (or the rpc.py in a folder), makes
 * the calls our master's row makes ("f", 4 bytes, the slave answers them
 * reversed) for at most 60 s, and prints "median_ms calls failed wrong" as
 * its last line (rpc_network_master prints its address when it is made:
 * the pipe is read to its end, or the driver's last print met a closed
 * pipe). */
static const char driver[] =
    "import importlib.util, os, statistics, sys, time\n"
    "path, kind, where, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])\n"
    "if os.path.isdir(path): path = os.path.join(path, 'rpc.py')\n"
    "spec = importlib.util.spec_from_file_location('rpc', path)\n"
    "rpc = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(rpc)\n"
    "if kind == 'pty':\n"
    "    m = rpc.rpc_usb_vcp_master(where)\n"
    "else:\n"
    "    slave_ip, my_ip, port = where.split()\n"
    "    m = rpc.rpc_network_master(slave_ip, my_ip, int(port))\n"
    "times, failed, wrong, end = [], 0, 0, time.monotonic() + 60\n"
    "for i in range(n):\n"
    "    if time.monotonic() > end: break\n"
    "    arg = bytes([i & 255, (i >> 8) & 255, 0x5A, 0xC3])\n"
    "    t0 = time.perf_counter()\n"
    "    r = m.call('f', arg, send_timeout=1000, recv_timeout=1000)\n"
    "    times.append(time.perf_counter() - t0)\n"
    "    if r is None: failed += 1\n"
    "    elif bytes(r) != arg[::-1]: wrong += 1\n"
    "print('%.6f %d %d %d' % (statistics.median(times) * 1e3, len(times), failed, wrong))\n";

static const char *python(void)
{
    const char *env = getenv("OMV_RPC_BENCH_PYTHON");
    if (env && *env) {
        return env;
    }
    /* Debian's, which python3-serial is for, before another on PATH. */
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

/* Run the driver; its one line of output into `line`. */
static int run_driver(const char *rpc_py, const char *kind, const char *where, size_t n, char *line,
                      size_t line_size)
{
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    const char *py = python();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execlp(py, py, "-c", driver, rpc_py, kind, where, count, (char *)NULL);
        static const char msg[] = "bench: cannot run the Python interpreter "
                                  "(OMV_RPC_BENCH_PYTHON)\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(127);
    }
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    int got = 0;
    char each[256];
    while (out && fgets(each, (int)sizeof each, out) != NULL) {
        size_t n = strlen(each); /* the last line is the figures */
        n = n < line_size ? n : line_size - 1;
        memcpy(line, each, n);
        line[n] = '\0';
        got = line_size > 0;
    }
    if (out) {
        fclose(out);
    } else {
        close(fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return got && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void *serve(void *arg)
{
    bench_exact_sleeps(); /* the model's pauses as it states them */
    omvrpc_openmv_slave_run(arg);
    return NULL;
}

int bench_desktop_master(const char *rpc_py, bench_link_kind kind, const struct omvrpc_peer *like,
                         size_t n, double *median_ms, size_t *calls, size_t *failed, size_t *wrong)
{
    char where[160];
    omv_rpc_link link;
    if (bench_link_open_slave(&link, kind, where, sizeof where) != OMV_RPC_OK) {
        return -1;
    }
    omvrpc_peer slave;
    if (omvrpc_peer_init(&slave, &link, like->buf_size - 16) != OMV_RPC_OK) {
        return -1;
    }
    slave.fn = like->fn;
    slave.user = like->user;
    slave.callback_us = like->callback_us;
    slave.gc_us = like->gc_us;
    pthread_t th;
    if (pthread_create(&th, NULL, serve, &slave) != 0) {
        omvrpc_peer_free(&slave);
        return -1;
    }
    char line[128] = "";
    int rc = run_driver(rpc_py, kind == BENCH_PTY ? "pty" : "udp", where, n, line, sizeof line);
    omvrpc_peer_stop(&slave);
    pthread_join(th, NULL);
    omvrpc_peer_free(&slave);
    if (rc == 0 && sscanf(line, "%lf %zu %zu %zu", median_ms, calls, failed, wrong) != 4) {
        rc = -1;
    }
    return rc;
}
