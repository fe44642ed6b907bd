/* Independent decoders for the virtual camera's frames, for the tests:
 * libzbar (QR codes, barcodes), libdmtx (Data Matrix), libapriltag
 * (tag36h11). Each finds at most one symbol of its kind in a grayscale
 * frame and reports it in frame pixels. */
#ifndef OMV_RPC_TEST_SIM_DECODERS_H
#define OMV_RPC_TEST_SIM_DECODERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sd_found {
    int ok;
    char payload[64];
    int type;            /* zbar: its symbol type (ZBAR_CODE128, ZBAR_EAN13...) */
    int x0, y0, x1, y1;  /* bounding box of the decoder's corner points */
    int id;              /* AprilTag id */
    double cx, cy;       /* AprilTag centre */
    double rotation_deg; /* AprilTag: counter-clockwise on screen, 0..360 */
} sd_found;

/* A JPEG decoded to gray (malloc'ed *gray, free() it); 0 on failure. */
int sd_decode_gray(const uint8_t *jpeg, size_t len, uint8_t **gray, int *w, int *h);

void sd_find_zbar(const uint8_t *gray, int w, int h, sd_found *qr, sd_found *barcode);
void sd_find_dmtx(const uint8_t *gray, int w, int h, sd_found *dm);
void sd_find_tag(const uint8_t *gray, int w, int h, sd_found *tag);

#endif
