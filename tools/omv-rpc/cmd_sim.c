/* omv-rpc sim: the virtual OpenMV Cam as a slave, on a new pseudo-terminal
 * (--pty, the default; its path is the first line on stdout), a serial
 * port, the network (--net) or CAN. Ends cleanly on SIGINT / SIGTERM. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sim_host.h"

/* How long one pass of the slave loop waits for a call: short enough that
 * a stop request is seen quickly. */
#define SIM_LOOP_WAIT_MS 250u

/* --allow-master: the masters a network sim may serve. */
#define SIM_MAX_ALLOWED 64
enum { OPT_ALLOW_MASTER = 4000, OPT_FPS, OPT_CHECK_US_PER_BYTE, OPT_SCENE, OPT_OPENMV_TIMEOUTS };

typedef struct sim_options {
    const char *allowed[SIM_MAX_ALLOWED];
    size_t allowed_count;
    cli_sim_settings camera; /* --fps, --check-us-per-byte, --scene, --openmv-timeouts */
} sim_options;

static int sim_option(void *ctx, int opt, const char *arg)
{
    sim_options *o = ctx;
    switch (opt) {
    case OPT_FPS:
        return cli_parse_u32(arg, 1, 1000, "--fps", &o->camera.fps) ? 1 : 0;
    case OPT_CHECK_US_PER_BYTE:
        return cli_parse_u32(arg, 0, 100, "--check-us-per-byte", &o->camera.check_us_per_byte) ? 1
                                                                                               : 0;
    case OPT_SCENE:
        o->camera.scene_path = arg;
        return 0;
    case OPT_OPENMV_TIMEOUTS:
        o->camera.openmv_timeouts = 1;
        return 0;
    default:
        break;
    }
    if (opt != OPT_ALLOW_MASTER) {
        return 1;
    }
    if (*arg == '\0') {
        fprintf(stderr, "omv-rpc sim: --allow-master needs an address or host name\n");
        return 1;
    }
    if (o->allowed_count == SIM_MAX_ALLOWED) {
        fprintf(stderr, "omv-rpc sim: at most %d --allow-master\n", SIM_MAX_ALLOWED);
        return 1;
    }
    o->allowed[o->allowed_count++] = arg;
    return 0;
}

int cmd_sim(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--v2")) {
            return cmd_sim_v2(argc, argv); /* OpenMV Protocol V2: cmd_sim_v2.c */
        }
    }
    cli_link_opts opts;
    sim_options so = {{0}, 0, {0, 0, NULL, 0}};
    static const struct option extra[] = {
        {"allow-master", required_argument, NULL, OPT_ALLOW_MASTER},
        {"fps", required_argument, NULL, OPT_FPS},
        {"check-us-per-byte", required_argument, NULL, OPT_CHECK_US_PER_BYTE},
        {"scene", required_argument, NULL, OPT_SCENE},
        {"openmv-timeouts", no_argument, NULL, OPT_OPENMV_TIMEOUTS},
        {NULL, 0, NULL, 0}};
    int first = 0;
    int rc = cli_parse(argc, argv, extra, sim_option, &so, 1, &opts, &first);
    if (rc < 0) {
        printf("Usage: omv-rpc sim [--pty | --port DEV | --uart DEV [--baud N] |\n"
               "                    --net [--bind ADDR] [--net-port N] [--allow-master ADDR]... |\n"
               "                    --can IFACE | --kvaser N]\n"
               "                   [--fps N] [--check-us-per-byte N] [--scene FILE]\n"
               "                   [--openmv-timeouts]\n"
               "Run the virtual OpenMV Cam as an RPC slave until Ctrl-C; the line \"ready on\n"
               "...\" on stderr says where masters find it.\n"
               "  --allow-master ADDR network: serve only this master (host name or IPv4\n"
               "                      address; repeat for several); default: any master\n"
               "  --fps N             pace jpeg_image_stream at N frames per second (1..1000;\n"
               "                      default: as fast as the link takes them)\n"
               "  --check-us-per-byte N  check received packets at N microseconds per byte\n"
               "                      before answering, as a camera's CRC does (0..100;\n"
               "                      an OpenMV Cam M4 takes about 0.5-5; default 0)\n"
               "  --scene FILE        what the camera sees: a JSON scene file\n"
               "                      (docs/sim-scene.md)\n"
               "  --openmv-timeouts   time the slave as OpenMV's camera does: every attempt\n"
               "                      flushes its input, then waits 2 ms (1 ms more per\n"
               "                      failed attempt, x10 on the network), so a request\n"
               "                      sent while it was busy is lost and must be repeated;\n"
               "                      default: omvrpc's own slave timing\n\n");
        cli_print_link_help(1);
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc && opts.net) {
        fprintf(stderr, "omv-rpc sim: --net takes no address (the slave learns its master "
                        "from its calls; --bind ADDR sets its own)\n");
        rc = CLI_EXIT_USAGE;
    } else if (rc == 0 && first != argc) {
        fprintf(stderr, "omv-rpc sim: no arguments expected (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && so.allowed_count > 0 && !opts.net) {
        fprintf(stderr, "omv-rpc sim: --allow-master is for --net only\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    opts.allowed_masters = so.allowed;
    opts.allowed_master_count = so.allowed_count;
    cli_install_signals();
    cli_sim_host host;
    rc = cli_sim_host_open(&host, &opts, &so.camera);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (opts.pty) {
        printf("%s\n", host.pty_path);
        fflush(stdout);
    }
    if (!opts.quiet) {
        char where[256];
        cli_sim_host_where(&host, &opts, where, sizeof(where));
        /* Said from the slave's own setting: what it will really do. */
        if (omv_rpc_slave_get_timing(host.slave) == OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA) {
            fprintf(stderr, "omv-rpc: the slave times its side of each call as OpenMV's camera "
                            "does (--openmv-timeouts)\n");
        }
        fprintf(stderr, "omv-rpc: virtual camera ready on %s; Ctrl-C ends it\n", where);
    }
    cli_set_stoppable_slave(host.slave);
    omv_rpc_status st = OMV_RPC_ERR_STOPPED;
    if (!cli_interrupted) {
        st = omv_rpc_slave_loop(host.slave, SIM_LOOP_WAIT_MS, opts.send_timeout_ms);
    }
    cli_set_stoppable_slave(NULL);
    if (st != OMV_RPC_ERR_STOPPED) {
        cli_report("the slave stopped", st);
        rc = cli_exit_for_call(st);
    }
    if (!opts.quiet) {
        fprintf(stderr, "omv-rpc: served %lu calls\n",
                (unsigned long)omv_rpc_slave_calls_served(host.slave));
    }
    cli_sim_host_close(&host);
    return rc;
}
