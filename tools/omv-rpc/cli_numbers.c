/* omv-rpc: numbers on the command line (see cli.h): decimal, as a user
 * means them, with 0x hex only for IDs and addresses. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Decimal only: "010" is ten, as a user means it (C's strtoul base 0
 * would read it as octal eight and refuse "09"). */
static int parse_digits(const char *text, int base, unsigned long long *v)
{
    if (text[0] == '\0') {
        return -1;
    }
    unsigned long long n = 0;
    for (const char *s = text; *s != '\0'; s++) {
        int d = *s >= '0' && *s <= '9'                 ? *s - '0'
                : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                                       : -1;
        if (d < 0 || n > (0xFFFFFFFFull - (unsigned)d) / (unsigned)base) {
            return -1; /* not a digit, or over 32 bits */
        }
        n = n * (unsigned)base + (unsigned)d;
    }
    *v = n;
    return 0;
}

static int parse_in_range(const char *text, int hex_ok, uint32_t min, uint32_t max,
                          const char *what, uint32_t *out)
{
    unsigned long long v = 0;
    int is_hex = hex_ok && (strncmp(text, "0x", 2) == 0 || strncmp(text, "0X", 2) == 0);
    if (parse_digits(is_hex ? text + 2 : text, is_hex ? 16 : 10, &v) != 0 || v < min || v > max) {
        if (hex_ok) {
            fprintf(stderr,
                    "omv-rpc: %s must be a number from %lu to %lu (0x%lX to 0x%lX), "
                    "not \"%s\"\n",
                    what, (unsigned long)min, (unsigned long)max, (unsigned long)min,
                    (unsigned long)max, text);
        } else {
            fprintf(stderr, "omv-rpc: %s must be a decimal number from %lu to %lu, not \"%s\"\n",
                    what, (unsigned long)min, (unsigned long)max, text);
        }
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cli_parse_u32(const char *text, uint32_t min, uint32_t max, const char *what, uint32_t *out)
{
    return parse_in_range(text, 0, min, max, what, out);
}

int cli_parse_id(const char *text, uint32_t min, uint32_t max, const char *what, uint32_t *out)
{
    return parse_in_range(text, 1, min, max, what, out);
}
