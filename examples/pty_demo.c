/*
 * omv-rpc-pty-demo: an OpenMV RPC master and slave talking over a
 * pseudo-terminal pair, through the same serial link code that drives a
 * real /dev/ttyACM0. No camera needed.
 *
 * The slave (echo, sum, pattern) runs in a thread on the controlling side
 * of the pair; the master opens the terminal side by its path
 * (/dev/pts/N) with omv_rpc_serial_open, makes a few small and large
 * calls, and prints the results and the throughput.
 *
 * Usage: omv-rpc-pty-demo [MiB for the large echo, default 4]
 */
#ifndef _WIN32
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/omv_rpc.h"

#ifdef _WIN32
int main(void)
{
    fprintf(stderr, "omv-rpc-pty-demo needs POSIX pseudo-terminals\n");
    return 1;
}
#else
#include <fcntl.h>
#include <pthread.h>
#include <time.h>

static void print_log(void *user, omv_rpc_log_level level, const char *message)
{
    (void)user;
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level == OMV_RPC_LOG_DEBUG) {
        return;
    }
    fprintf(stderr, "[%s] %s\n", names[level], message);
}

static void cb_echo(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    omv_rpc_slave_reply(s, arg, len);
}

/* Sums the argument's bytes; the result is a little-endian u32. */
static void cb_sum(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += arg[i];
    }
    uint8_t out[4] = {(uint8_t)sum, (uint8_t)(sum >> 8), (uint8_t)(sum >> 16),
                      (uint8_t)(sum >> 24)};
    omv_rpc_slave_reply_copy(s, out, sizeof out);
}

/* Returns the text "hello from the slave". */
static void cb_hello(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    (void)user;
    static const char text[] = "hello from the slave";
    omv_rpc_slave_reply(s, text, sizeof text - 1);
}

static void *slave_main(void *arg)
{
    omv_rpc_slave_loop(arg, 50, 1000);
    return NULL;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, omv_rpc_status st)
{
    fprintf(stderr, "%s: %s (%s)\n", what, omv_rpc_status_name(st), omv_rpc_status_message(st));
    return 1;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 4;
    if (mib < 1 || mib > 64) {
        fprintf(stderr, "usage: %s [MiB for the large echo, 1..64]\n", argv[0]);
        return 2;
    }
    const omv_rpc_log log = {print_log, NULL};

    /* A pseudo-terminal pair: the controller has no path, the terminal
     * side is /dev/pts/N. */
    int controller = posix_openpt(O_RDWR | O_NOCTTY);
    if (controller < 0 || grantpt(controller) != 0 || unlockpt(controller) != 0) {
        perror("posix_openpt");
        return 1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s", ptsname(controller));
    printf("pseudo-terminal: %s\n", path);

    omv_rpc_link slave_link, master_link;
    omv_rpc_status st = omv_rpc_serial_open_fd(&slave_link, controller, "ptmx", 0, &log);
    if (st != OMV_RPC_OK) {
        return fail("slave side", st);
    }
    omv_rpc_slave *slave;
    omv_rpc_config config = {0};
    config.log = log;
    st = omv_rpc_slave_new(&slave, &slave_link, &config);
    if (st != OMV_RPC_OK) {
        return fail("slave", st);
    }
    omv_rpc_slave_register_callback(slave, "echo", cb_echo, NULL);
    omv_rpc_slave_register_callback(slave, "sum", cb_sum, NULL);
    omv_rpc_slave_register_callback(slave, "hello", cb_hello, NULL);

    /* The master opens the port by name, as it would /dev/ttyACM0
     * (baud 0: a USB virtual COM port). */
    st = omv_rpc_serial_open(&master_link, path, 0, &log);
    if (st != OMV_RPC_OK) {
        omv_rpc_slave_free(slave);
        return fail(path, st);
    }
    omv_rpc_master *master;
    st = omv_rpc_master_new(&master, &master_link, &config);
    if (st != OMV_RPC_OK) {
        omv_rpc_slave_free(slave);
        return fail("master", st);
    }

    pthread_t thread;
    if (pthread_create(&thread, NULL, slave_main, slave) != 0) {
        fprintf(stderr, "cannot start the slave thread\n");
        omv_rpc_master_free(master);
        omv_rpc_slave_free(slave);
        return 1;
    }

    int rc = 0;
    const uint8_t *result;
    size_t len;
    st = omv_rpc_master_call(master, "hello", NULL, 0, &result, &len, 1000, 1000);
    if (st == OMV_RPC_OK) {
        printf("hello() -> \"%.*s\"\n", (int)len, (const char *)result);
    } else {
        rc = fail("hello", st);
    }

    st = omv_rpc_master_call(master, "sum", "\x01\x02\x03\x04", 4, &result, &len, 1000, 1000);
    if (st == OMV_RPC_OK && len == 4) {
        printf("sum(01 02 03 04) -> %u\n", (unsigned)(result[0] | result[1] << 8));
    } else {
        rc = fail("sum", st);
    }

    st = omv_rpc_master_call(master, "no_such_function", "x", 1, &result, &len, 1000, 1000);
    printf("no_such_function() -> %s, %zu byte(s)\n", omv_rpc_status_name(st), len);

    size_t size = (size_t)mib * 1024 * 1024;
    uint8_t *data = malloc(size);
    if (!data) {
        rc = fail("large echo", OMV_RPC_ERR_NO_MEMORY);
    } else {
        for (size_t i = 0; i < size; i++) {
            data[i] = (uint8_t)(i * 131 + (i >> 9));
        }
        double start = seconds();
        st = omv_rpc_master_call(master, "echo", data, size, &result, &len, 1000, 1000);
        double took = seconds() - start;
        if (st == OMV_RPC_OK && len == size && memcmp(result, data, size) == 0) {
            /* The argument goes over, then the result comes back. */
            printf("echo(%ld MiB) -> intact in %.3f s: %.1f MB/s over the pty\n", mib, took,
                   2.0 * (double)size / took / 1e6);
        } else {
            rc = fail("large echo", st == OMV_RPC_OK ? OMV_RPC_ERR_BAD_PACKET : st);
        }
        free(data);
    }

    omv_rpc_slave_stop(slave);
    pthread_join(thread, NULL);
    printf("slave served %u call(s); master retries: %u\n",
           (unsigned)omv_rpc_slave_calls_served(slave), (unsigned)omv_rpc_master_retries(master));
    omv_rpc_master_free(master);
    omv_rpc_slave_free(slave);
    return rc;
}
#endif
