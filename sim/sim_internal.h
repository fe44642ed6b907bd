/* The virtual camera's private state and the pieces its files share. */
#ifndef OMV_RPC_SIM_INTERNAL_H
#define OMV_RPC_SIM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "omv_rpc/sim.h"

/* A symbol's modules as its encoder made them, without a quiet zone:
 * cols x rows cells, 1 = dark, row by row from the top. 1-D barcodes
 * have one row. */
typedef struct omv_rpc_sim_symbol {
    int cols, rows;
    uint8_t *dark;
    /* What the all_* answers report about it: QR version, ECC level (as
     * OpenMV numbers it) and mask; Data Matrix data codewords and pad
     * codewords. */
    int version, ecc_level, mask;
    int capacity, padding;
} omv_rpc_sim_symbol;

/* A smooth, periodic motion of one coordinate:
 * centre + amplitude * sin(2*pi*t/period + phase); period 0: still. */
typedef struct omv_rpc_sim_wave {
    double centre, amplitude, period_s, phase;
} omv_rpc_sim_wave;

typedef struct omv_rpc_sim_code_def {
    bool visible;
    char payload[OMV_RPC_SIM_PAYLOAD_MAX];
    int type;              /* barcodes: OMV_RPC_SIM_CODE128 or OMV_RPC_SIM_EAN13 */
    int module;            /* reference pixels per module */
    int quiet;             /* quiet zone, in modules */
    int height;            /* barcodes: bar height in reference pixels */
    omv_rpc_sim_wave x, y; /* the symbol's centre */
    omv_rpc_sim_symbol symbol;
} omv_rpc_sim_code_def;

/* Everything the camera shows, as data: the built-in scene or a scene
 * file. omv_rpc_sim_scene_at evaluates it at a time. */
typedef struct omv_rpc_sim_scene_def {
    uint8_t background_from[3], background_to[3]; /* left to right gradient */
    bool face_visible;
    int face_w, face_h;
    omv_rpc_sim_wave face_x, face_y;
    omv_rpc_sim_code_def qrcode, datamatrix, barcode;
    bool tag_visible;
    int tag_id, tag_side;
    double tag_rotation_deg, tag_spin_deg_per_s;
    omv_rpc_sim_wave tag_x, tag_y;
    uint8_t tag_cells[10 * 10]; /* 1 = dark, row by row */
    bool blob_visible[OMV_RPC_SIM_BLOBS];
    int blob_radius[OMV_RPC_SIM_BLOBS];
    uint8_t blob_rgb[OMV_RPC_SIM_BLOBS][3];
    omv_rpc_sim_wave blob_x[OMV_RPC_SIM_BLOBS], blob_y[OMV_RPC_SIM_BLOBS];
} omv_rpc_sim_scene_def;

/* A user's remote function registered through the sim (sim_user.c). */
typedef struct omv_rpc_sim_user_callback {
    omv_rpc_sim *sim;
    char name[64];
    omv_rpc_sim_callback fn;
    void *user_data;
} omv_rpc_sim_user_callback;

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

    omv_rpc_sim_scene_def def;

    /* The "sensor" as the callbacks left it (slave thread only). */
    omv_rpc_sim_pixformat pixformat;
    int width, height;
    /* The last jpeg_image_snapshot: what jpeg_image_read serves. */
    uint8_t *fb;
    size_t fb_len;
    /* How long the stream writer waits for the reader's credits. */
    uint32_t stream_timeout_ms;
    /* Frames per second of jpeg_image_stream (0: as fast as it can) and
     * when the stream's last frame was taken. */
    uint32_t fps;
    bool fps_started;
    uint32_t fps_start_ms, fps_frames;
    /* The stream's current frame (valid until the writer asks again). */
    uint8_t *stream_frame;
    /* Room for the JSON answers of the all_* calls. */
    char json[768];
    /* The slave the sim is attached to, and the user's callbacks. */
    omv_rpc_slave *slave;
    omv_rpc_sim_user_callback user[OMV_RPC_SIM_USER_CALLBACKS_MAX];
    size_t user_count;
};

/* Labels: 3x5 glyphs drawn with cells of 2x2 reference pixels. */
#define OMV_RPC_SIM_GLYPH_SCALE 2
#define OMV_RPC_SIM_GLYPH_ADVANCE (4 * OMV_RPC_SIM_GLYPH_SCALE)
#define OMV_RPC_SIM_GLYPH_HEIGHT (5 * OMV_RPC_SIM_GLYPH_SCALE)

/* Whether cell (col 0..2, row 0..4) of character `c`'s glyph is lit
 * (letters in either case, digits, - . : /; others are blank). */
int omvrpc_sim_glyph_lit(char c, int col, int row);

/* The symbol encoders, one per library (sim_qr.c, sim_barcode.c,
 * sim_datamatrix.c, sim_tag.c). Each fills `out` (malloc'ed cells, freed
 * with omvrpc_sim_symbol_free) or returns OMV_RPC_ERR_INVALID_ARG for a
 * payload the symbology cannot carry, OMV_RPC_ERR_NO_MEMORY. */
omv_rpc_status omvrpc_sim_encode_qr(const char *payload, omv_rpc_sim_symbol *out);
omv_rpc_status omvrpc_sim_encode_barcode(const char *payload, int type, omv_rpc_sim_symbol *out);
omv_rpc_status omvrpc_sim_encode_datamatrix(const char *payload, omv_rpc_sim_symbol *out);
/* tag36h11 tag `id` (0..586) as 10x10 cells, white border included. */
omv_rpc_status omvrpc_sim_encode_tag(int id, uint8_t cells[10 * 10]);
void omvrpc_sim_symbol_free(omv_rpc_sim_symbol *symbol);

/* The built-in scene, symbols encoded. */
omv_rpc_status omvrpc_sim_builtin_scene(omv_rpc_sim_scene_def *def);
/* Encode the symbols of every visible code and the tag of `def`. */
omv_rpc_status omvrpc_sim_encode_symbols(omv_rpc_sim_scene_def *def);
void omvrpc_sim_scene_def_free(omv_rpc_sim_scene_def *def);

/* Register the user's callbacks on `slave` (sim_user.c). */
omv_rpc_status omvrpc_sim_attach_user_callbacks(omv_rpc_sim *sim, omv_rpc_slave *slave);

/* Wait until the next stream frame is due (sim_pace.c). */
void omvrpc_sim_pace(omv_rpc_sim *sim);

/* The scene time of the next frame; advances the frame count. */
uint32_t omvrpc_sim_take_time(omv_rpc_sim *sim);

/* Paint the scene into `pixels` (width*height*3 RGB, or width*height gray
 * when `gray`). */
void omvrpc_sim_paint(const omv_rpc_sim *sim, const omv_rpc_sim_scene *scene, int width, int height,
                      int gray, uint8_t *pixels);

/* Render `scene` and encode it as JPEG; *jpeg is freed with tjFree. */
omv_rpc_status omvrpc_sim_encode(const omv_rpc_sim *sim, const omv_rpc_sim_scene *scene,
                                 omv_rpc_sim_pixformat format, int width, int height, int quality,
                                 uint8_t **jpeg, size_t *len);

/* Scale a reference coordinate to a frame `size` wide (or high) whose
 * reference extent is `ref`. */
static inline int omvrpc_sim_scale(int v, int size, int ref)
{
    return (int)((long)v * size / ref);
}

#endif
