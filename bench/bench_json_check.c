/* Checks that a benchmark JSON file is well formed: an object with a
 * "rows" array whose every entry has a link, a metric and a numeric value,
 * and no failed measurement; a row naming a baseline_row has that row on
 * its link, whose value is its baseline; with --merged (several runs),
 * rows whose median ratio lies within their runs' range; with --floor,
 * at least one row held against another (the ideal master's floor). Used
 * by the bench smoke tests; judges no figure.
 * Usage: bench_json_check [--merged] [--floor] FILE */
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

/* The row of `rows` on `link` named `metric`, or NULL. */
static const cJSON *find_row(const cJSON *rows, const char *link, const char *metric)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(row, "link");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "metric");
        if (cJSON_IsString(l) && cJSON_IsString(m) && strcmp(l->valuestring, link) == 0 &&
            strcmp(m->valuestring, metric) == 0) {
            return row;
        }
    }
    return NULL;
}

/* A row's baseline_row: on its link, and its value is this row's
 * baseline (as printed: 6 significant digits). 0 when it holds. */
static int check_baseline_row(const cJSON *rows, const cJSON *row, const cJSON *name)
{
    const cJSON *link = cJSON_GetObjectItemCaseSensitive(row, "link");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(row, "baseline");
    const cJSON *other =
        cJSON_IsString(name) ? find_row(rows, link->valuestring, name->valuestring) : NULL;
    const cJSON *value = other ? cJSON_GetObjectItemCaseSensitive(other, "value") : NULL;
    double off = 1, scale = 0;
    if (other && cJSON_IsNumber(base) && cJSON_IsNumber(value)) {
        off = base->valuedouble - value->valuedouble;
        off = off < 0 ? -off : off;
        scale = value->valuedouble < 0 ? -value->valuedouble : value->valuedouble;
    }
    if (!(off <= 1e-5 * scale)) {
        fprintf(stderr, "a row's baseline is not the value of the baseline_row it names\n");
        return 1;
    }
    return 0;
}

static int check(const cJSON *root, int expect_merged, int expect_floor)
{
    int merged = 0, held = 0;
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
        const cJSON *baseline_row = cJSON_GetObjectItemCaseSensitive(row, "baseline_row");
        if (baseline_row) {
            if (check_baseline_row(rows, row, baseline_row) != 0) {
                return 1;
            }
            held++;
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
    if (expect_floor && held == 0) {
        fprintf(stderr, "no row held against another row (the ideal master's floor)\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int expect_merged = 0, expect_floor = 0, i = 1;
    for (; i < argc - 1; i++) {
        if (strcmp(argv[i], "--merged") == 0) {
            expect_merged = 1;
        } else if (strcmp(argv[i], "--floor") == 0) {
            expect_floor = 1;
        } else {
            break;
        }
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: %s [--merged] [--floor] FILE\n", argv[0]);
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
    int rc = check(root, expect_merged, expect_floor);
    cJSON_Delete(root);
    return rc;
}
