/* Painting the scene into a frame, pixel by pixel, back to front. */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

static const rgb black = {16, 16, 16};
static const rgb white = {240, 240, 240};

/* A code: its symbol's modules in `box`, white around them in the quiet
 * zone; 0 when (u, v) is outside both. */
static int code_color(const omv_rpc_sim_code *code, const omv_rpc_sim_symbol *sym, double u,
                      double v, rgb *out)
{
    const omv_rpc_sim_rect *box = &code->box;
    if (!code->visible || u < box->x - code->quiet_x || v < box->y - code->quiet_y ||
        u >= box->x + box->w + code->quiet_x || v >= box->y + box->h + code->quiet_y) {
        return 0;
    }
    int dark = 0;
    if (u >= box->x && v >= box->y && u < box->x + box->w && v < box->y + box->h) {
        int i = (int)((u - box->x) * sym->cols / box->w);
        int j = (int)((v - box->y) * sym->rows / box->h);
        dark = sym->dark[j * sym->cols + i];
    }
    *out = dark ? black : white;
    return 1;
}

/* The face: a skin-coloured ellipse with two eyes and a mouth. */
static int face_color(const omv_rpc_sim_rect *f, double u, double v, rgb *out)
{
    if (f->w <= 0 || f->h <= 0) {
        return 0;
    }
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

/* The AprilTag: its family's 10x10 cells (white outline, black border,
 * 6x6 bits of the id), turned by rotation_deg about its centre. */
static int tag_color(const omv_rpc_sim_apriltag *tag, const uint8_t *cells, double u, double v,
                     rgb *out)
{
    const omv_rpc_sim_rect *box = &tag->box;
    if (!tag->visible || u < box->x || v < box->y || u >= box->x + box->w || v >= box->y + box->h) {
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
    *out = cells[j * 10 + i] ? black : white;
    return 1;
}

/* The code's payload in light upper-case letters below it. */
static int label_color(const omv_rpc_sim_code *code, double u, double v, rgb *out)
{
    const omv_rpc_sim_rect *l = &code->label;
    if (!code->visible || u < l->x || v < l->y || u >= l->x + l->w || v >= l->y + l->h) {
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
    if (!b->visible || dx * dx + dy * dy > (double)b->radius * b->radius) {
        return 0;
    }
    out->r = b->r;
    out->g = b->g;
    out->b = b->b;
    return 1;
}

static rgb scene_color(const omv_rpc_sim_scene_def *def, const omv_rpc_sim_scene *s, double u,
                       double v)
{
    rgb c;
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        if (blob_color(&s->blobs[k], u, v, &c)) {
            return c;
        }
    }
    if (tag_color(&s->apriltag, def->tag_cells, u, v, &c) ||
        (s->face_visible && face_color(&s->face, u, v, &c)) ||
        code_color(&s->qrcode, &def->qrcode.symbol, u, v, &c) ||
        code_color(&s->datamatrix, &def->datamatrix.symbol, u, v, &c) ||
        code_color(&s->barcode, &def->barcode.symbol, u, v, &c) ||
        label_color(&s->qrcode, u, v, &c) || label_color(&s->datamatrix, u, v, &c) ||
        label_color(&s->barcode, u, v, &c)) {
        return c;
    }
    /* The background: a gradient from left to right. */
    double f = u / OMV_RPC_SIM_WIDTH;
    const uint8_t *from = def->background_from, *to = def->background_to;
    c.r = (uint8_t)(from[0] + (to[0] - from[0]) * f);
    c.g = (uint8_t)(from[1] + (to[1] - from[1]) * f);
    c.b = (uint8_t)(from[2] + (to[2] - from[2]) * f);
    return c;
}

void omvrpc_sim_paint(const omv_rpc_sim *sim, const omv_rpc_sim_scene *scene, int width, int height,
                      int gray, uint8_t *pixels)
{
    for (int py = 0; py < height; py++) {
        double v = (py + 0.5) * OMV_RPC_SIM_HEIGHT / height;
        for (int px = 0; px < width; px++) {
            double u = (px + 0.5) * OMV_RPC_SIM_WIDTH / width;
            rgb c = scene_color(&sim->def, scene, u, v);
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
