/* omv-rpc snapshot -o FILE: one JPEG image from the camera (snapshot.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "image_options.h"
#include "output.h"
#include "snapshot.h"

typedef struct snap_opts {
    cli_image image;
    const char *out; /* NULL: stdout (not a terminal) */
    int cut_through;
} snap_opts;

enum { OPT_OUT = 'o', OPT_CUT_THROUGH = 3100 };

static int snap_option(void *ctx, int opt, const char *arg)
{
    snap_opts *s = ctx;
    if (cli_image_option(&s->image, opt, arg) == 0) {
        return 0;
    }
    switch (opt) {
    case OPT_OUT:
        s->out = arg;
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
    printf("Usage: omv-rpc snapshot [--pixformat F] [--framesize S] [--cut-through] [-o FILE|-]\n"
           "Take a JPEG snapshot on the camera and save it (OpenMV's image "
           "transfer).\n\n" CLI_IMAGE_HELP
           "  --cut-through       read the image in one raw transfer, not 32 KiB calls\n"
           "  -o, --out FILE|-    where the JPEG goes (default stdout, not a terminal)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_snapshot(int argc, char **argv)
{
    static const struct option extra[] = {{"out", required_argument, NULL, OPT_OUT},
                                          CLI_IMAGE_OPTIONS,
                                          {"cut-through", no_argument, NULL, OPT_CUT_THROUGH},
                                          {NULL, 0, NULL, 0}};
    snap_opts s;
    memset(&s, 0, sizeof(s));
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, snap_option, &s, 0, &opts, &first);
    if (rc < 0) {
        snap_help();
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc) {
        fprintf(stderr, "omv-rpc snapshot: no arguments expected (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0) {
        rc = cli_out_check("snapshot", s.out, 1);
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
        rc =
            cli_fetch_snapshot(master, &opts, cli_image_text(&s.image), s.cut_through, &jpeg, &len);
        const char *out = s.out != NULL ? s.out : "-";
        if (rc == CLI_EXIT_OK) {
            rc = cli_write_file(out, jpeg, len);
        }
        if (rc == CLI_EXIT_OK && !opts.quiet) {
            fprintf(stderr, "omv-rpc: saved %zu bytes to %s\n", len,
                    strcmp(out, "-") == 0 ? "stdout" : out);
        }
        free(jpeg);
    }
    cli_free_master(master);
    return rc;
}
