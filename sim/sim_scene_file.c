/* Scene files: JSON that changes what the camera sees (docs/sim-scene.md).
 * Each object named replaces the built-in one's values it mentions; null
 * removes it. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

#define SIM_TAU 6.283185307179586

typedef struct loader {
    char *error;
    size_t error_size;
    int failed;
} loader;

static int fail(loader *l, const char *fmt, ...)
{
    if (!l->failed && l->error && l->error_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->error, l->error_size, fmt, ap);
        va_end(ap);
    }
    l->failed = 1;
    return 0;
}

/* Every key of `obj` must be one of `keys` (a NULL-terminated list). */
static int known_keys(loader *l, const cJSON *obj, const char *what, const char *const *keys)
{
    for (const cJSON *item = obj->child; item; item = item->next) {
        int found = 0;
        for (const char *const *k = keys; *k; k++) {
            found |= strcmp(item->string, *k) == 0;
        }
        if (!found) {
            return fail(l, "%s: unknown key \"%s\"", what, item->string);
        }
    }
    return 1;
}

static int number(loader *l, const cJSON *obj, const char *what, const char *key, double min,
                  double max, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return 1; /* keep the value it had */
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= min && v->valuedouble <= max)) {
        return fail(l, "%s.%s: a number from %g to %g expected", what, key, min, max);
    }
    *out = v->valuedouble;
    return 1;
}

static int integer(loader *l, const cJSON *obj, const char *what, const char *key, int min, int max,
                   int *out)
{
    double d = *out;
    if (!number(l, obj, what, key, min, max, &d)) {
        return 0;
    }
    if (d != floor(d)) {
        return fail(l, "%s.%s: a whole number expected", what, key);
    }
    *out = (int)d;
    return 1;
}

static int color(loader *l, const cJSON *obj, const char *what, const char *key, uint8_t rgb[3])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        return 1;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3) {
        return fail(l, "%s.%s: [red, green, blue] expected", what, key);
    }
    for (int i = 0; i < 3; i++) {
        const cJSON *c = cJSON_GetArrayItem(v, i);
        if (!cJSON_IsNumber(c) || c->valuedouble < 0 || c->valuedouble > 255 ||
            c->valuedouble != floor(c->valuedouble)) {
            return fail(l, "%s.%s: colour components are whole numbers 0 to 255", what, key);
        }
        rgb[i] = (uint8_t)c->valueint;
    }
    return 1;
}

/* A coordinate: a number (still), or {"centre", "amplitude", "period"
 * (seconds, 0: still), "phase" (degrees)}. */
static int coordinate(loader *l, const cJSON *obj, const char *what, const char *key,
                      omv_rpc_sim_wave *w)
{
    static const char *const keys[] = {"centre", "amplitude", "period", "phase", NULL};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char name[64];
    snprintf(name, sizeof name, "%s.%s", what, key);
    if (!v) {
        return 1;
    }
    if (cJSON_IsNumber(v)) {
        omv_rpc_sim_wave still = {0, 0, 0, 0};
        *w = still;
        return number(l, obj, what, key, -2000, 4000, &w->centre);
    }
    if (!cJSON_IsObject(v) || !known_keys(l, v, name, keys)) {
        return fail(l,
                    "%s: a number or {\"centre\", \"amplitude\", \"period\", \"phase\"} "
                    "expected",
                    name);
    }
    double phase_deg = w->phase * 360.0 / SIM_TAU;
    if (!number(l, v, name, "centre", -2000, 4000, &w->centre) ||
        !number(l, v, name, "amplitude", 0, 4000, &w->amplitude) ||
        !number(l, v, name, "period", 0, 86400, &w->period_s) ||
        !number(l, v, name, "phase", -360, 360, &phase_deg)) {
        return 0;
    }
    w->phase = phase_deg * SIM_TAU / 360.0;
    return 1;
}

/* The object `key` of the scene: NULL when not mentioned (keep), a null
 * (remove: *visible false) or an object. */
