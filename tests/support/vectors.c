/* The reference vectors (see vectors.h). */
#include "vectors.h"

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

cJSON *ts_load_vectors(const char *name)
{
    const char *dir = getenv("OMV_RPC_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : OMV_RPC_VECTORS_DEFAULT, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open the reference vectors %s", path);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json) {
        fail_msg("cannot parse %s", path);
    }
    return json;
}
