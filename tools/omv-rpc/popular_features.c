/* omv-rpc: decoding OpenMV's popular-features results (see features.h).
 * The result formats are those of OpenMV's remote-device example:
 * <HHHH rectangles and tags, <HH colour centroids, UTF-8 text for codes,
 * a JSON array for the all_* forms, a JPEG for jpeg_snapshot. */
#include "popular_features.h"

#include <stdlib.h>
#include <string.h>

#ifdef OMV_RPC_CLI_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

typedef enum result_kind {
    KIND_RECT,
    KIND_TAG,
    KIND_COLOR,
    KIND_TEXT,
    KIND_JSON,
    KIND_JPEG
} result_kind;

typedef struct feature {
    const char *name;
    result_kind kind;
    const char *heading; /* the words printed before the result */
} feature;

static const feature features[] = {
    {"face_detection", KIND_RECT, "Largest Face Detected"},
    {"qrcode_detection", KIND_TEXT, NULL},
    {"all_qrcode_detection", KIND_JSON, "QR Codes Detected:"},
    {"apriltag_detection", KIND_TAG, "Largest Tag Detected"},
    {"all_apriltag_detection", KIND_JSON, "Tags Detected:"},
    {"datamatrix_detection", KIND_TEXT, NULL},
    {"all_datamatrix_detection", KIND_JSON, "Data Matrices Detected:"},
    {"barcode_detection", KIND_TEXT, NULL},
    {"all_barcode_detection", KIND_JSON, "Bar Codes Detected:"},
    {"color_detection", KIND_COLOR, "Largest Color Detected"},
    {"jpeg_snapshot", KIND_JPEG, "Writing jpeg"},
};
#define FEATURE_COUNT (sizeof(features) / sizeof(features[0]))

const char *const cli_feature_defaults[] = {
    "face_detection",           "qrcode_detection",       "all_qrcode_detection",
    "apriltag_detection",       "all_apriltag_detection", "datamatrix_detection",
    "all_datamatrix_detection", "barcode_detection",      "all_barcode_detection",
    "color_detection",          "jpeg_snapshot",          NULL};

/* OpenMV's generic red thresholds (L min/max, A min/max, B min/max). */
static const int8_t red_thresholds[6] = {30, 100, 15, 127, 15, 127};

static const feature *find_feature(const char *name)
{
    for (size_t i = 0; i < FEATURE_COUNT; i++) {
        if (strcmp(features[i].name, name) == 0) {
            return &features[i];
        }
    }
    return NULL;
}

int cli_feature_link_failed(int exit_code)
{
    return exit_code == CLI_EXIT_TIMEOUT || exit_code == CLI_EXIT_LINK_BROKEN;
}

int cli_feature_known(const char *name)
{
    return find_feature(name) != NULL;
}

static unsigned u16le(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static int bad_size(const char *name, size_t len, size_t want)
{
    fprintf(stderr, "omv-rpc: %s gave %zu bytes, not %zu\n", name, len, want);
    return CLI_EXIT_BAD_RESULT;
}

#ifdef OMV_RPC_CLI_HAVE_CJSON
static int print_json(const feature *f, const uint8_t *result, size_t len, FILE *out)
{
    cJSON *array = cJSON_ParseWithLength((const char *)result, len);
    if (array == NULL || !cJSON_IsArray(array)) {
        cJSON_Delete(array);
        fprintf(stderr, "omv-rpc: %s did not give a JSON array\n", f->name);
        return CLI_EXIT_BAD_RESULT;
    }
    fprintf(out, "%s\n", f->heading);
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, array)
    {
        char *text = cJSON_PrintUnformatted(item);
        if (text != NULL) {
            fprintf(out, "%s\n", text);
            cJSON_free(text);
        }
    }
    cJSON_Delete(array);
    return CLI_EXIT_OK;
}
#else
/* Built without cJSON: the array as the camera sent it, on one line, when
 * it looks like one (a JSON array is all printable text). */
