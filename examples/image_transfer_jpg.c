/*
 * image_transfer_jpg.c: get a JPEG image from an OpenMV Cam running
 * OpenMV's "image transfer jpg as the remote device" script (or
 * `omv-rpc sim`), two ways:
 *   - chunked: jpeg_image_read(offset, size) calls of 32 KiB, 3 tries each;
 *   - cut-through: one jpeg_image_read call with no argument, after which
 *     the camera sends the whole image as raw bytes.
 *
 *   usage: image_transfer_jpg [PORT]    saves chunked.jpg and cut_through.jpg
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omv_rpc/omv_rpc.h>

#define CHUNK (32u * 1024u)

static int save(const char *name, const uint8_t *img, size_t len)
{
    FILE *f = fopen(name, "wb");
    int ok = f != NULL && fwrite(img, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0) {
        ok = 0;
    }
    printf("%s %s (%zu bytes)\n", ok ? "saved" : "could not save", name, len);
    return ok;
}

/* Take a snapshot; returns its size in bytes (0 on failure). The argument
 * names the sensor's pixel format and frame size as on the camera. */
static uint32_t snapshot(omv_rpc_master *cam, const char *format)
{
    uint8_t r[4];
    size_t len = 0;
    if (omv_rpc_master_call_into(cam, "jpeg_image_snapshot", format, strlen(format), r, sizeof(r),
                                 &len, 1000, 1000) != OMV_RPC_OK ||
        len != 4) {
        return 0;
    }
    return (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
}

static int read_chunked(omv_rpc_master *cam, uint8_t *img, uint32_t size)
{
    for (uint32_t offset = 0; offset < size;) {
        uint32_t want = size - offset < CHUNK ? size - offset : CHUNK;
        /* The argument: offset and size, little-endian uint32 each. */
        uint8_t arg[8] = {(uint8_t)offset,         (uint8_t)(offset >> 8), (uint8_t)(offset >> 16),
                          (uint8_t)(offset >> 24), (uint8_t)want,          (uint8_t)(want >> 8),
                          (uint8_t)(want >> 16),   (uint8_t)(want >> 24)};
        size_t got = 0;
        int tries = 0;
        while (omv_rpc_master_call_into(cam, "jpeg_image_read", arg, sizeof(arg), img + offset,
                                        want, &got, 1000, 1000) != OMV_RPC_OK) {
            if (++tries == 3) {
                return 0;
            }
        }
        if (got != want) {
            return 0;
        }
        offset += want;
    }
    return 1;
}

static int read_cut_through(omv_rpc_master *cam, uint8_t *img, uint32_t size)
{
    /* After this call completes both sides are in step: the camera writes
     * the image raw, we read exactly `size` bytes. */
    if (omv_rpc_master_call(cam, "jpeg_image_read", NULL, 0, NULL, NULL, 1000, 1000) !=
        OMV_RPC_OK) {
        return 0;
    }
    return omv_rpc_get_bytes(omv_rpc_master_link(cam), img, size, 5000) == OMV_RPC_OK;
}

int main(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "auto";
    omv_rpc_master *cam = NULL;
    omv_rpc_status st = omv_rpc_usb_vcp_master_new(&cam, port, NULL);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "cannot open %s: %s\n", port, omv_rpc_status_message(st));
        return 1;
    }
    int ok = 1;
    for (int cut = 0; cut <= 1 && ok; cut++) {
        uint32_t size = snapshot(cam, "sensor.RGB565,sensor.QVGA");
        uint8_t *img = size > 0 ? malloc(size) : NULL;
        ok = img != NULL && (cut ? read_cut_through(cam, img, size) : read_chunked(cam, img, size));
        if (ok) {
            ok = save(cut ? "cut_through.jpg" : "chunked.jpg", img, size);
        } else {
            fprintf(stderr, "the %s transfer failed\n", cut ? "cut-through" : "chunked");
        }
        free(img);
    }
    omv_rpc_master_free(cam);
    return ok ? 0 : 1;
}
