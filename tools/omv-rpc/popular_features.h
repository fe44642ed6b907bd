/* omv-rpc: OpenMV's "popular features" as the controller: call a
 * detection on the camera and print its decoded result in words. */
#ifndef OMV_RPC_CLI_POPULAR_FEATURES_H
#define OMV_RPC_CLI_POPULAR_FEATURES_H

#include <stdio.h>

#include "cli.h"

/* jpeg_snapshot's files: snapshot-00000.jpg, ... (OpenMV's example's names). */
#define CLI_FEATURE_SNAPSHOT_PREFIX "snapshot-"
#define CLI_FEATURE_SNAPSHOT_DIGITS 5
#define CLI_FEATURE_SNAPSHOT_SUFFIX ".jpg"

/* Whether a failure means the camera is gone (nobody answers, the link
 * broke): running the next feature would only fail the same way. */
int cli_feature_link_failed(int exit_code);

/* Whether `name` is a feature this tool knows how to decode. */
int cli_feature_known(const char *name);
/* The names run when none is given, NULL-terminated. */
extern const char *const cli_feature_defaults[];

/* Call `name` and print its result as a line (or lines) to `out`.
 * jpeg_snapshot saves snapshot-NNNNN.jpg (numbered by *snapshot_number)
 * in `dir`. Returns a CLI_EXIT_*. */
int cli_run_feature(omv_rpc_master *master, const cli_link_opts *opts, const char *name, FILE *out,
                    const char *dir, unsigned *snapshot_number);

#endif
