/* The scene model: where everything described by the scene's definition
 * is at a given scene time. */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

#define SIM_TAU 6.283185307179586

static int wave_at(const omv_rpc_sim_wave *w, double t_s)
{
    double phase = w->phase + (w->period_s > 0 ? SIM_TAU * t_s / w->period_s : 0);
    return (int)lround(w->centre + w->amplitude * sin(phase));
}

static void place_code(omv_rpc_sim_code *code, const omv_rpc_sim_code_def *def, double t)
{
    memset(code, 0, sizeof *code);
    code->visible = def->visible;
    if (!def->visible) {
        return;
    }
    const omv_rpc_sim_symbol *sym = &def->symbol;
    int w = sym->cols * def->module;
    int h = sym->rows == 1 ? def->height : sym->rows * def->module;
    code->box.x = wave_at(&def->x, t) - w / 2;
    code->box.y = wave_at(&def->y, t) - h / 2;
    code->box.w = w;
    code->box.h = h;
    code->quiet_x = def->quiet * def->module;
    code->quiet_y = sym->rows == 1 ? def->module : code->quiet_x;
    code->type = def->type;
    memcpy(code->payload, def->payload, sizeof code->payload);
    /* The label: OMV_RPC_SIM_GLYPH_* cells per character, centred 2 pixels
     * below the quiet zone. */
    int n = (int)strlen(code->payload);
    code->label.w = n * OMV_RPC_SIM_GLYPH_ADVANCE - OMV_RPC_SIM_GLYPH_SCALE;
    code->label.h = OMV_RPC_SIM_GLYPH_HEIGHT;
    code->label.x = code->box.x + w / 2 - code->label.w / 2;
    code->label.y = code->box.y + h + code->quiet_y + 2;
}

static void place_blob(omv_rpc_sim_blob *blob, int cx, int cy, int radius, const uint8_t rgb[3])
{
    long area = 0;
    blob->visible = 1;
    blob->cx = cx;
    blob->cy = cy;
    blob->radius = radius;
    blob->box.x = cx - radius;
    blob->box.y = cy - radius;
    blob->box.w = 2 * radius + 1;
    blob->box.h = 2 * radius + 1;
    blob->r = rgb[0];
    blob->g = rgb[1];
    blob->b = rgb[2];
    omv_rpc_sim_rgb_to_lab(blob->r, blob->g, blob->b, &blob->lab_l, &blob->lab_a, &blob->lab_b);
    const int8_t lab[3] = {blob->lab_l, blob->lab_a, blob->lab_b};
    for (int i = 0; i < 3; i++) {
        int lo = i == 0 ? 0 : -128, hi = i == 0 ? 100 : 127;
        int min = lab[i] - OMV_RPC_SIM_LAB_SLACK, max = lab[i] + OMV_RPC_SIM_LAB_SLACK;
        blob->thresholds[2 * i] = (int8_t)(min < lo ? lo : min);
        blob->thresholds[2 * i + 1] = (int8_t)(max > hi ? hi : max);
    }
    /* The pixels a camera would count: integer points inside the disc. */
    for (int dy = -radius; dy <= radius; dy++) {
        for (int dx = -radius; dx <= radius; dx++) {
            area += dx * dx + dy * dy <= radius * radius;
        }
    }
    blob->area = area;
}

static void place_tag(omv_rpc_sim_apriltag *tag, const omv_rpc_sim_scene_def *def, double t)
{
    tag->visible = def->tag_visible;
    if (!def->tag_visible) {
        return;
    }
    tag->cx = wave_at(&def->tag_x, t);
    tag->cy = wave_at(&def->tag_y, t);
    tag->side = def->tag_side;
    tag->id = def->tag_id;
    double deg = fmod(def->tag_rotation_deg + def->tag_spin_deg_per_s * t, 360.0);
    tag->rotation_deg = ((int)floor(deg) % 360 + 360) % 360;
    double th = tag->rotation_deg * SIM_TAU / 360.0;
    int extent = (int)ceil(tag->side / 2.0 * (fabs(cos(th)) + fabs(sin(th))) - 1e-9);
    tag->box.x = tag->cx - extent;
    tag->box.y = tag->cy - extent;
    tag->box.w = 2 * extent + 1;
    tag->box.h = 2 * extent + 1;
}

void omv_rpc_sim_scene_at(const omv_rpc_sim *sim, uint32_t t_ms, omv_rpc_sim_scene *scene)
{
    const omv_rpc_sim_scene_def *def = &sim->def;
    double t = t_ms / 1000.0;
    memset(scene, 0, sizeof *scene);
    scene->t_ms = t_ms;
    scene->face_visible = def->face_visible;
    if (def->face_visible) {
        scene->face.w = def->face_w;
        scene->face.h = def->face_h;
        scene->face.x = wave_at(&def->face_x, t) - def->face_w / 2;
        scene->face.y = wave_at(&def->face_y, t) - def->face_h / 2;
    }
    place_code(&scene->qrcode, &def->qrcode, t);
    place_code(&scene->datamatrix, &def->datamatrix, t);
    place_code(&scene->barcode, &def->barcode, t);
    place_tag(&scene->apriltag, def, t);
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        if (def->blob_visible[k]) {
            place_blob(&scene->blobs[k], wave_at(&def->blob_x[k], t), wave_at(&def->blob_y[k], t),
                       def->blob_radius[k], def->blob_rgb[k]);
        }
    }
}

static double srgb_to_linear(uint8_t c)
{
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

static int8_t clamp_lab(double v, double lo, double hi)
{
    v = lround(v);
    return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

void omv_rpc_sim_rgb_to_lab(uint8_t r, uint8_t g, uint8_t b, int8_t *l, int8_t *a, int8_t *b_out)
{
    double rl = srgb_to_linear(r), gl = srgb_to_linear(g), bl = srgb_to_linear(b);
    /* sRGB to XYZ (D65), then normalised by the D65 white. */
    double x = (0.4124564 * rl + 0.3575761 * gl + 0.1804375 * bl) / 0.95047;
    double y = 0.2126729 * rl + 0.7151522 * gl + 0.0721750 * bl;
    double z = (0.0193339 * rl + 0.1191920 * gl + 0.9503041 * bl) / 1.08883;
    double fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
    *l = clamp_lab(116 * fy - 16, 0, 100);
    *a = clamp_lab(500 * (fx - fy), -128, 127);
    *b_out = clamp_lab(200 * (fy - fz), -128, 127);
}
