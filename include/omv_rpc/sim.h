/*
 * omvrpc virtual camera: an OpenMV Cam that exists only in software.
 *
 * Attached to a slave, it answers the calls of OpenMV's example
 * remote-device scripts ("popular features", "image transfer jpg" and
 * "image transfer jpg streaming") with the same argument and result
 * formats, from a synthetic moving scene: a gradient background, a face,
 * a QR code, a Data Matrix, a barcode, an AprilTag and three coloured
 * discs. Each detection answer is computed from the scene model, so it
 * matches what the JPEG frames show. The codes are real symbols (QR by
 * libqrencode, Code 128 and EAN-13 by libzint, Data Matrix by libdmtx,
 * tag36h11 AprilTags from libapriltag's family), drawn with whole pixels
 * per module at QVGA and larger, so any decoder reads them from the
 * frames. A scene file (omv_rpc_sim_load_scene, docs/sim-scene.md)
 * changes what the camera sees; user callbacks
 * (omv_rpc_sim_register_callback) run next to the built-in ones.
 *
 * Geometry: the scene model is laid out on a 640x480 (VGA) reference
 * frame; a frame of another size shows the same scene stretched to it.
 * Each call answers in the frame geometry OpenMV's example uses:
 *   face_detection                    GRAYSCALE QVGA (reference / 2)
 *   qrcode_ / datamatrix_detection     the 320x240 window centred in VGA
 *                                      (reference - (160, 120))
 *   barcode_detection                 the 640x60 band centred in VGA
 *                                      (reference - (0, 210))
 *   apriltag_detection                QQVGA (reference / 4)
 *   color_detection                   QVGA (reference / 2)
 * Scaling is `v * size / 640` (x) and `v * size / 480` (y), rounded down.
 *
 * Scene time: each frame the camera "takes" (every detection call, every
 * JPEG) is rendered at scene time frames_taken * OMV_RPC_SIM_FRAME_MS,
 * unless omv_rpc_sim_set_time froze the time or omv_rpc_sim_set_clock gave
 * a clock.
 *
 * Thread-safety: omv_rpc_sim_scene_at, omv_rpc_sim_render_jpeg,
 * omv_rpc_sim_set_time and omv_rpc_sim_release_time may be called from any
 * thread, also while a slave thread serves the attached callbacks. The
 * callbacks themselves run on the slave's thread and keep per-camera state
 * (settings, last frame): attach a sim to one slave at a time.
 * omv_rpc_sim_set_clock and omv_rpc_sim_free must not race with anything.
 */
#ifndef OMV_RPC_SIM_H
#define OMV_RPC_SIM_H

#include "rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scene time between two frames without a clock. */
#define OMV_RPC_SIM_FRAME_MS 33u
/* The reference frame the scene model is laid out on. */
#define OMV_RPC_SIM_WIDTH 640
#define OMV_RPC_SIM_HEIGHT 480
/* Half the width of each disc's suggested LAB threshold window. */
#define OMV_RPC_SIM_LAB_SLACK 10
/* Number of coloured discs in the scene. */
#define OMV_RPC_SIM_BLOBS 3
/* Longest code payload, with its NUL. Payloads are printable ASCII
 * without quotes or backslashes, so they go into JSON as they are. */
#define OMV_RPC_SIM_PAYLOAD_MAX 32
/* OpenMV's constants the JSON answers carry. */
#define OMV_RPC_SIM_TAG_FAMILY 16 /* image.TAG36H11 */
#define OMV_RPC_SIM_CODE128 15    /* image.CODE128 */
#define OMV_RPC_SIM_EAN13 6       /* image.EAN13 */
/* The built-in scene's barcode type. */
#define OMV_RPC_SIM_BARCODE_TYPE OMV_RPC_SIM_CODE128
/* Most user callbacks one camera holds (omv_rpc_sim_register_callback). */
#define OMV_RPC_SIM_USER_CALLBACKS_MAX 16

typedef struct omv_rpc_sim omv_rpc_sim;

/* An axis-aligned box in reference coordinates. */
typedef struct omv_rpc_sim_rect {
    int x, y, w, h;
} omv_rpc_sim_rect;

/* A QR code, Data Matrix or barcode. `box` holds the symbol's modules
 * (what a decoder reports), surrounded by a white quiet zone `quiet_x`
 * reference pixels wide left and right, `quiet_y` above and below
 * (barcodes: one module); its payload is written (upper case) below in
 * `label` (outside both). `type`: barcodes' OpenMV type
 * (OMV_RPC_SIM_CODE128, OMV_RPC_SIM_EAN13), 0 for the others. A code that
 * is not `visible` (a scene file removed it) is neither drawn nor found. */
typedef struct omv_rpc_sim_code {
    int visible;
    omv_rpc_sim_rect box;
    int quiet_x, quiet_y;
    omv_rpc_sim_rect label;
    int type;
    char payload[OMV_RPC_SIM_PAYLOAD_MAX];
} omv_rpc_sim_code;

/* An AprilTag (TAG36H11): a square of side `side` centred on (cx, cy),
 * turned by `rotation_deg` (0..359, counter-clockwise as seen on screen,
 * as OpenMV reports it); `box` bounds its four corners. */
