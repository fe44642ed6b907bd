/* omv-rpc: the call argument options (see argument.h). */
#include "argument.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_argument_option(cli_argument *a, int opt, const char *arg)
{
    if (opt != CLI_OPT_DATA && opt != CLI_OPT_HEX && opt != CLI_OPT_FILE) {
        return 1;
    }
    if (a->data != NULL || a->hex != NULL || a->file != NULL) {
        fprintf(stderr, "omv-rpc: give one of --data, --hex, --file\n");
        return -1;
    }
    if (opt == CLI_OPT_DATA) {
        a->data = arg;
    } else if (opt == CLI_OPT_HEX) {
        a->hex = arg;
    } else {
        a->file = arg;
    }
    return 0;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_hex(cli_argument *a)
{
    size_t cap = strlen(a->hex) / 2 + 1;
    a->bytes = malloc(cap);
    if (a->bytes == NULL) {
        return CLI_EXIT_FAILURE;
    }
    a->len = 0;
    int high = -1;
    for (const char *s = a->hex; *s != '\0'; s++) {
        if (isspace((unsigned char)*s) || *s == ':') {
            continue;
        }
        int v = hex_value((unsigned char)*s);
        if (v < 0) {
            fprintf(stderr, "omv-rpc: --hex: '%c' is not a hexadecimal digit\n", *s);
            return CLI_EXIT_USAGE;
        }
        if (high < 0) {
            high = v;
        } else {
            a->bytes[a->len++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    if (high >= 0) {
        fprintf(stderr, "omv-rpc: --hex: an odd number of digits\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_argument_load(cli_argument *a)
{
    if (a->hex != NULL) {
        return parse_hex(a);
    }
    if (a->file != NULL) {
        return cli_read_file(a->file, &a->bytes, &a->len);
    }
    if (a->data != NULL) {
        a->len = strlen(a->data);
        a->bytes = malloc(a->len + 1);
        if (a->bytes == NULL) {
            return CLI_EXIT_FAILURE;
        }
        memcpy(a->bytes, a->data, a->len + 1);
    }
    return CLI_EXIT_OK;
}

void cli_argument_free(cli_argument *a)
{
    free(a->bytes);
    a->bytes = NULL;
    a->len = 0;
}