static int print_json(const feature *f, const uint8_t *result, size_t len, FILE *out)
{
    size_t first = 0, last = len;
    while (first < len && (result[first] == ' ' || result[first] == '\n' || result[first] == '\r' ||
                           result[first] == '\t')) {
        first++;
    }
    while (last > first && (result[last - 1] == ' ' || result[last - 1] == '\n' ||
                            result[last - 1] == '\r' || result[last - 1] == '\t')) {
        last--;
    }
    int ok = last - first >= 2 && result[first] == '[' && result[last - 1] == ']';
    for (size_t i = first; ok && i < last; i++) {
        ok = result[i] >= 0x20 && result[i] != 0x7F;
    }
    if (!ok) {
        fprintf(stderr, "omv-rpc: %s did not give a JSON array\n", f->name);
        return CLI_EXIT_BAD_RESULT;
    }
    fprintf(out, "%s\n%.*s\n", f->heading, (int)(last - first), (const char *)result + first);
    return CLI_EXIT_OK;
}
#endif

static int save_jpeg(const uint8_t *result, size_t len, FILE *out, const char *dir,
                     unsigned *number)
{
    char path[4096];
    snprintf(path, sizeof(path),
             "%s/" CLI_FEATURE_SNAPSHOT_PREFIX "%0*u" CLI_FEATURE_SNAPSHOT_SUFFIX, dir,
             CLI_FEATURE_SNAPSHOT_DIGITS, (*number)++);
    fprintf(out, "Writing jpeg %s...\n", path);
    return cli_write_file(path, result, len);
}

int cli_run_feature(omv_rpc_master *master, const cli_link_opts *opts, const char *name, FILE *out,
                    const char *dir, unsigned *snapshot_number)
{
    const feature *f = find_feature(name);
    if (f == NULL) {
        fprintf(stderr, "omv-rpc: no feature named %s\n", name);
        return CLI_EXIT_USAGE;
    }
    const void *arg = f->kind == KIND_COLOR ? red_thresholds : NULL;
    size_t arg_len = f->kind == KIND_COLOR ? sizeof(red_thresholds) : 0;
    const uint8_t *r = NULL;
    size_t len = 0;
    omv_rpc_status st = cli_call(master, opts, name, arg, arg_len, &r, &len);
    if (st != OMV_RPC_OK) {
        cli_report(name, st);
        return cli_exit_for_call(st);
    }
    if (len == 0) {
        /* The camera found nothing (or does not know the function). */
        fprintf(out, "%s: nothing detected\n", name);
        return CLI_EXIT_OK;
    }
    switch (f->kind) {
    case KIND_RECT:
        if (len != 8) {
            return bad_size(name, len, 8);
        }
        fprintf(out, "%s [x=%u, y=%u, w=%u, h=%u]\n", f->heading, u16le(r), u16le(r + 2),
                u16le(r + 4), u16le(r + 6));
        return CLI_EXIT_OK;
    case KIND_TAG:
        if (len != 8) {
            return bad_size(name, len, 8);
        }
        fprintf(out, "%s [cx=%u, cy=%u, id=%u, rot=%u]\n", f->heading, u16le(r), u16le(r + 2),
                u16le(r + 4), u16le(r + 6));
        return CLI_EXIT_OK;
    case KIND_COLOR:
        if (len != 4) {
            return bad_size(name, len, 4);
        }
        fprintf(out, "%s [cx=%u, cy=%u]\n", f->heading, u16le(r), u16le(r + 2));
        return CLI_EXIT_OK;
    case KIND_TEXT:
        fprintf(out, "%.*s\n", (int)len, (const char *)r);
        return CLI_EXIT_OK;
    case KIND_JSON:
        return print_json(f, r, len, out);
    case KIND_JPEG:
    default:
        return save_jpeg(r, len, out, dir, snapshot_number);
    }
}
