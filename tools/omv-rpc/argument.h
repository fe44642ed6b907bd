/* omv-rpc: the call argument options shared by `call` and `stream`:
 * --data TEXT, --hex HEX, --file PATH|-. */
#ifndef OMV_RPC_CLI_ARGUMENT_H
#define OMV_RPC_CLI_ARGUMENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_argument {
    const char *data; /* --data: the text's bytes */
    const char *hex;  /* --hex */
    const char *file; /* --file */
    uint8_t *bytes;   /* the argument, once loaded (owned) */
    size_t len;
} cli_argument;

enum { CLI_OPT_DATA = 2000, CLI_OPT_HEX, CLI_OPT_FILE };

#define CLI_ARGUMENT_OPTIONS                           \
    {"data", required_argument, NULL, CLI_OPT_DATA},   \
        {"hex", required_argument, NULL, CLI_OPT_HEX}, \
    {                                                  \
        "file", required_argument, NULL, CLI_OPT_FILE  \
    }

#define CLI_ARGUMENT_HELP                                                               \
    "  --data TEXT         the argument: the text's bytes\n"                            \
    "  --hex HEX           the argument in hexadecimal (\"0a1b...\", spaces allowed)\n" \
    "  --file PATH|-       the argument: a file's bytes (- for stdin)\n"

/* Handle one of the three options: 0 when taken, 1 when not ours, -1 on a
 * usage error (two argument options given). */
int cli_argument_option(cli_argument *a, int opt, const char *arg);
/* Build the bytes. Returns a CLI_EXIT_* (usage for bad hex). */
int cli_argument_load(cli_argument *a);
void cli_argument_free(cli_argument *a);

#endif
