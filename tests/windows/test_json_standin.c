/* The JSON reader that the Windows cross-build's vector tests use instead
 * of cJSON (json_standin.h) reads what cJSON reads: every reference vector
 * file and a set of tricky texts give the same tree as cJSON's, and bad
 * texts give NULL (without a crash or a leak, under the sanitizers and
 * valgrind). Built where cJSON is, against both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_standin.h"
#include "test_support.h"

static ts_json_type cjson_type(const cJSON *c)
{
    if (cJSON_IsNull(c)) {
        return TS_JSON_NULL;
    }
    if (cJSON_IsFalse(c)) {
        return TS_JSON_FALSE;
    }
    if (cJSON_IsTrue(c)) {
        return TS_JSON_TRUE;
    }
    if (cJSON_IsNumber(c)) {
        return TS_JSON_NUMBER;
    }
    if (cJSON_IsString(c)) {
        return TS_JSON_STRING;
    }
    if (cJSON_IsArray(c)) {
        return TS_JSON_ARRAY;
    }
    assert_true(cJSON_IsObject(c));
    return TS_JSON_OBJECT;
}

/* Both trees alike, node for node; returns how many nodes. */
static size_t same_tree(const ts_json *t, const cJSON *c)
{
    size_t nodes = 0;
    for (; t != NULL && c != NULL; t = t->next, c = c->next) {
        nodes++;
        assert_int_equal(t->type, cjson_type(c));
        assert_int_equal(t->string == NULL, c->string == NULL);
        if (t->string != NULL) {
            assert_string_equal(t->string, c->string);
        }
        if (t->type == TS_JSON_STRING) {
            assert_string_equal(t->valuestring, c->valuestring);
        }
        if (t->type == TS_JSON_NUMBER) {
            assert_true(t->valuedouble == c->valuedouble);
            assert_int_equal(t->valueint, c->valueint);
        }
        nodes += same_tree(t->child, c->child);
    }
    assert_null(t);
    assert_null(c);
    return nodes;
}

static char *read_vectors(const char *name)
{
    const char *dir = getenv("OMV_RPC_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : OMV_RPC_VECTORS_DEFAULT, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

static void compare(const char *text, size_t min_nodes)
{
    ts_json *t = ts_json_parse(text);
    cJSON *c = cJSON_Parse(text);
    assert_non_null(c);
    if (t == NULL) {
        fail_msg("the stand-in refused: %.60s", text);
    }
    assert_true(same_tree(t, c) >= min_nodes);
    ts_json_delete(t);
    cJSON_Delete(c);
}

static void test_vector_files(void **state)
{
    (void)state;
    static const char *const files[] = {
        "reference_values.json", "reference_serial_transcripts.json", "v2_check_values.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *text = read_vectors(files[i]);
        compare(text, 10);
        free(text);
    }
}

static void test_tricky_texts(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{}",
        "[]",
        " [ ] ",
        "0",
        "-0",
        "-12.5e+3",
        "1E-2",
        "2147483648",
        "-2147483649",
        "true",
        "false",
        "null",
        "\"\"",
        "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\u20ac\\ud83d\\ude00\"", /* 2-, 3- and 4-byte UTF-8 */
        "\"caf\xc3\xa9\"",
        "{\"a\":{\"b\":[1,[2,[3,{}]]]},\"c\":[true,false,null],\"\":\"empty key\"}",
        "[\"x\", 1 , {\"k\" : \"v\"} ]\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        compare(texts[i], 1);
    }
}

static void test_member_lookup(void **state)
{
    (void)state;
    ts_json *t = ts_json_parse("{\"Key\":1,\"key\":2,\"list\":[\"a\",\"b\"]}");
    assert_non_null(t);
    assert_int_equal(ts_json_get(t, "key")->valueint, 2); /* exact case */
    assert_int_equal(ts_json_get(t, "Key")->valueint, 1);
    assert_null(ts_json_get(t, "KEY"));
    assert_null(ts_json_get(ts_json_get(t, "key"), "x")); /* not an object */
    assert_null(ts_json_get(NULL, "key"));
    assert_string_equal(ts_json_at(ts_json_get(t, "list"), 1)->valuestring, "b");
    assert_null(ts_json_at(ts_json_get(t, "list"), 2));
    ts_json_delete(t);
}

static void test_bad_texts(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        " ",
        "[",
        "]",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{1:2}",
        "\"open",
        "\"bad \\x escape\"",
        "\"\\u12\"",
        "\"\\ud83d\"",
        "\"\\ude00\"",
        "\"tab\tinside\"",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "tru",
        "nul",
        "[] []",
        "[]x",
        "\"\\",
        "{\"a\":1}}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ts_json *t = ts_json_parse(texts[i]);
        if (t != NULL) {
            ts_json_delete(t);
            fail_msg("accepted: %s", texts[i]);
        }
    }
    /* Not NUL-terminated: only the given length is read. */
    ts_json *t = ts_json_parse_length("[1]]", 3);
    assert_non_null(t);
    ts_json_delete(t);
    assert_null(ts_json_parse_length("[1]", 2));
    assert_null(ts_json_parse(NULL));
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* Deeper than allowed: refused, not a stack overflow; just within: read. */
    size_t deep = 100000;
    char *text = malloc(2 * deep + 1);
    assert_non_null(text);
    memset(text, '[', deep);
    memset(text + deep, ']', deep);
    text[2 * deep] = '\0';
    assert_null(ts_json_parse(text));
    size_t ok = TS_JSON_MAX_DEPTH;
    memset(text, '[', ok);
    memset(text + ok, ']', ok);
    text[2 * ok] = '\0';
    ts_json *t = ts_json_parse(text);
    assert_non_null(t);
    ts_json_delete(t);
    text[0] = '[';
    memmove(text + 1, text, 2 * ok + 1);
    text[2 * ok + 1] = ']';
    text[2 * ok + 2] = '\0';
    assert_null(ts_json_parse(text)); /* one more level */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_files),  cmocka_unit_test(test_tricky_texts),
        cmocka_unit_test(test_member_lookup), cmocka_unit_test(test_bad_texts),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
