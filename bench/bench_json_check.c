/* Checks that a benchmark JSON file is well formed: an object with a
 * "rows" array whose every entry has a link, a metric and a numeric value,
 * and no failed measurement; with --merged (several runs), rows whose
 * median ratio lies within their runs' range. Used by the bench smoke
 * tests; judges no figure. Usage: bench_json_check [--merged] FILE */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len == 1) {
            char *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[len] = '\0';
    }
    return buf;
}

static int check(const cJSON *root, int expect_merged)
{
    int merged = 0;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(root, "failures");
    if (!cJSON_IsArray(rows) || cJSON_GetArraySize(rows) == 0) {
        fprintf(stderr, "no rows\n");
        return 1;
    }
    if (!cJSON_IsNumber(failures) || failures->valuedouble != 0) {
        fprintf(stderr, "failures is not 0\n");
        return 1;
    }
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "link")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "metric")) ||
            !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(row, "value"))) {
            fprintf(stderr, "a row lacks link, metric or value\n");
            return 1;
        }
        /* Merged runs: the median ratio lies within the runs' range. */
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(row, "runs");
        if (runs) {
            const cJSON *lo = cJSON_GetObjectItemCaseSensitive(row, "ratio_min");
            const cJSON *mid = cJSON_GetObjectItemCaseSensitive(row, "ratio");
            const cJSON *hi = cJSON_GetObjectItemCaseSensitive(row, "ratio_max");
            if (!cJSON_IsNumber(runs) || runs->valuedouble < 2 || !cJSON_IsNumber(lo) ||
                !cJSON_IsNumber(mid) || !cJSON_IsNumber(hi) ||
                !(lo->valuedouble <= mid->valuedouble && mid->valuedouble <= hi->valuedouble)) {
                fprintf(stderr, "a merged row's ratio is not within its runs' range\n");
                return 1;
            }
            merged++;
        }
    }
    if (expect_merged && merged == 0) {
        fprintf(stderr, "no merged rows\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int expect_merged = argc == 3 && strcmp(argv[1], "--merged") == 0;
    if (argc != 2 && !expect_merged) {
        fprintf(stderr, "usage: %s [--merged] FILE\n", argv[0]);
        return 2;
    }
    const char *path = argv[argc - 1];
    char *text = slurp(path);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root) {
        fprintf(stderr, "%s is not JSON\n", path);
        return 1;
    }
    int rc = check(root, expect_merged);
    cJSON_Delete(root);
    return rc;
}