static const cJSON *object(loader *l, const cJSON *root, const char *key, bool *visible)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) {
        return NULL;
    }
    if (cJSON_IsNull(v)) {
        *visible = false;
        return NULL;
    }
    if (!cJSON_IsObject(v)) {
        fail(l, "%s: an object or null expected", key);
        return NULL;
    }
    *visible = true;
    return v;
}

static int payload(loader *l, const cJSON *obj, const char *what, char *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "payload");
    if (!v) {
        return 1;
    }
    size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
    if (n == 0 || n >= OMV_RPC_SIM_PAYLOAD_MAX) {
        return fail(l, "%s.payload: text of 1 to %d characters expected", what,
                    OMV_RPC_SIM_PAYLOAD_MAX - 1);
    }
    for (size_t i = 0; i < n; i++) {
        char c = v->valuestring[i];
        if (c < ' ' || c > '~' || c == '"' || c == '\\') {
            return fail(l, "%s.payload: printable ASCII without quotes or backslashes expected",
                        what);
        }
    }
    memcpy(out, v->valuestring, n + 1);
    return 1;
}

static int code(loader *l, const cJSON *root, const char *key, omv_rpc_sim_code_def *c)
{
    static const char *const keys[] = {"payload", "module", "quiet",  "x",
                                       "y",       "type",   "height", NULL};
    const cJSON *o = object(l, root, key, &c->visible);
    if (!o) {
        return !l->failed;
    }
    if (!known_keys(l, o, key, keys) || !payload(l, o, key, c->payload) ||
        !integer(l, o, key, "module", 1, 32, &c->module) ||
        !integer(l, o, key, "quiet", 0, 20, &c->quiet) || !coordinate(l, o, key, "x", &c->x) ||
        !coordinate(l, o, key, "y", &c->y)) {
        return 0;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *height = cJSON_GetObjectItemCaseSensitive(o, "height");
    if (strcmp(key, "barcode") != 0) {
        if (type || height) {
            return fail(l, "%s: \"type\" and \"height\" are for the barcode", key);
        }
        return 1;
    }
    if (type) {
        if (cJSON_IsString(type) && strcmp(type->valuestring, "CODE128") == 0) {
            c->type = OMV_RPC_SIM_CODE128;
        } else if (cJSON_IsString(type) && strcmp(type->valuestring, "EAN13") == 0) {
            c->type = OMV_RPC_SIM_EAN13;
        } else {
            return fail(l, "barcode.type: \"CODE128\" or \"EAN13\" expected");
        }
    }
    return integer(l, o, key, "height", 1, 480, &c->height);
}

static int scene(loader *l, const cJSON *root, omv_rpc_sim_scene_def *d)
{
    static const char *const keys[] = {"background", "face",     "qrcode", "datamatrix",
                                       "barcode",    "apriltag", "blobs",  NULL};
    static const char *const background_keys[] = {"left", "right", NULL};
    static const char *const face_keys[] = {"x", "y", "width", "height", NULL};
    static const char *const tag_keys[] = {"id", "side", "rotation", "spin", "x", "y", NULL};
    static const char *const blob_keys[] = {"color", "radius", "x", "y", NULL};
    if (!cJSON_IsObject(root)) {
        return fail(l, "the scene: a JSON object expected");
    }
    if (!known_keys(l, root, "the scene", keys)) {
        return 0;
    }
    bool shown = true;
    const cJSON *bg = object(l, root, "background", &shown);
    if (l->failed || !shown) {
        return fail(l, "background: an object expected");
    }
    if (bg && (!known_keys(l, bg, "background", background_keys) ||
               !color(l, bg, "background", "left", d->background_from) ||
               !color(l, bg, "background", "right", d->background_to))) {
        return 0;
    }
    const cJSON *face = object(l, root, "face", &d->face_visible);
    if (face &&
        (!known_keys(l, face, "face", face_keys) || !coordinate(l, face, "face", "x", &d->face_x) ||
         !coordinate(l, face, "face", "y", &d->face_y) ||
         !integer(l, face, "face", "width", 4, 640, &d->face_w) ||
         !integer(l, face, "face", "height", 4, 480, &d->face_h))) {
        return 0;
    }
    if (!code(l, root, "qrcode", &d->qrcode) || !code(l, root, "datamatrix", &d->datamatrix) ||
        !code(l, root, "barcode", &d->barcode)) {
        return 0;
    }
    const cJSON *tag = object(l, root, "apriltag", &d->tag_visible);
    if (tag && (!known_keys(l, tag, "apriltag", tag_keys) ||
                !integer(l, tag, "apriltag", "id", 0, 586, &d->tag_id) ||
                !integer(l, tag, "apriltag", "side", 10, 480, &d->tag_side) ||
                !number(l, tag, "apriltag", "rotation", -360, 360, &d->tag_rotation_deg) ||
                !number(l, tag, "apriltag", "spin", -3600, 3600, &d->tag_spin_deg_per_s) ||
                !coordinate(l, tag, "apriltag", "x", &d->tag_x) ||
                !coordinate(l, tag, "apriltag", "y", &d->tag_y))) {
        return 0;
    }
    if (l->failed) {
        return 0;
    }
    const cJSON *blobs = cJSON_GetObjectItemCaseSensitive(root, "blobs");
    if (blobs) {
        if (!cJSON_IsArray(blobs) || cJSON_GetArraySize(blobs) > OMV_RPC_SIM_BLOBS) {
            return fail(l, "blobs: a list of at most %d discs expected", OMV_RPC_SIM_BLOBS);
        }
        /* The list replaces the built-in discs: entry k changes disc k. */
        int n = cJSON_GetArraySize(blobs);
        for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
            char what[16];
            snprintf(what, sizeof what, "blobs[%d]", k);
            d->blob_visible[k] = k < n;
            const cJSON *b = cJSON_GetArrayItem(blobs, k);
            if (k < n && (!cJSON_IsObject(b) || !known_keys(l, b, what, blob_keys) ||
                          !color(l, b, what, "color", d->blob_rgb[k]) ||
                          !integer(l, b, what, "radius", 1, 240, &d->blob_radius[k]) ||
                          !coordinate(l, b, what, "x", &d->blob_x[k]) ||
                          !coordinate(l, b, what, "y", &d->blob_y[k]))) {
                return fail(l, "%s: an object with color, radius, x, y expected", what);
            }
        }
    }
    return 1;
}