typedef struct omv_rpc_sim_apriltag {
    int visible;
    omv_rpc_sim_rect box;
    int cx, cy, side;
    int id;
    int rotation_deg;
} omv_rpc_sim_apriltag;

/* A filled disc of one colour, with its colour in CIE L*a*b* (OpenMV's
 * ranges: L 0..100, a and b -128..127) from the sRGB value by the standard
 * formula (D65 white). `box` bounds the disc; area is in reference pixels.
 * `thresholds` (L min, L max, A min, A max, B min, B max: color_detection's
 * argument) is a window of +-OMV_RPC_SIM_LAB_SLACK around the colour that
 * matches this disc and no other. */
typedef struct omv_rpc_sim_blob {
    int visible;
    omv_rpc_sim_rect box;
    int cx, cy, radius;
    uint8_t r, g, b;
    int8_t lab_l, lab_a, lab_b;
    int8_t thresholds[6];
    long area;
} omv_rpc_sim_blob;

/* Everything drawn at one scene time, in reference coordinates. */
typedef struct omv_rpc_sim_scene {
    uint32_t t_ms;
    int face_visible;
    omv_rpc_sim_rect face;
    omv_rpc_sim_code qrcode;
    omv_rpc_sim_code datamatrix;
    omv_rpc_sim_code barcode;
    omv_rpc_sim_apriltag apriltag;
    omv_rpc_sim_blob blobs[OMV_RPC_SIM_BLOBS];
} omv_rpc_sim_scene;

/* Create a virtual camera (malloc) showing the built-in scene. Its time
 * starts at 0 and follows the frames taken. Free with omv_rpc_sim_free.
 * Errors: OMV_RPC_ERR_INVALID_ARG (out is NULL), OMV_RPC_ERR_NO_MEMORY. */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_new(omv_rpc_sim **out);

/* Free the camera and the frames it holds; NULL is a no-op. Unregister it
 * (or free the slave) first: the slave's callbacks point to it. */
OMV_RPC_SIM_API void omv_rpc_sim_free(omv_rpc_sim *sim);

/* Register the camera's callbacks on `slave`: face_detection,
 * person_detection, qrcode_detection, all_qrcode_detection,
 * datamatrix_detection, all_datamatrix_detection, barcode_detection,
 * all_barcode_detection, apriltag_detection, all_apriltag_detection,
 * color_detection, jpeg_snapshot, jpeg_image_snapshot, jpeg_image_read,
 * jpeg_image_stream, and the user's (omv_rpc_sim_register_callback). The
 * sim must outlive the slave's use of them.
 * Errors: OMV_RPC_ERR_INVALID_ARG, OMV_RPC_ERR_FULL (the slave's table
 * is full). */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_attach(omv_rpc_sim *sim, omv_rpc_slave *slave);

/* Replace the scene with the one the JSON text `json` (`len` bytes)
 * describes (format: docs/sim-scene.md); what it does not mention stays as
 * in the built-in scene. On an error the scene is unchanged and, when
 * `error` is not NULL, a NUL-terminated message (at most `error_size`
 * bytes) says what is wrong. Errors: OMV_RPC_ERR_INVALID_ARG (not JSON, an
 * unknown key, a value out of range, a payload its symbology cannot
 * carry), OMV_RPC_ERR_NO_MEMORY. Not thread-safe: load before serving. */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_load_scene(omv_rpc_sim *sim, const char *json,
                                                      size_t len, char *error, size_t error_size);

/* What is drawn at scene time `t_ms`. Pure: the same inputs always give
 * the same scene. Thread-safe. */
OMV_RPC_SIM_API void omv_rpc_sim_scene_at(const omv_rpc_sim *sim, uint32_t t_ms,
                                          omv_rpc_sim_scene *scene);

/* Freeze scene time at `t_ms` (every frame is then rendered at it). */
OMV_RPC_SIM_API void omv_rpc_sim_set_time(omv_rpc_sim *sim, uint32_t t_ms);
/* Unfreeze: time follows the frames taken again, from the frozen time. */
OMV_RPC_SIM_API void omv_rpc_sim_release_time(omv_rpc_sim *sim);
/* The scene time the next frame will be rendered at. Thread-safe. */
OMV_RPC_SIM_API uint32_t omv_rpc_sim_time(const omv_rpc_sim *sim);

/* Follow a clock instead of the frame count: scene time is
 * now_ms(user_data) minus its value at this call. NULL goes back to
 * counting frames. A frozen time still wins. Not thread-safe. */
OMV_RPC_SIM_API void omv_rpc_sim_set_clock(omv_rpc_sim *sim, uint32_t (*now_ms)(void *user_data),
                                           void *user_data);

/* How long a jpeg_image_stream writer waits for the reader's next credit
 * before it ends the stream (default OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, as
 * on the camera). The slave's thread is busy that long after a reader
 * stops. Not thread-safe: set it before serving. */
OMV_RPC_SIM_API void omv_rpc_sim_set_stream_timeout(omv_rpc_sim *sim, uint32_t timeout_ms);

