/* The scene model: where everything is at a given scene time. */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

#define SIM_TAU 6.283185307179586

/* A smooth, periodic motion: centre + amplitude * sin(2*pi*t/period + phase). */
static int wave(double t_s, double centre, double amplitude, double period_s, double phase)
{
    return (int)lround(centre + amplitude * sin(SIM_TAU * t_s / period_s + phase));
}

static void place_code(omv_rpc_sim_code *code, int x, int y, int w, int h, const char *payload)
{
    code->box.x = x;
    code->box.y = y;
    code->box.w = w;
    code->box.h = h;
    memset(code->payload, 0, sizeof code->payload);
    strncpy(code->payload, payload, sizeof code->payload - 1);
    /* The label: OMV_RPC_SIM_GLYPH_* cells per character, centred 2 pixels
     * below the code. */
    int n = (int)strlen(code->payload);
    code->label.w = n * OMV_RPC_SIM_GLYPH_ADVANCE - OMV_RPC_SIM_GLYPH_SCALE;
    code->label.h = OMV_RPC_SIM_GLYPH_HEIGHT;
    code->label.x = x + w / 2 - code->label.w / 2;
    code->label.y = y + h + 2;
}

static void place_blob(omv_rpc_sim_blob *blob, int cx, int cy, int radius, uint8_t r, uint8_t g,
                       uint8_t b)
{
    long area = 0;
    blob->cx = cx;
    blob->cy = cy;
    blob->radius = radius;
    blob->box.x = cx - radius;
    blob->box.y = cy - radius;
    blob->box.w = 2 * radius + 1;
    blob->box.h = 2 * radius + 1;
    blob->r = r;
    blob->g = g;
    blob->b = b;
    omv_rpc_sim_rgb_to_lab(r, g, b, &blob->lab_l, &blob->lab_a, &blob->lab_b);
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

/* The layout keeps every object inside the window its call looks at
 * (sim.h) and keeps objects from overlapping at any time: the face in the
 * lower left, the QR code above and the Data Matrix below the barcode band,
 * the tag in the upper right, the discs along the bottom and the top. */
void omv_rpc_sim_scene_at(const omv_rpc_sim *sim, uint32_t t_ms, omv_rpc_sim_scene *scene)
{
    double t = t_ms / 1000.0;
    (void)sim; /* every camera shows the same scene */
    memset(scene, 0, sizeof *scene);
    scene->t_ms = t_ms;

    int face_cx = wave(t, 90, 20, 6, 0);
    int face_cy = wave(t, 360, 30, 8, 1);
    scene->face.w = 100;
    scene->face.h = 120;
    scene->face.x = face_cx - scene->face.w / 2;
    scene->face.y = face_cy - scene->face.h / 2;

    place_code(&scene->qrcode, wave(t, 210, 40, 5, 0), wave(t, 130, 5, 5, SIM_TAU / 4), 70, 70,
               "https://openmv.io/omvrpc");
    place_code(&scene->datamatrix, wave(t, 300, 40, 7, 2), wave(t, 284, 4, 3, 0), 64, 64,
               "omvrpc-datamatrix");
    place_code(&scene->barcode, wave(t, 240, 80, 9, 0), 220, 240, 40, "OMVRPC-0123456789");

    omv_rpc_sim_apriltag *tag = &scene->apriltag;
    tag->cx = wave(t, 560, 16, 6, 0);
    tag->cy = wave(t, 96, 16, 6, SIM_TAU / 4);
    tag->side = 64;
    tag->id = 7;
    tag->rotation_deg = (int)((t_ms / 50u) % 360u);
    double th = tag->rotation_deg * SIM_TAU / 360.0;
    int extent = (int)ceil(tag->side / 2.0 * (fabs(cos(th)) + fabs(sin(th))) - 1e-9);
    tag->box.x = tag->cx - extent;
    tag->box.y = tag->cy - extent;
    tag->box.w = 2 * extent + 1;
    tag->box.h = 2 * extent + 1;

    place_blob(&scene->blobs[0], wave(t, 330, 60, 7, 0), 420, 40, 230, 40, 40);
    place_blob(&scene->blobs[1], wave(t, 520, 40, 9, SIM_TAU / 4), wave(t, 400, 20, 4, 0), 30, 40,
               200, 60);
    place_blob(&scene->blobs[2], wave(t, 440, 16, 5, 0), 170, 26, 240, 220, 40);
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
