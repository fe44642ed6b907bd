/* The results: rows kept in order, printed as a table and as JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void bench_add(bench_results *r, const char *link, const char *metric, const char *unit,
               double value, double baseline, bench_better better, double target, const char *note)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        bench_row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows) {
            r->failures++;
            return;
        }
        r->rows = rows;
        r->cap = cap;
    }
    bench_row *row = &r->rows[r->count++];
    memset(row, 0, sizeof *row);
    copy(row->link, sizeof row->link, link);
    copy(row->metric, sizeof row->metric, metric);
    copy(row->unit, sizeof row->unit, unit);
    copy(row->note, sizeof row->note, note);
    row->value = value;
    row->baseline = baseline;
    row->better = better;
    row->target = target;
}

void bench_set_baseline_row(bench_results *r, const char *metric)
{
    if (r->count > 0) {
        copy(r->rows[r->count - 1].baseline_row, sizeof r->rows[r->count - 1].baseline_row, metric);
    }
}

static int has_ratio(const bench_row *row)
{
    return row->baseline > 0;
}

static double ratio(const bench_row *row)
{
    return row->runs > 1 ? row->ratio_median : row->value / row->baseline;
}

int bench_row_pass(const bench_row *row)
{
    if (row->target < 0 || row->better == BENCH_INFO) {
        return -1;
    }
    double v = has_ratio(row) ? ratio(row) : row->value;
    return row->better == BENCH_LOWER ? v <= row->target : v >= row->target;
}

static void target_text(const bench_row *row, char *buf, size_t size)
{
    if (bench_row_pass(row) < 0) {
        copy(buf, size, "");
        return;
    }
    snprintf(buf, size, "%s%g%s", row->better == BENCH_LOWER ? "<=" : ">=", row->target,
             has_ratio(row) ? "x" : "");
}

void bench_print_table(const bench_results *r, FILE *out)
{
    int width = 36; /* the measure column: as wide as its longest name */
    for (size_t i = 0; i < r->count; i++) {
        int len = (int)strlen(r->rows[i].metric);
        width = len > width ? len : width;
    }
    fprintf(out, "%-11s %-*s %12s %12s %7s %-7s %-5s %s\n", "link", width, "measure", "value",
            "baseline", "ratio", "target", "ok", "unit / note");
    int missed = 0;
    for (size_t i = 0; i < r->count; i++) {
        const bench_row *row = &r->rows[i];
        char base[24] = "", rat[16] = "", tgt[16];
        if (has_ratio(row)) {
            snprintf(base, sizeof base, "%.4g", row->baseline);
            snprintf(rat, sizeof rat, "%.3f", ratio(row));
        }
        target_text(row, tgt, sizeof tgt);
        int pass = bench_row_pass(row);
        missed += pass == 0;
        fprintf(out, "%-11s %-*s %12.4g %12s %7s %-7s %-5s %s%s%s\n", row->link, width, row->metric,
                row->value, base, rat, tgt,
                pass < 0 ? ""
                : pass   ? "yes"
                         : "NO",
                row->unit, row->note[0] ? "; " : "", row->note);
    }
    fprintf(out, "%d target(s) missed, %d measurement(s) failed%s\n", missed, r->failures,
            r->quick ? " (--quick: small sizes, figures indicative only)" : "");
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            fprintf(out, "\\%c", ch);
        } else if (ch < 0x20) {
            fprintf(out, "\\u%04x", ch);
        } else {
            fputc(ch, out);
        }
    }
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    if (isfinite(v)) {
        fprintf(out, "%.6g", v);
    } else {
        fputs("null", out);
    }
}

int bench_write_json(const bench_results *r, FILE *out)
{
    static const char *const better[3] = {"info", "lower", "higher"};
    fprintf(out, "{\n  \"quick\": %s,\n  \"failures\": %d,\n  \"max_rss_kib\": %ld,\n",
            r->quick ? "true" : "false", r->failures, bench_max_rss_kib());
    fputs("  \"rows\": [", out);
    for (size_t i = 0; i < r->count; i++) {
        const bench_row *row = &r->rows[i];
        int pass = bench_row_pass(row);
        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"link\": ", out);
        json_string(out, row->link);
        fputs(", \"metric\": ", out);
        json_string(out, row->metric);
        fputs(", \"unit\": ", out);
        json_string(out, row->unit);
        fputs(", \"value\": ", out);
        json_number(out, row->value);
        fputs(", \"baseline\": ", out);
        if (has_ratio(row)) {
            json_number(out, row->baseline);
            fputs(", \"ratio\": ", out);
            json_number(out, ratio(row));
        } else {
            fputs("null, \"ratio\": null", out);
        }
        fputs(", \"target\": ", out);
        if (pass < 0) {
            fputs("null", out);
        } else {
            json_number(out, row->target);
        }
        if (row->baseline_row[0]) {
            fputs(", \"baseline_row\": ", out);
            json_string(out, row->baseline_row);
        }
        if (row->runs > 1 && has_ratio(row)) {
            fprintf(out, ", \"runs\": %d, \"ratio_min\": ", row->runs);
            json_number(out, row->ratio_min);
            fputs(", \"ratio_max\": ", out);
            json_number(out, row->ratio_max);
        }
        fprintf(out, ", \"better\": \"%s\", \"pass\": %s, \"note\": ", better[row->better],
                pass < 0 ? "null"
                : pass   ? "true"
                         : "false");
        json_string(out, row->note);
        fputc('}', out);
    }
    fputs("\n  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

void bench_results_free(bench_results *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}
