/* omv-rpc features [NAME...]: OpenMV's popular features, results in words. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "popular_features.h"
#include "output.h"

typedef struct features_opts {
    uint32_t repeat;
    const char *dir;
} features_opts;

enum { OPT_REPEAT = 3200, OPT_OUT_DIR };

static int features_option(void *ctx, int opt, const char *arg)
{
    features_opts *f = ctx;
    if (opt == OPT_REPEAT) {
        return cli_parse_u32(arg, 1, 1000000, "--repeat", &f->repeat);
    }
    if (opt == OPT_OUT_DIR) {
        f->dir = arg;
        return 0;
    }
    return -1;
}

static void features_help(void)
{
    printf("Usage: omv-rpc features [NAME...] [--repeat N] [--out-dir DIR]\n"
           "Call each detection on the camera and print the result in words.\n"
           "Names (default: all):");
    for (size_t i = 0; cli_feature_defaults[i] != NULL; i++) {
        printf("%s%s", i % 4 == 0 ? "\n  " : " ", cli_feature_defaults[i]);
    }
    printf("\n  --repeat N          run the list N times (default 1)\n"
           "  --out-dir DIR       where jpeg_snapshot saves snapshot-00000.jpg, ... (default .;\n"
           "                      those of an earlier run there are removed first)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_features(int argc, char **argv)
{
    static const struct option extra[] = {{"repeat", required_argument, NULL, OPT_REPEAT},
                                          {"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                          {NULL, 0, NULL, 0}};
    features_opts f = {1, "."};
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, features_option, &f, 0, &opts, &first);
    if (rc < 0) {
        features_help();
        return CLI_EXIT_OK;
    }
    for (int i = first; rc == 0 && i < argc; i++) {
        if (!cli_feature_known(argv[i])) {
            fprintf(stderr, "omv-rpc features: no feature named %s (see --help)\n", argv[i]);
            rc = CLI_EXIT_USAGE;
        }
    }
    if (rc != 0) {
        return rc;
    }
    int snapshots = first == argc;
    for (int i = first; i < argc; i++) {
        snapshots |= strcmp(argv[i], "jpeg_snapshot") == 0;
    }
    if (snapshots &&
        cli_out_dir_prepare(f.dir, CLI_FEATURE_SNAPSHOT_PREFIX, CLI_FEATURE_SNAPSHOT_DIGITS,
                            CLI_FEATURE_SNAPSHOT_SUFFIX) != CLI_EXIT_OK) {
        return CLI_EXIT_FILE;
    }
    cli_install_signals();
    omv_rpc_master *master = NULL;
    rc = cli_open_master(&opts, &master);
    unsigned number = 0;
    /* Like OpenMV's example, a failed call does not stop the others (the
     * exit status is the first failure's), unless the link failed: then
     * every other call would fail the same way. */
    int first_failure = CLI_EXIT_OK;
    int count = first == argc ? -1 : argc - first;
    for (uint32_t round = 0; rc == CLI_EXIT_OK && round < f.repeat && !cli_interrupted &&
                             !cli_feature_link_failed(first_failure);
         round++) {
        for (int i = 0; !cli_interrupted && !cli_feature_link_failed(first_failure); i++) {
            const char *name = count < 0   ? cli_feature_defaults[i]
                               : i < count ? argv[first + i]
                                           : NULL;
            if (name == NULL) {
                break;
            }
            int r = cli_run_feature(master, &opts, name, stdout, f.dir, &number);
            first_failure = first_failure != CLI_EXIT_OK ? first_failure : r;
        }
        fflush(stdout);
    }
    if (cli_feature_link_failed(first_failure)) {
        fprintf(stderr, "omv-rpc: stopped at the first link failure\n");
    }
    cli_free_master(master);
    return rc != CLI_EXIT_OK ? rc : first_failure;
}
