/* A small JSON reader for the tests of builds that have no cJSON (the
 * Windows cross-build: Debian has no Windows build of it), so that the
 * reference vectors (tests/vectors/) are checked there too. It keeps
 * cJSON's tree shape (child/next, string keys, valuestring, valueint,
 * valuedouble), so json/cjson/cJSON.h can hand it to the tests under
 * cJSON's names; test_json_standin compares its trees with cJSON's.
 * Reads only: no printing, no building. Bad input gives NULL, in time and
 * memory bounded by the text's length (nesting is limited to
 * TS_JSON_MAX_DEPTH). Thread-safety: none shared; trees are the caller's. */
#ifndef OMV_RPC_TEST_JSON_STANDIN_H
#define OMV_RPC_TEST_JSON_STANDIN_H

#include <stddef.h>

#define TS_JSON_MAX_DEPTH 256

typedef enum ts_json_type {
    TS_JSON_NULL,
    TS_JSON_FALSE,
    TS_JSON_TRUE,
    TS_JSON_NUMBER,
    TS_JSON_STRING,
    TS_JSON_ARRAY,
    TS_JSON_OBJECT
} ts_json_type;

typedef struct ts_json {
    struct ts_json *next;  /* the next element of the parent array/object */
    struct ts_json *child; /* the first element of an array/object */
    ts_json_type type;
    char *valuestring;  /* strings: the text, UTF-8, NUL-terminated */
    int valueint;       /* numbers: as cJSON, saturated to int */
    double valuedouble; /* numbers */
    char *string;       /* an object's member: its key */
} ts_json;

/* Parse a whole NUL-terminated text (one value, white space around it);
 * NULL when it is not JSON or memory runs out. Free with ts_json_delete. */
ts_json *ts_json_parse(const char *text);
/* The same over `len` bytes (need not be NUL-terminated). */
ts_json *ts_json_parse_length(const char *text, size_t len);
void ts_json_delete(ts_json *json);
/* The member `key` of an object (exact case), NULL when none or when
 * `object` is NULL or not an object. */
ts_json *ts_json_get(const ts_json *object, const char *key);
/* The `index`th element of an array or object, NULL past the end. */
ts_json *ts_json_at(const ts_json *array, int index);

#endif
