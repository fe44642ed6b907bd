/* Independent decoders for the virtual camera's frames (sim_decoders.h). */
#include "sim_decoders.h"

#include <apriltag/apriltag.h>
#include <apriltag/tag36h11.h>
#include <dmtx.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <zbar.h>

int sd_decode_gray(const uint8_t *jpeg, size_t len, uint8_t **gray, int *w, int *h)
{
    tjhandle tj = tjInitDecompress();
    int subsamp, cs, ok = 0;
    *gray = NULL;
    if (tj && tjDecompressHeader3(tj, jpeg, (unsigned long)len, w, h, &subsamp, &cs) == 0) {
        *gray = malloc((size_t)*w * (size_t)*h);
        ok = *gray &&
             tjDecompress2(tj, jpeg, (unsigned long)len, *gray, *w, 0, *h, TJPF_GRAY, 0) == 0;
    }
    if (tj) {
        tjDestroy(tj);
    }
    return ok;
}

static void box_add(sd_found *f, int first, double x, double y)
{
    int ix = (int)lround(x), iy = (int)lround(y);
    if (first) {
        f->x0 = f->x1 = ix;
        f->y0 = f->y1 = iy;
        return;
    }
    f->x0 = ix < f->x0 ? ix : f->x0;
    f->x1 = ix > f->x1 ? ix : f->x1;
    f->y0 = iy < f->y0 ? iy : f->y0;
    f->y1 = iy > f->y1 ? iy : f->y1;
}

void sd_find_zbar(const uint8_t *gray, int w, int h, sd_found *qr, sd_found *barcode)
{
    memset(qr, 0, sizeof *qr);
    memset(barcode, 0, sizeof *barcode);
    zbar_image_scanner_t *scanner = zbar_image_scanner_create();
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, gray, (unsigned long)w * (unsigned long)h, NULL);
    zbar_scan_image(scanner, img);
    for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s; s = zbar_symbol_next(s)) {
        sd_found *f = zbar_symbol_get_type(s) == ZBAR_QRCODE ? qr : barcode;
        if (f->ok) {
            continue;
        }
        f->ok = 1;
        f->type = (int)zbar_symbol_get_type(s);
        snprintf(f->payload, sizeof f->payload, "%s", zbar_symbol_get_data(s));
        unsigned n = zbar_symbol_get_loc_size(s);
        for (unsigned i = 0; i < n; i++) {
            box_add(f, i == 0, zbar_symbol_get_loc_x(s, i), zbar_symbol_get_loc_y(s, i));
        }
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(scanner);
}

void sd_find_dmtx(const uint8_t *gray, int w, int h, sd_found *dm)
{
    memset(dm, 0, sizeof *dm);
    /* Rows top-down in memory; libdmtx's y then grows upwards. */
    DmtxImage *img = dmtxImageCreate((unsigned char *)gray, w, h, DmtxPack8bppK);
    dmtxImageSetProp(img, DmtxPropImageFlip, DmtxFlipNone);
    DmtxDecode *dec = dmtxDecodeCreate(img, 1);
    DmtxTime timeout = dmtxTimeAdd(dmtxTimeNow(), 20000);
    /* As dmtxread does: every candidate region until one decodes. */
    DmtxRegion *reg;
    while (!dm->ok && (reg = dmtxRegionFindNext(dec, &timeout)) != NULL) {
        DmtxMessage *msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined);
        if (msg) {
            dm->ok = 1;
            snprintf(dm->payload, sizeof dm->payload, "%.*s", (int)msg->outputIdx,
                     (const char *)msg->output);
            static const double corners[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (int i = 0; i < 4; i++) {
                DmtxVector2 p = {corners[i][0], corners[i][1]};
                dmtxMatrix3VMultiplyBy(&p, reg->fit2raw);
                box_add(dm, i == 0, p.X, h - p.Y);
            }
            dmtxMessageDestroy(&msg);
        }
        dmtxRegionDestroy(&reg);
    }
    dmtxDecodeDestroy(&dec);
    dmtxImageDestroy(&img);
}

void sd_find_tag(const uint8_t *gray, int w, int h, sd_found *tag)
{
    memset(tag, 0, sizeof *tag);
    apriltag_family_t *family = tag36h11_create();
    apriltag_detector_t *det = apriltag_detector_create();
    apriltag_detector_add_family(det, family);
    det->quad_decimate = 1.0f;
    det->nthreads = 1;
    image_u8_t im = {.width = w, .height = h, .stride = w, .buf = (uint8_t *)gray};
    zarray_t *found = apriltag_detector_detect(det, &im);
    if (zarray_size(found) > 0) {
        apriltag_detection_t *d;
        zarray_get(found, 0, &d);
        tag->ok = 1;
        tag->id = d->id;
        tag->cx = d->c[0];
        tag->cy = d->c[1];
        for (int i = 0; i < 4; i++) {
            box_add(tag, i == 0, d->p[i][0], d->p[i][1]);
        }
        /* The tag's x axis runs from corner 0 to corner 1; y grows
         * downwards on screen. */
        double a = atan2(-(d->p[1][1] - d->p[0][1]), d->p[1][0] - d->p[0][0]) * 180.0 /
                   3.14159265358979323846;
        tag->rotation_deg = a < 0 ? a + 360.0 : a;
    }
    apriltag_detections_destroy(found);
    apriltag_detector_destroy(det);
    tag36h11_destroy(family);
}
