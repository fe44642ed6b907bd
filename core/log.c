/* The core's log lines: a tiny formatter, since the core must build
 * without a C library's printf. */
#include <stdarg.h>

#include "endpoint.h"

static size_t append_str(char *out, size_t pos, size_t cap, const char *s)
{
    while (s && *s && pos + 1 < cap) {
        out[pos++] = *s++;
    }
    return pos;
}

static size_t append_num(char *out, size_t pos, size_t cap, unsigned long v, unsigned base)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < sizeof digits);
    while (n && pos + 1 < cap) {
        out[pos++] = digits[--n];
    }
    return pos;
}

void omvrpc_ep_logf(omv_rpc_endpoint *ep, omv_rpc_log_level level, const char *fmt, ...)
{
    if (!ep->log.fn) {
        return;
    }
    /* A tiny formatter: the core must build without a C library's printf. */
    char line[256];
    size_t pos = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && pos + 1 < sizeof line; f++) {
        if (*f != '%' || !f[1]) {
            line[pos++] = *f;
            continue;
        }
        f++;
        switch (*f) {
        case 's':
            pos = append_str(line, pos, sizeof line, va_arg(ap, const char *));
            break;
        case 'u':
            pos = append_num(line, pos, sizeof line, va_arg(ap, unsigned), 10);
            break;
        case 'x':
            pos = append_num(line, pos, sizeof line, va_arg(ap, unsigned), 16);
            break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                pos = append_str(line, pos, sizeof line, "-");
                pos = append_num(line, pos, sizeof line, (unsigned long)(-(long)v), 10);
            } else {
                pos = append_num(line, pos, sizeof line, (unsigned long)v, 10);
            }
            break;
        }
        default:
            line[pos++] = *f;
            break;
        }
    }
    va_end(ap);
    line[pos] = '\0';
    ep->log.fn(ep->log.user_data, level, line);
}
