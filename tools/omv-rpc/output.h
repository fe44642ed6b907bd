/* omv-rpc: where results go; one rule for every command.
 *   --out FILE|-   one output (a result, a JPEG, a stream of frames back to
 *                  back); the default is stdout, but binary data is not
 *                  written to a terminal (as curl does) unless `--out -`
 *                  asks for it. Any file works, /dev/null included; a
 *                  folder is refused (that is --out-dir's job).
 *   --out-dir DIR  numbered files (frame-000001.jpg, ...). Files of ours
 *                  left there by an earlier run (the same name pattern)
 *                  are removed first, and the command says so, so that old
 *                  frames never mix silently with new ones; other files
 *                  are left alone. */
#ifndef OMV_RPC_CLI_OUTPUT_H
#define OMV_RPC_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* Before the transfer: CLI_EXIT_USAGE (with a message) when `out` is a
 * folder, or when `out` is NULL (not given), stdout is a terminal and
 * the data will be binary (`binary` non-zero); else 0. */
int cli_out_check(const char *cmd, const char *out, int binary);

/* After a call, when only the bytes tell whether they are text: the same
 * refusal when `out` is NULL, stdout is a terminal and `data` holds
 * control bytes other than tab, CR and LF. */
int cli_out_check_data(const char *cmd, const char *out, const uint8_t *data, size_t len);

/* The descriptor to write to (stdout for NULL or "-"); CLI_EXIT_FILE
 * (with a message) on failure. Close with cli_out_close. */
int cli_out_open(const char *out, int *fd);
/* 0, or CLI_EXIT_FILE when closing a file fails (its data is lost). */
int cli_out_close(const char *out, int fd);

/* Make DIR (one level) if it does not exist, and remove the files named
 * PREFIX + `digits` decimal digits + SUFFIX that an earlier run left,
 * saying on stderr how many and which. 0 or CLI_EXIT_FILE. */
int cli_out_dir_prepare(const char *dir, const char *prefix, int digits, const char *suffix);

#endif
