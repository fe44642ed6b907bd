/* The built-in scene, and encoding a scene's symbols.
 *
 * Modules are whole pixels at QVGA and VGA, so decoders read the codes
 * at both sizes. The layout keeps every object inside the window its call
 * looks at (sim.h) and keeps objects, with their quiet zones and labels,
 * from overlapping at any time: the face in the lower left, the barcode in
 * the left part of the barcode band, the Data Matrix and the QR code right
 * of it (both moving up and down across the band), the tag in the upper
 * right, the discs along the bottom and the top. */
#include <string.h>

#include "sim_internal.h"

#define SIM_TAU 6.283185307179586

static omv_rpc_sim_wave wave(double centre, double amplitude, double period_s, double phase)
{
    omv_rpc_sim_wave w = {centre, amplitude, period_s, phase};
    return w;
}

static void code(omv_rpc_sim_code_def *c, const char *payload, int type, int module, int quiet,
                 omv_rpc_sim_wave x, omv_rpc_sim_wave y)
{
    c->visible = true;
    strncpy(c->payload, payload, sizeof c->payload - 1);
    c->type = type;
    c->module = module;
    c->quiet = quiet;
    c->height = 32;
    c->x = x;
    c->y = y;
}

static void blob(omv_rpc_sim_scene_def *d, int k, int radius, uint8_t r, uint8_t g, uint8_t b,
                 omv_rpc_sim_wave x, omv_rpc_sim_wave y)
{
    d->blob_visible[k] = true;
    d->blob_radius[k] = radius;
    d->blob_rgb[k][0] = r;
    d->blob_rgb[k][1] = g;
    d->blob_rgb[k][2] = b;
    d->blob_x[k] = x;
    d->blob_y[k] = y;
}

omv_rpc_status omvrpc_sim_builtin_scene(omv_rpc_sim_scene_def *d)
{
    memset(d, 0, sizeof *d);
    /* A soft gradient that matches none of the discs' colours. */
    static const uint8_t from[3] = {40, 70, 110}, to[3] = {90, 70, 110};
    memcpy(d->background_from, from, 3);
    memcpy(d->background_to, to, 3);
    d->face_visible = true;
    d->face_w = 100;
    d->face_h = 120;
    d->face_x = wave(90, 20, 6, 0);
    d->face_y = wave(365, 25, 8, 1);
    /* Centres; sizes follow from the symbols (QR version 1: 21 modules;
     * Data Matrix 16x16; Code 128 of 6 digits: 68 modules). Modules: 4
     * reference pixels for the QR code, 6 for the Data Matrix (libdmtx
     * wants 3 pixels at QVGA), 2 for the barcode (bars of 1 pixel still
     * scan at QVGA). Quiet zones: 2 modules; 3 (libdmtx misjudges the
     * size now and then with less); the 10 that Code 128 needs. */
    code(&d->qrcode, "omvrpc.sim/qr", 0, 4, 2, wave(420, 9, 5, 0), wave(234, 60, 6, 0));
    code(&d->datamatrix, "omvrpc-dm", 0, 6, 3, wave(280, 12, 4, 0), wave(234, 48, 7, 2));
    code(&d->barcode, "314159", OMV_RPC_SIM_CODE128, 2, 10, wave(100, 12, 9, 0),
         wave(234, 6, 5, 0));
    d->tag_visible = true;
    d->tag_id = 7;
    d->tag_side = 80;
    d->tag_spin_deg_per_s = 20;
    d->tag_x = wave(556, 12, 6, 0);
    d->tag_y = wave(92, 12, 6, SIM_TAU / 4);
    blob(d, 0, 40, 230, 40, 40, wave(330, 60, 7, 0), wave(420, 0, 0, 0));
    blob(d, 1, 30, 40, 200, 60, wave(540, 30, 9, SIM_TAU / 4), wave(410, 20, 4, 0));
    blob(d, 2, 26, 240, 220, 40, wave(300, 40, 5, 0), wave(60, 0, 0, 0));
    return omvrpc_sim_encode_symbols(d);
}

omv_rpc_status omvrpc_sim_encode_symbols(omv_rpc_sim_scene_def *d)
{
    omv_rpc_status st = OMV_RPC_OK;
    omvrpc_sim_symbol_free(&d->qrcode.symbol);
    omvrpc_sim_symbol_free(&d->datamatrix.symbol);
    omvrpc_sim_symbol_free(&d->barcode.symbol);
    if (d->qrcode.visible) {
        st = omvrpc_sim_encode_qr(d->qrcode.payload, &d->qrcode.symbol);
    }
    if (st == OMV_RPC_OK && d->datamatrix.visible) {
        st = omvrpc_sim_encode_datamatrix(d->datamatrix.payload, &d->datamatrix.symbol);
    }
    /* An EAN-13 given without its check digit: the camera reads all 13. */
    char *p = d->barcode.payload;
    if (d->barcode.visible && d->barcode.type == OMV_RPC_SIM_EAN13 && strlen(p) == 12 &&
        strspn(p, "0123456789") == 12) {
        int sum = 0;
        for (int i = 0; i < 12; i++) {
            sum += (p[i] - '0') * (i % 2 ? 3 : 1);
        }
        p[12] = (char)('0' + (10 - sum % 10) % 10);
        p[13] = '\0';
    }
    if (st == OMV_RPC_OK && d->barcode.visible) {
        st = omvrpc_sim_encode_barcode(d->barcode.payload, d->barcode.type, &d->barcode.symbol);
    }
    if (st == OMV_RPC_OK && d->tag_visible) {
        st = omvrpc_sim_encode_tag(d->tag_id, d->tag_cells);
    }
    if (st != OMV_RPC_OK) {
        omvrpc_sim_scene_def_free(d);
    }
    return st;
}

void omvrpc_sim_scene_def_free(omv_rpc_sim_scene_def *d)
{
    omvrpc_sim_symbol_free(&d->qrcode.symbol);
    omvrpc_sim_symbol_free(&d->datamatrix.symbol);
    omvrpc_sim_symbol_free(&d->barcode.symbol);
}
