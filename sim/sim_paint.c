/* Painting the scene into a frame, pixel by pixel, back to front. */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

static const rgb black = {16, 16, 16};
static const rgb white = {240, 240, 240};

/* A fixed bit per (seed, i, j): the modules of the codes and the tag. */
static unsigned pattern_bit(uint32_t seed, int i, int j)
{
    uint32_t h = seed ^ (uint32_t)i * 0x9E3779B1u ^ (uint32_t)j * 0x85EBCA77u;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h & 1u;
}

static uint32_t text_seed(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) {
        h = (h ^ (uint8_t)*s++) * 16777619u;
    }
    return h;
}

/* Where (u, v) falls in `box` split into n x n cells; 0 when outside. */
static int cell_of(const omv_rpc_sim_rect *box, double u, double v, int n, int *i, int *j)
{
    if (u < box->x || v < box->y || u >= box->x + box->w || v >= box->y + box->h) {
        return 0;
    }
    *i = (int)((u - box->x) * n / box->w);
    *j = (int)((v - box->y) * n / box->h);
    return 1;
}

/* A QR code: 21x21 modules, a 2-module quiet zone, three finder patterns. */
static int qr_color(const omv_rpc_sim_code *code, double u, double v, rgb *out)
{
    int i, j;
    if (!cell_of(&code->box, u, v, 25, &i, &j)) {
        return 0;
    }
    i -= 2;
    j -= 2;
    int dark;
    if (i < 0 || j < 0 || i > 20 || j > 20) {
        dark = 0;
    } else if ((i < 7 || i > 13) && (j < 7 || (j > 13 && i < 7))) {
        int fi = i > 13 ? i - 14 : i, fj = j > 13 ? j - 14 : j;
        int ring = fi < fj ? fi : fj;
        int far = (6 - fi) < (6 - fj) ? 6 - fi : 6 - fj;
        ring = ring < far ? ring : far;
        dark = ring != 1;
    } else if ((i == 7 && (j < 8 || j > 12)) || (j == 7 && (i < 8 || i > 12)) ||
               (i == 13 && j < 8) || (j == 13 && i < 8)) {
        dark = 0; /* separators around the finder patterns */
    } else {
        dark = (int)pattern_bit(text_seed(code->payload), i, j);
    }
    *out = dark ? black : white;
    return 1;
}

/* A Data Matrix: 16x16 modules, solid L on the left and bottom, a
 * clock track on the top and right, one module of quiet zone. */
static int datamatrix_color(const omv_rpc_sim_code *code, double u, double v, rgb *out)
{
    int i, j;
    if (!cell_of(&code->box, u, v, 18, &i, &j)) {
        return 0;
    }
    i -= 1;
    j -= 1;
    int dark;
    if (i < 0 || j < 0 || i > 15 || j > 15) {
        dark = 0;
    } else if (i == 0 || j == 15) {
        dark = 1;
    } else if (j == 0 || i == 15) {
        dark = (i + j) % 2 == 0;
    } else {
        dark = (int)pattern_bit(text_seed(code->payload), i, j);
    }
    *out = dark ? black : white;
    return 1;
}

/* A barcode: 80 bar units across, quiet zones of 8 units, full height. */
static int barcode_color(const omv_rpc_sim_code *code, double u, double v, rgb *out)
{
    int i, j;
    if (!cell_of(&code->box, u, v, 96, &i, &j)) {
        return 0;
    }
    int unit = i - 8;
    int dark = unit >= 0 && unit < 80 &&
               (unit < 2 || unit > 77 || pattern_bit(text_seed(code->payload), unit, 0));
    *out = dark ? black : white;
    return 1;
}

/* The face: a skin-coloured ellipse with two eyes and a mouth. */
static int face_color(const omv_rpc_sim_rect *f, double u, double v, rgb *out)
{
    double rx = f->w / 2.0, ry = f->h / 2.0;
    double dx = (u - (f->x + rx)) / rx, dy = (v - (f->y + ry)) / ry;
    if (dx * dx + dy * dy > 1.0) {
        return 0;
    }
    static const rgb skin = {224, 172, 140};
    static const rgb feature = {60, 40, 40};
    double ex = f->w * 0.18, ey = f->y + f->h * 0.38, er = f->w * 0.09;
    double cx = f->x + rx;
    double l = (u - (cx - ex)) * (u - (cx - ex)) + (v - ey) * (v - ey);
    double r = (u - (cx + ex)) * (u - (cx + ex)) + (v - ey) * (v - ey);
    int mouth = fabs(u - cx) < f->w * 0.2 && v > f->y + f->h * 0.70 && v < f->y + f->h * 0.78;
    *out = (l < er * er || r < er * er || mouth) ? feature : skin;
    return 1;
}

