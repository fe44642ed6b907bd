/*
 * popular_features.c: the desktop as the controller of an OpenMV Cam that
 * runs OpenMV's "popular features as the remote device" script (or
 * `omv-rpc sim`). Calls each detection and prints the result in words.
 *
 *   usage: popular_features [PORT] [ROUNDS]     PORT: /dev/ttyACM0, COM3, auto
 *
 * Copy and trim it: each exe_* function is one remote call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <omv_rpc/omv_rpc.h>

static omv_rpc_master *cam;

/* Results are little-endian uint16 fields; read them byte by byte so the
 * code is right on any host. */
static unsigned u16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Call `name` with OpenMV's default 1 s timeouts. On success *r and *len
 * hold the result (owned by the master, valid until the next call). */
static int call(const char *name, const void *arg, size_t arg_len, const uint8_t **r, size_t *len)
{
    omv_rpc_status st = omv_rpc_master_call(cam, name, arg, arg_len, r, len, 1000, 1000);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "%s: %s\n", name, omv_rpc_status_message(st));
        return 0;
    }
    return *len > 0; /* an empty result: nothing was found */
}

static void exe_face_detection(void)
{
    const uint8_t *r;
    size_t len;
    if (call("face_detection", NULL, 0, &r, &len) && len == 8) {
        printf("Largest Face Detected [x=%u, y=%u, w=%u, h=%u]\n", u16(r), u16(r + 2), u16(r + 4),
               u16(r + 6));
    }
}

/* qrcode_detection, datamatrix_detection and barcode_detection give the
 * decoded text; their all_* forms give a JSON array of objects. */
static void exe_text(const char *name, const char *heading)
{
    const uint8_t *r;
    size_t len;
    if (call(name, NULL, 0, &r, &len)) {
        if (heading != NULL) {
            printf("%s\n", heading);
        }
        printf("%.*s\n", (int)len, (const char *)r);
    }
}

static void exe_apriltag_detection(void)
{
    const uint8_t *r;
    size_t len;
    if (call("apriltag_detection", NULL, 0, &r, &len) && len == 8) {
        printf("Largest Tag Detected [cx=%u, cy=%u, id=%u, rot=%u]\n", u16(r), u16(r + 2),
               u16(r + 4), u16(r + 6));
    }
}

static void exe_color_detection(void)
{
    /* LAB thresholds (L min, L max, A min, A max, B min, B max): red. */
    const int8_t thresholds[6] = {30, 100, 15, 127, 15, 127};
    const uint8_t *r;
    size_t len;
    if (call("color_detection", thresholds, sizeof(thresholds), &r, &len) && len == 4) {
        printf("Largest Color Detected [cx=%u, cy=%u]\n", u16(r), u16(r + 2));
    }
}

static void exe_jpeg_snapshot(int number)
{
    const uint8_t *r;
    size_t len;
    if (call("jpeg_snapshot", NULL, 0, &r, &len)) {
        char name[32];
        snprintf(name, sizeof(name), "snapshot-%05d.jpg", number);
        printf("Writing jpeg %s...\n", name);
        FILE *f = fopen(name, "wb");
        if (f != NULL) {
            fwrite(r, 1, len, f);
            fclose(f);
        }
    }
}

int main(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "auto";
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    omv_rpc_status st = omv_rpc_usb_vcp_master_new(&cam, port, NULL);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "cannot open %s: %s\n", port, omv_rpc_status_message(st));
        return 1;
    }
    for (int i = 0; i < rounds; i++) {
        exe_face_detection();
        exe_text("qrcode_detection", NULL);
        exe_text("all_qrcode_detection", "QR Codes Detected:");
        exe_apriltag_detection();
        exe_text("all_apriltag_detection", "Tags Detected:");
        exe_text("datamatrix_detection", NULL);
        exe_text("all_datamatrix_detection", "Data Matrices Detected:");
        exe_text("barcode_detection", NULL);
        exe_text("all_barcode_detection", "Bar Codes Detected:");
        exe_color_detection();
        exe_jpeg_snapshot(i);
    }
    omv_rpc_master_free(cam);
    return 0;
}
