/* omv-rpc demo: the whole tour with no hardware. The virtual camera runs
 * on a thread behind a new pseudo-terminal; as the master on that
 * terminal we run the popular features, save a snapshot and stream a few
 * seconds of frames, printing frames and bytes per second. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "popular_features.h"
#include "image_options.h"
#include "output.h"
#include "sim_host.h"
#include "snapshot.h"

typedef struct demo_opts {
    const char *dir;
    uint32_t seconds;
} demo_opts;

typedef struct stream_count {
    uint64_t start_ms, until_ms, frames, bytes;
} stream_count;

enum { OPT_OUT_DIR = 3400, OPT_SECONDS };

static int demo_option(void *ctx, int opt, const char *arg)
{
    demo_opts *d = ctx;
    if (opt == OPT_OUT_DIR) {
        d->dir = arg;
        return 0;
    }
    if (opt == OPT_SECONDS) {
        return cli_parse_u32(arg, 1, 3600, "--seconds", &d->seconds);
    }
    return -1;
}

static void *serve(void *arg)
{
    omv_rpc_slave *slave = arg;
    omv_rpc_slave_loop(slave, 250, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS);
    return NULL;
}

static int count_frame(void *user_data, const uint8_t *frame, size_t len)
{
    (void)frame;
    stream_count *c = user_data;
    c->frames++;
    c->bytes += len;
    return cli_interrupted || cli_now_ms() >= c->until_ms;
}

static int run_tour(const cli_link_opts *opts, const demo_opts *d)
{
    omv_rpc_master *master = NULL;
    int rc = cli_open_master(opts, &master);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    printf("== Popular features ==\n");
    unsigned number = 0;
    for (size_t i = 0; cli_feature_defaults[i] != NULL && rc == CLI_EXIT_OK; i++) {
        rc = cli_run_feature(master, opts, cli_feature_defaults[i], stdout, d->dir, &number);
    }
    if (rc == CLI_EXIT_OK) {
        printf("\n== JPEG image transfer ==\n");
        uint8_t *jpeg = NULL;
        size_t len = 0;
        uint64_t t0 = cli_now_ms();
        cli_image image = {0};
        rc = cli_fetch_snapshot(master, opts, cli_image_text(&image), 0, &jpeg, &len);
        if (rc == CLI_EXIT_OK) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/snapshot.jpg", d->dir);
            rc = cli_write_file(path, jpeg, len);
            printf("Saved %s (%zu bytes, 320x240, in %llu ms)\n", path, len,
                   (unsigned long long)(cli_now_ms() - t0));
        }
        free(jpeg);
    }
    if (rc == CLI_EXIT_OK) {
        printf("\n== JPEG streaming (%lu s) ==\n", (unsigned long)d->seconds);
        fflush(stdout);
        cli_image image = {0};
        const char *arg = cli_image_text(&image);
        omv_rpc_status st =
            cli_call(master, opts, CLI_JPEG_STREAM_FUNCTION, arg, strlen(arg), NULL, NULL);
        stream_count c = {cli_now_ms(), 0, 0, 0};
        c.until_ms = c.start_ms + 1000u * d->seconds;
        if (st == OMV_RPC_OK) {
            st = omv_rpc_master_stream_reader(master, count_frame, &c, CLI_DEFAULT_QUEUE_DEPTH,
                                              OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS);
        }
        if (st != OMV_RPC_OK) {
            cli_report("jpeg_image_stream", st);
            rc = cli_exit_for_call(st);
        } else {
            double secs = (double)(cli_now_ms() - c.start_ms) / 1000.0;
            printf("%llu frames in %.2f s: %.1f frames/s, %.0f bytes/s (%.2f MB/s)\n",
                   (unsigned long long)c.frames, secs, (double)c.frames / secs,
                   (double)c.bytes / secs, (double)c.bytes / secs / 1e6);
        }
    }
    fflush(stdout);
    cli_free_master(master);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option extra[] = {{"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                          {"seconds", required_argument, NULL, OPT_SECONDS},
                                          {NULL, 0, NULL, 0}};
    demo_opts d = {".", 3};
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, demo_option, &d, 0, &opts, &first);
    if (rc < 0) {
        printf("Usage: omv-rpc demo [--out-dir DIR] [--seconds N]\n"
               "Start the virtual camera on a pseudo-terminal and, as the master, run the\n"
               "popular features, save DIR/snapshot.jpg and stream N seconds (default 3).\n");
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc) {
        fprintf(stderr, "omv-rpc demo: no arguments expected (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    if (cli_out_dir_prepare(d.dir, CLI_FEATURE_SNAPSHOT_PREFIX, CLI_FEATURE_SNAPSHOT_DIGITS,
                            CLI_FEATURE_SNAPSHOT_SUFFIX) != CLI_EXIT_OK) {
        return CLI_EXIT_FILE;
    }
    cli_install_signals();
    cli_link_opts sim_opts = opts;
    sim_opts.pty = 1;
    sim_opts.net = 0;
    sim_opts.uart = NULL;
    cli_sim_host host;
    rc = cli_sim_host_open(&host, &sim_opts, NULL);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    printf("Virtual OpenMV Cam on %s\n\n", host.pty_path);
    pthread_t thread;
    if (pthread_create(&thread, NULL, serve, host.slave) != 0) {
        fprintf(stderr, "omv-rpc: cannot start the camera's thread\n");
        cli_sim_host_close(&host);
        return CLI_EXIT_FAILURE;
    }
    cli_link_opts master_opts = opts;
    master_opts.port = host.pty_path;
    master_opts.net = 0;
    master_opts.uart = NULL;
    rc = run_tour(&master_opts, &d);
    omv_rpc_slave_stop(host.slave);
    pthread_join(thread, NULL);
    cli_sim_host_close(&host);
    return rc;
}