/* The AprilTag: 10x10 cells (white border, black ring, 6x6 bits of the
 * id), turned by rotation_deg about its centre. */
static int tag_color(const omv_rpc_sim_apriltag *tag, double u, double v, rgb *out)
{
    const omv_rpc_sim_rect *box = &tag->box;
    if (u < box->x || v < box->y || u >= box->x + box->w || v >= box->y + box->h) {
        return 0; /* spares the trigonometry for most pixels */
    }
    double th = tag->rotation_deg * 6.283185307179586 / 360.0;
    double du = u - tag->cx, dv = v - tag->cy;
    /* Undo the on-screen counter-clockwise turn (y grows downwards). */
    double x = du * cos(th) - dv * sin(th);
    double y = du * sin(th) + dv * cos(th);
    double half = tag->side / 2.0;
    if (x < -half || y < -half || x >= half || y >= half) {
        return 0;
    }
    int i = (int)((x + half) * 10 / tag->side), j = (int)((y + half) * 10 / tag->side);
    int dark;
    if (i == 0 || j == 0 || i == 9 || j == 9) {
        dark = 0;
    } else if (i == 1 || j == 1 || i == 8 || j == 8) {
        dark = 1;
    } else {
        dark = (int)pattern_bit(0xA9A11u + (uint32_t)tag->id, i, j);
    }
    *out = dark ? black : white;
    return 1;
}

/* The code's payload in light upper-case letters below it. */
static int label_color(const omv_rpc_sim_code *code, double u, double v, rgb *out)
{
    const omv_rpc_sim_rect *l = &code->label;
    if (u < l->x || v < l->y || u >= l->x + l->w || v >= l->y + l->h) {
        return 0;
    }
    int px = (int)(u - l->x) / OMV_RPC_SIM_GLYPH_SCALE;
    int row = (int)(v - l->y) / OMV_RPC_SIM_GLYPH_SCALE;
    int ch = px / 4, col = px % 4;
    if (col == 3 || !omvrpc_sim_glyph_lit(code->payload[ch], col, row)) {
        return 0;
    }
    *out = white;
    return 1;
}

static int blob_color(const omv_rpc_sim_blob *b, double u, double v, rgb *out)
{
    double dx = u - b->cx, dy = v - b->cy;
    if (dx * dx + dy * dy > (double)b->radius * b->radius) {
        return 0;
    }
    out->r = b->r;
    out->g = b->g;
    out->b = b->b;
    return 1;
}

static rgb scene_color(const omv_rpc_sim_scene *s, double u, double v)
{
    rgb c;
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        if (blob_color(&s->blobs[k], u, v, &c)) {
            return c;
        }
    }
    if (tag_color(&s->apriltag, u, v, &c) || face_color(&s->face, u, v, &c) ||
        qr_color(&s->qrcode, u, v, &c) || datamatrix_color(&s->datamatrix, u, v, &c) ||
        barcode_color(&s->barcode, u, v, &c) || label_color(&s->qrcode, u, v, &c) ||
        label_color(&s->datamatrix, u, v, &c) || label_color(&s->barcode, u, v, &c)) {
        return c;
    }
    /* A soft gradient that matches none of the discs' colours. */
    c.r = (uint8_t)(40 + 50 * u / OMV_RPC_SIM_WIDTH);
    c.g = (uint8_t)(60 + 40 * v / OMV_RPC_SIM_HEIGHT);
    c.b = 110;
    return c;
}

void omvrpc_sim_paint(const omv_rpc_sim_scene *scene, int width, int height, int gray,
                      uint8_t *pixels)
{
    for (int py = 0; py < height; py++) {
        double v = (py + 0.5) * OMV_RPC_SIM_HEIGHT / height;
        for (int px = 0; px < width; px++) {
            double u = (px + 0.5) * OMV_RPC_SIM_WIDTH / width;
            rgb c = scene_color(scene, u, v);
            if (gray) {
                *pixels++ = (uint8_t)((299 * c.r + 587 * c.g + 114 * c.b + 500) / 1000);
            } else {
                *pixels++ = c.r;
                *pixels++ = c.g;
                *pixels++ = c.b;
            }
        }
    }
}
