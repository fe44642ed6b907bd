/* The JSON reader of builds without cJSON (see json_standin.h): a
 * recursive-descent parser over RFC 8259, depth-bounded. */
#include "json_standin.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const char *p, *end;
    int depth;
} reader;

static void skip_space(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) {
        r->p++;
    }
}

static int take(reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) {
        return 0;
    }
    r->p += n;
    return 1;
}

static int hex4(reader *r, unsigned *out)
{
    if (r->end - r->p < 4) {
        return 0;
    }
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (unsigned)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (unsigned)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (unsigned)(c - 'A' + 10);
        } else {
            return 0;
        }
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string at r->p (its opening quote), decoded into a new buffer: the
 * decoded text is never longer than the quoted one. */
static char *read_string(reader *r)
{
    if (r->p >= r->end || *r->p != '"') {
        return NULL;
    }
    r->p++;
    const char *close = r->p;
    while (close < r->end && *close != '"') {
        close += *close == '\\' ? 2 : 1;
    }
    if (close >= r->end) {
        return NULL;
    }
    char *out = malloc((size_t)(close - r->p) + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t n = 0;
    while (r->p < close) {
        unsigned char c = (unsigned char)*r->p++;
        if (c < 0x20) {
            free(out);
            return NULL; /* control characters must be escaped */
        }
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        char e = *r->p++;
        unsigned cp;
        switch (e) {
        case '"':
            out[n++] = '"';
            break;
        case '\\':
            out[n++] = '\\';
            break;
        case '/':
            out[n++] = '/';
            break;
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u':
            if (!hex4(r, &cp)) {
                free(out);
                return NULL;
            }
            if (cp >= 0xD800 && cp < 0xDC00) {
                /* A high surrogate: its low half must follow. */
                unsigned lo;
                if (!take(r, "\\u") || !hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    free(out);
                    return NULL;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                free(out);
                return NULL;
            }
            n += put_utf8(out + n, cp); /* at most 4 bytes for 6 or 12 read */
            break;
        default:
            free(out);
            return NULL;
        }
    }
    r->p = close + 1;
    out[n] = '\0';
    return out;
}

static int read_number(reader *r, ts_json *j)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-') {
        r->p++;
    }
    if (r->p >= r->end || *r->p < '0' || *r->p > '9') {
        return 0;
    }
    if (*r->p == '0') {
        r->p++;
    } else {
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            r->p++;
        }
    }
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') {
            return 0;
        }
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            r->p++;
        }
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) {
            r->p++;
        }
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') {
            return 0;
        }
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            r->p++;
        }
    }
    char buf[64];
    size_t len = (size_t)(r->p - s);
    if (len >= sizeof buf) {
        return 0; /* no vector needs a longer one */
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    j->type = TS_JSON_NUMBER;
    j->valuedouble = strtod(buf, NULL);
    j->valueint = j->valuedouble >= INT_MAX   ? INT_MAX
                  : j->valuedouble <= INT_MIN ? INT_MIN
                                              : (int)j->valuedouble;
    return 1;
}

static ts_json *read_value(reader *r);

/* The elements of an array or the members of an object, after its opening
 * bracket, up to and with its closing one. */
static int read_elements(reader *r, ts_json *parent, char close, int keyed)
{
    ts_json **tail = &parent->child;
    skip_space(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 1;
    }
    for (;;) {
        char *key = NULL;
        if (keyed) {
            skip_space(r);
            key = read_string(r);
            skip_space(r);
            if (key == NULL || r->p >= r->end || *r->p != ':') {
                free(key);
                return 0;
            }
            r->p++;
        }
        ts_json *item = read_value(r);
        if (item == NULL) {
            free(key);
            return 0;
        }
        item->string = key;
        *tail = item;
        tail = &item->next;
        skip_space(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return 1;
        }
        return 0;
    }
}

static ts_json *read_value(reader *r)
{
    skip_space(r);
    if (r->p >= r->end || r->depth >= TS_JSON_MAX_DEPTH) {
        return NULL;
    }
    ts_json *j = calloc(1, sizeof *j);
    if (j == NULL) {
        return NULL;
    }
    int ok;
    char c = *r->p;
    if (c == '{' || c == '[') {
        r->p++;
        r->depth++;
        j->type = c == '{' ? TS_JSON_OBJECT : TS_JSON_ARRAY;
        ok = read_elements(r, j, c == '{' ? '}' : ']', c == '{');
        r->depth--;
    } else if (c == '"') {
        j->type = TS_JSON_STRING;
        j->valuestring = read_string(r);
        ok = j->valuestring != NULL;
    } else if (take(r, "true")) {
        j->type = TS_JSON_TRUE;
        j->valueint = 1;
        j->valuedouble = 1;
        ok = 1;
    } else if (take(r, "false")) {
        j->type = TS_JSON_FALSE;
        ok = 1;
    } else if (take(r, "null")) {
        j->type = TS_JSON_NULL;
        ok = 1;
    } else {
        ok = read_number(r, j);
    }
    if (!ok) {
        ts_json_delete(j);
        return NULL;
    }
    return j;
}

ts_json *ts_json_parse_length(const char *text, size_t len)
{
    if (text == NULL) {
        return NULL;
    }
    reader r = {text, text + len, 0};
    ts_json *j = read_value(&r);
    skip_space(&r);
    if (j != NULL && r.p != r.end) {
        ts_json_delete(j); /* something after the value */
        return NULL;
    }
    return j;
}

ts_json *ts_json_parse(const char *text)
{
    return text == NULL ? NULL : ts_json_parse_length(text, strlen(text));
}

void ts_json_delete(ts_json *json)
{
    /* Siblings iteratively, children by recursion (depth-bounded). */
    while (json != NULL) {
        ts_json *next = json->next;
        ts_json_delete(json->child);
        free(json->valuestring);
        free(json->string);
        free(json);
        json = next;
    }
}

ts_json *ts_json_get(const ts_json *object, const char *key)
{
    if (object == NULL || object->type != TS_JSON_OBJECT || key == NULL) {
        return NULL;
    }
    for (ts_json *m = object->child; m != NULL; m = m->next) {
        if (strcmp(m->string, key) == 0) {
            return m;
        }
    }
    return NULL;
}

ts_json *ts_json_at(const ts_json *array, int index)
{
    if (array == NULL || index < 0) {
        return NULL;
    }
    ts_json *e = array->child;
    while (e != NULL && index-- > 0) {
        e = e->next;
    }
    return e;
}
