/* omv-rpc snapshot -o FILE: one JPEG image from the camera (snapshot.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "snapshot.h"

typedef struct snap_opts {
    const char *pixformat, *framesize, *out;
    int cut_through;
} snap_opts;

enum { OPT_OUT = 'o', OPT_PIXFORMAT = 3100, OPT_FRAMESIZE, OPT_CUT_THROUGH };

static int snap_option(void *ctx, int opt, const char *arg)
{
    snap_opts *s = ctx;
    switch (opt) {
    case OPT_OUT:
        s->out = arg;
        return 0;
    case OPT_PIXFORMAT:
        s->pixformat = arg;
        return 0;
    case OPT_FRAMESIZE:
        s->framesize = arg;
        return 0;
    case OPT_CUT_THROUGH:
        s->cut_through = 1;
        return 0;
    default:
        return -1;
    }
}

static void snap_help(void)
{
    printf("Usage: omv-rpc snapshot [--pixformat F] [--framesize S] [--cut-through] -o FILE\n"
           "Take a JPEG snapshot on the camera and save it (OpenMV's image transfer).\n\n"
           "  --pixformat F       sensor pixel format (default sensor.RGB565)\n"
           "  --framesize S       sensor frame size (default sensor.QVGA)\n"
           "  --cut-through       read the image in one raw transfer, not 32 KiB calls\n"
           "  -o, --out FILE|-    where the JPEG goes (required)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_snapshot(int argc, char **argv)
{
    static const struct option extra[] = {{"out", required_argument, NULL, OPT_OUT},
                                          {"pixformat", required_argument, NULL, OPT_PIXFORMAT},
                                          {"framesize", required_argument, NULL, OPT_FRAMESIZE},
                                          {"cut-through", no_argument, NULL, OPT_CUT_THROUGH},
                                          {NULL, 0, NULL, 0}};
    snap_opts s = {"sensor.RGB565", "sensor.QVGA", NULL, 0};
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, snap_option, &s, 0, &opts, &first);
    if (rc < 0) {
        snap_help();
        return CLI_EXIT_OK;
    }
    if (rc == 0 && (first != argc || s.out == NULL)) {
        fprintf(stderr, "omv-rpc snapshot: give -o FILE and no other argument (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    cli_install_signals();
    omv_rpc_master *master = NULL;
    rc = cli_open_master(&opts, &master);
    if (rc == CLI_EXIT_OK) {
        uint8_t *jpeg = NULL;
        size_t len = 0;
        rc = cli_fetch_snapshot(master, &opts, s.pixformat, s.framesize, s.cut_through, &jpeg,
                                &len);
        if (rc == CLI_EXIT_OK) {
            rc = cli_write_file(s.out, jpeg, len);
        }
        if (rc == CLI_EXIT_OK && !opts.quiet) {
            fprintf(stderr, "omv-rpc: saved %zu bytes to %s\n", len, s.out);
        }
        free(jpeg);
    }
    omv_rpc_master_free(master);
    return rc;
}