/* Pace jpeg_image_stream like a sensor running at `fps` frames per
 * second (0, the default: as fast as the link takes them). The writer
 * sleeps until each frame is due; a late frame is sent at once and the
 * pace resumes from it. A stop request waits for the frame being paced
 * (at most one period: 1000 / fps ms). At most 1000. Not thread-safe: set
 * it before serving. */
OMV_RPC_SIM_API void omv_rpc_sim_set_fps(omv_rpc_sim *sim, uint32_t fps);

/* Make `link` check what it receives at the speed of a camera's CRC: the
 * link then waits `us_per_byte` microseconds for every byte received
 * before it sends anything (the ack or result that follows a packet),
 * as a camera does that checks a packet before it answers. Waits are
 * whole milliseconds; the fractions are carried over to the next wait, so
 * the pace is right on average. The wait is not cut short by a stop
 * request: a 32 KiB packet at 5 us per byte holds the slave 164 ms (the
 * CLI allows at most 100 us per byte). The link keeps its flags and functions;
 * its context moves into a wrapper that the link's close frees. Call it
 * before handing the link to a slave (or master). 0 leaves the link as it
 * is. Errors: OMV_RPC_ERR_INVALID_ARG (NULL or incomplete link),
 * OMV_RPC_ERR_NO_MEMORY (the link is then unchanged). */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_checking_link(omv_rpc_link *link, uint32_t us_per_byte);

/* Pixel formats and frame sizes by their OpenMV names, with or without
 * the "sensor." prefix ("sensor.RGB565", "GRAYSCALE", "sensor.QVGA"...).
 * Return OMV_RPC_ERR_INVALID_ARG for a name the camera does not know. */
typedef enum omv_rpc_sim_pixformat {
    OMV_RPC_SIM_GRAYSCALE = 1,
    OMV_RPC_SIM_RGB565 = 2
} omv_rpc_sim_pixformat;
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_parse_pixformat(const char *name, size_t len,
                                                           omv_rpc_sim_pixformat *out);
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_parse_framesize(const char *name, size_t len, int *width,
                                                           int *height);

/* Take a frame: render the scene at the current scene time (then advance
 * it by one frame) and encode it as JPEG (quality 1..100; 4:2:0 for
 * RGB565, one channel for GRAYSCALE). On OMV_RPC_OK *jpeg (*len bytes) is
 * the caller's: free it with omv_rpc_sim_free_buffer. Thread-safe.
 * Errors: OMV_RPC_ERR_INVALID_ARG (unknown format or size, bad quality,
 * NULL pointer), OMV_RPC_ERR_NO_MEMORY (allocation or encoder failure). */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_render_jpeg(omv_rpc_sim *sim, const char *pixformat,
                                                       const char *framesize, int quality,
                                                       uint8_t **jpeg, size_t *len);

/* Take a frame without encoding it, as the built-in callbacks do: the
 * scene at the current scene time (then advanced by one frame) painted
 * into `pixels`, width * height bytes for GRAYSCALE, width * height * 3
 * (R, G, B) for RGB565; `scene` (may be NULL) gets what was drawn.
 * Width and height: 1..4096. Thread-safe. Errors: OMV_RPC_ERR_INVALID_ARG. */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_snapshot(omv_rpc_sim *sim, omv_rpc_sim_pixformat format,
                                                    int width, int height, uint8_t *pixels,
                                                    omv_rpc_sim_scene *scene);

/* A user's remote function on the virtual camera: the slave callback's
 * arguments plus the camera, so that it can take frames
 * (omv_rpc_sim_snapshot, omv_rpc_sim_render_jpeg) and read the scene. It
 * answers with the omv_rpc_slave_reply* functions. */
typedef void (*omv_rpc_sim_callback)(omv_rpc_sim *sim, omv_rpc_slave *slave, const uint8_t *arg,
                                     size_t arg_len, void *user_data);

/* Register `fn` under `name` next to the built-in callbacks: on the slave
 * at once when the camera is attached, and on every later
 * omv_rpc_sim_attach. A built-in name or one registered before is
 * replaced. `name` is copied (at most 63 bytes). Not thread-safe: register
 * before serving. Errors: OMV_RPC_ERR_INVALID_ARG, OMV_RPC_ERR_FULL (more
 * than OMV_RPC_SIM_USER_CALLBACKS_MAX names, or the slave's table is
 * full). */
OMV_RPC_SIM_API omv_rpc_status omv_rpc_sim_register_callback(omv_rpc_sim *sim, const char *name,
                                                             omv_rpc_sim_callback fn,
                                                             void *user_data);

/* Free a buffer from omv_rpc_sim_render_jpeg; NULL is a no-op. */
OMV_RPC_SIM_API void omv_rpc_sim_free_buffer(uint8_t *buf);

/* CIE L*a*b* (D65) of an sRGB colour, rounded, in OpenMV's ranges.
 * Thread-safe. */
OMV_RPC_SIM_API void omv_rpc_sim_rgb_to_lab(uint8_t r, uint8_t g, uint8_t b, int8_t *l, int8_t *a,
                                            int8_t *b_out);

#ifdef __cplusplus
}
#endif

#endif