static void clear_symbols(omv_rpc_sim_scene_def *d)
{
    memset(&d->qrcode.symbol, 0, sizeof d->qrcode.symbol);
    memset(&d->datamatrix.symbol, 0, sizeof d->datamatrix.symbol);
    memset(&d->barcode.symbol, 0, sizeof d->barcode.symbol);
}

omv_rpc_status omv_rpc_sim_load_scene(omv_rpc_sim *sim, const char *json, size_t len, char *error,
                                      size_t error_size)
{
    loader l = {error, error_size, 0};
    if (error && error_size) {
        error[0] = '\0';
    }
    if (!sim || !json) {
        fail(&l, "no camera or no text");
        return OMV_RPC_ERR_INVALID_ARG;
    }
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        fail(&l, "not JSON (near byte %ld)",
             cJSON_GetErrorPtr() ? (long)(cJSON_GetErrorPtr() - json) : 0L);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* Build the new scene beside the old one: an error changes nothing. */
    omv_rpc_sim_scene_def d = sim->def;
    clear_symbols(&d);
    int ok = scene(&l, root, &d);
    cJSON_Delete(root);
    if (!ok) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st = omvrpc_sim_encode_symbols(&d);
    if (st == OMV_RPC_ERR_INVALID_ARG) {
        fail(&l, "a payload its code cannot carry (EAN-13: 12 or 13 digits, with a right "
                 "check digit; QR codes and Data Matrices: shorter text)");
    }
    if (st != OMV_RPC_OK) {
        return st;
    }
    omvrpc_sim_scene_def_free(&sim->def);
    sim->def = d;
    return OMV_RPC_OK;
}
