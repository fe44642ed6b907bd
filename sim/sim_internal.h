/* The virtual camera's private state and the pieces its files share. */
#ifndef OMV_RPC_SIM_INTERNAL_H
#define OMV_RPC_SIM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "omv_rpc/sim.h"

struct omv_rpc_sim {
    /* Scene time: `base_ms` plus one frame period per frame taken, or
     * `base_ms` alone while frozen. Atomics, because tests freeze the time
     * from their thread while the slave's thread takes frames. */
    atomic_uint frames;
    atomic_uint base_ms;
    atomic_bool frozen;
    uint32_t (*clock)(void *user_data);
    void *clock_user_data;
    uint32_t clock_start;

    /* The "sensor" as the callbacks left it (slave thread only). */
    omv_rpc_sim_pixformat pixformat;
    int width, height;
    /* The last jpeg_image_snapshot: what jpeg_image_read serves. */
    uint8_t *fb;
    size_t fb_len;
    /* How long the stream writer waits for the reader's credits. */
    uint32_t stream_timeout_ms;
    /* The stream's current frame (valid until the writer asks again). */
    uint8_t *stream_frame;
    /* Room for the JSON answers of the all_* calls. */
    char json[768];
};

/* Labels: 3x5 glyphs drawn with cells of 2x2 reference pixels. */
#define OMV_RPC_SIM_GLYPH_SCALE 2
#define OMV_RPC_SIM_GLYPH_ADVANCE (4 * OMV_RPC_SIM_GLYPH_SCALE)
#define OMV_RPC_SIM_GLYPH_HEIGHT (5 * OMV_RPC_SIM_GLYPH_SCALE)

/* Whether cell (col 0..2, row 0..4) of character `c`'s glyph is lit
 * (letters in either case, digits, - . : /; others are blank). */
int omvrpc_sim_glyph_lit(char c, int col, int row);

/* The scene time of the next frame; advances the frame count. */
uint32_t omvrpc_sim_take_time(omv_rpc_sim *sim);

/* Paint the scene into `pixels` (width*height*3 RGB, or width*height gray
 * when `gray`). */
void omvrpc_sim_paint(const omv_rpc_sim_scene *scene, int width, int height, int gray,
                      uint8_t *pixels);

/* Render `scene` and encode it as JPEG; *jpeg is freed with tjFree. */
omv_rpc_status omvrpc_sim_encode(const omv_rpc_sim_scene *scene, omv_rpc_sim_pixformat format,
                                 int width, int height, int quality, uint8_t **jpeg,
                                 size_t *len);

/* Scale a reference coordinate to a frame `size` wide (or high) whose
 * reference extent is `ref`. */
static inline int omvrpc_sim_scale(int v, int size, int ref)
{
    return (int)((long)v * size / ref);
}

#endif
