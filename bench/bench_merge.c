/* Several runs of the benchmark as one table. This machine's speed drifts
 * between runs (a raw baseline moved by 2x from one run to the next), so
 * one run's ratio can land far from the usual either way; the median of
 * the runs' ratios, each still taken against its own run's baseline, is
 * the figure to quote, with the range beside it. */
#include <stdlib.h>
#include <string.h>

#include "bench_internal.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Which occurrence of its (link, metric) row `i` of `r` is. */
static size_t occurrence(const bench_results *r, size_t i)
{
    size_t k = 0;
    for (size_t j = 0; j < i; j++) {
        k += strcmp(r->rows[j].link, r->rows[i].link) == 0 &&
             strcmp(r->rows[j].metric, r->rows[i].metric) == 0;
    }
    return k;
}

/* The row of `r` that is occurrence `k` of (link, metric), or NULL. */
static const bench_row *find(const bench_results *r, const bench_row *like, size_t k)
{
    for (size_t j = 0; j < r->count; j++) {
        const bench_row *row = &r->rows[j];
        if (strcmp(row->link, like->link) == 0 && strcmp(row->metric, like->metric) == 0 &&
            k-- == 0) {
            return row;
        }
    }
    return NULL;
}

int bench_merge_runs(const bench_results *runs, size_t n, bench_results *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        return 0;
    }
    double *values = malloc(3 * n * sizeof *values);
    if (!values) {
        return -1;
    }
    double *bases = values + n, *ratios = values + 2 * n;
    out->quick = runs[0].quick;
    for (size_t r = 0; r < n; r++) {
        out->failures += runs[r].failures;
    }
    for (size_t i = 0; i < runs[0].count; i++) {
        const bench_row *first = &runs[0].rows[i];
        size_t k = occurrence(&runs[0], i), m = 0;
        for (size_t r = 0; r < n; r++) {
            const bench_row *row = find(&runs[r], first, k);
            if (row) {
                values[m] = row->value;
                bases[m] = row->baseline;
                ratios[m] = row->baseline > 0 ? row->value / row->baseline : 0;
                m++;
            }
        }
        /* A figure with no baseline and a target (retries, memory growth):
         * the worst run, so that one bad run is not hidden. */
        double value = median(values, m);
        if (first->baseline <= 0 && first->better == BENCH_LOWER) {
            value = values[m - 1];
        } else if (first->baseline <= 0 && first->better == BENCH_HIGHER) {
            value = values[0];
        }
        bench_add(out, first->link, first->metric, first->unit, value,
                  first->baseline > 0 ? median(bases, m) : first->baseline, first->better,
                  first->target, first->note);
        if (out->count == 0 || out->count <= i) {
            free(values);
            return -1; /* bench_add could not grow the table */
        }
        bench_row *merged = &out->rows[out->count - 1];
        memcpy(merged->baseline_row, first->baseline_row, sizeof merged->baseline_row);
        merged->runs = (int)m;
        if (first->baseline > 0) {
            merged->ratio_median = median(ratios, m);
            merged->ratio_min = ratios[0]; /* sorted by median() */
            merged->ratio_max = ratios[m - 1];
            char note[2 * sizeof merged->note];
            int len = snprintf(note, sizeof note, "median of %zu runs, ratios %.2f-%.2f; %s", m,
                               merged->ratio_min, merged->ratio_max, first->note);
            size_t keep = len < 0 ? 0 : (size_t)len;
            if (keep >= sizeof merged->note) {
                keep = sizeof merged->note - 1; /* the note is cut, not the figures */
            }
            memcpy(merged->note, note, keep);
            merged->note[keep] = '\0';
        }
    }
    free(values);
    return 0;
}
