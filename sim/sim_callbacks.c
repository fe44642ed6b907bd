/* The remote functions of OpenMV's example remote-device scripts, answered
 * from the scene model with the examples' argument and result formats. */
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

#define SIM_JPEG_QUALITY 90
/* put_bytes timeout of the examples' cut-through transfer. */
#define SIM_CUT_THROUGH_TIMEOUT_MS 5000u
#define SIM_PI 3.14159265358979323846

static void put_u16(uint8_t *p, int v)
{
    unsigned u = (unsigned)(v < 0 ? 0 : v > 0xFFFF ? 0xFFFF : v);
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A float as MicroPython's "%f" prints it (6 decimals), always with a
 * '.', whatever the program's locale: the JSON answers must stay JSON. */
typedef struct fixed6 {
    char text[32];
} fixed6;

static fixed6 fmt_f(double v)
{
    fixed6 f;
    long long micro = (long long)(v * 1e6 + (v < 0 ? -0.5 : 0.5));
    unsigned long long m = (unsigned long long)(micro < 0 ? -micro : micro);
    snprintf(f.text, sizeof f.text, "%s%llu.%06llu", micro < 0 ? "-" : "", m / 1000000u,
             m % 1000000u);
    return f;
}

/* "Take a snapshot" with the given sensor settings: the scene at the
 * frame's time. */
static void snapshot(omv_rpc_sim *sim, omv_rpc_sim_pixformat format, int width, int height,
                     omv_rpc_sim_scene *scene)
{
    sim->pixformat = format;
    sim->width = width;
    sim->height = height;
    omv_rpc_sim_scene_at(sim, omvrpc_sim_take_time(sim), scene);
}

static void reply_rect(omv_rpc_slave *slave, const omv_rpc_sim_rect *r, int w, int h)
{
    uint8_t out[8];
    put_u16(out, omvrpc_sim_scale(r->x, w, OMV_RPC_SIM_WIDTH));
    put_u16(out + 2, omvrpc_sim_scale(r->y, h, OMV_RPC_SIM_HEIGHT));
    put_u16(out + 4, omvrpc_sim_scale(r->w, w, OMV_RPC_SIM_WIDTH));
    put_u16(out + 6, omvrpc_sim_scale(r->h, h, OMV_RPC_SIM_HEIGHT));
    omv_rpc_slave_reply_copy(slave, out, sizeof out);
}

static void face_detection(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    omv_rpc_sim_scene s;
    (void)arg;
    (void)len;
    snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 320, 240, &s);
    if (s.face_visible) {
        reply_rect(slave, &s.face, 320, 240);
    }
}

/* The classifier sees a person whenever the face is in view. */
static void person_detection(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim_scene s;
    (void)arg;
    (void)len;
    snapshot(ud, OMV_RPC_SIM_RGB565, 320, 240, &s);
    if (s.face_visible) {
        omv_rpc_slave_reply(slave, "person", 6);
    } else {
        omv_rpc_slave_reply(slave, "no_person", 9);
    }
}

/* The codes' windows (sim.h): the 320x240 window centred in VGA for QR
 * codes and Data Matrices, the 640x60 band for barcodes. */
typedef enum code_kind { CODE_QR, CODE_DATAMATRIX, CODE_BARCODE } code_kind;

static const omv_rpc_sim_code *take_code(omv_rpc_sim *sim, code_kind kind, omv_rpc_sim_scene *s,
                                         int *ox, int *oy)
{
    const omv_rpc_sim_code *c;
    int w, h;
    if (kind == CODE_BARCODE) {
        snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 640, 60, s);
        *ox = 0;
        *oy = 210;
        w = 640;
        h = 60;
        c = &s->barcode;
    } else {
        snapshot(sim, OMV_RPC_SIM_RGB565, 320, 240, s);
        *ox = 160;
        *oy = 120;
        w = 320;
        h = 240;
        c = kind == CODE_QR ? &s->qrcode : &s->datamatrix;
    }
    /* Found when the whole symbol is in the window (a scene file may put
     * it elsewhere). */
    if (!c->visible || c->box.x < *ox || c->box.y < *oy || c->box.x + c->box.w > *ox + w ||
        c->box.y + c->box.h > *oy + h) {
        return NULL;
    }
    return c;
}

static const omv_rpc_sim_symbol *symbol_of(const omv_rpc_sim *sim, code_kind kind)
{
    return kind == CODE_QR           ? &sim->def.qrcode.symbol
           : kind == CODE_DATAMATRIX ? &sim->def.datamatrix.symbol
                                     : &sim->def.barcode.symbol;
}

static void code_payload(omv_rpc_slave *slave, void *ud, code_kind kind)
{
    omv_rpc_sim_scene s;
    int ox, oy;
    const omv_rpc_sim_code *c = take_code(ud, kind, &s, &ox, &oy);
    if (c) {
        omv_rpc_slave_reply_copy(slave, c->payload, strlen(c->payload));
    }
}

/* str(list of codes) on the camera: "[{...}]" with each object's print
 * format (all keys OpenMV prints, in its order). */
static void code_json(omv_rpc_slave *slave, omv_rpc_sim *sim, code_kind kind)
{
    omv_rpc_sim_scene s;
    int ox, oy, n;
    const omv_rpc_sim_code *c = take_code(sim, kind, &s, &ox, &oy);
    if (!c) {
        return; /* no detections: an empty result, as in the example */
    }
    const omv_rpc_sim_symbol *sym = symbol_of(sim, kind);
    int x = c->box.x - ox, y = c->box.y - oy, w = c->box.w, h = c->box.h;
    if (kind == CODE_QR) {
        n = snprintf(sim->json, sizeof sim->json,
                     "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", "
                     "\"version\":%d, \"ecc_level\":%d, \"mask\":%d, \"data_type\":%d, "
                     "\"eci\":%d}]",
                     x, y, w, h, c->payload, sym->version, sym->ecc_level, sym->mask, 4, 0);
    } else if (kind == CODE_DATAMATRIX) {
        n = snprintf(sim->json, sizeof sim->json,
                     "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", "
                     "\"rotation\":%s, \"rows\":%d, \"columns\":%d, \"capacity\":%d, "
                     "\"padding\":%d}]",
                     x, y, w, h, c->payload, fmt_f(0.0).text, sym->rows, sym->cols, sym->capacity,
                     sym->padding);
    } else {
        n = snprintf(sim->json, sizeof sim->json,
                     "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", "
                     "\"type\":%d, \"rotation\":%s, \"quality\":%d}]",
                     x, y, w, h, c->payload, c->type, fmt_f(0.0).text, 40);
    }
    if (n > 0 && (size_t)n < sizeof sim->json) {
        omv_rpc_slave_reply(slave, sim->json, (size_t)n);
    }
}

static void qrcode_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_payload(sl, ud, CODE_QR);
}
static void all_qrcode_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_json(sl, ud, CODE_QR);
}
static void datamatrix_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_payload(sl, ud, CODE_DATAMATRIX);
}
static void all_datamatrix_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_json(sl, ud, CODE_DATAMATRIX);
}
static void barcode_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_payload(sl, ud, CODE_BARCODE);
}
static void all_barcode_detection(omv_rpc_slave *sl, const uint8_t *a, size_t n, void *ud)
{
    (void)a, (void)n;
    code_json(sl, ud, CODE_BARCODE);
}

/* Found when the whole tag is in the frame. */
static int tag_in_view(const omv_rpc_sim_apriltag *t)
{
    return t->visible && t->box.x >= 0 && t->box.y >= 0 &&
           t->box.x + t->box.w <= OMV_RPC_SIM_WIDTH && t->box.y + t->box.h <= OMV_RPC_SIM_HEIGHT;
}

/* AprilTags are looked for in QQVGA, as in the example. */
static void apriltag_detection(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim_scene s;
    uint8_t out[8];
    (void)arg;
    (void)len;
    snapshot(ud, OMV_RPC_SIM_RGB565, 160, 120, &s);
    if (!tag_in_view(&s.apriltag)) {
        return;
    }
    put_u16(out, omvrpc_sim_scale(s.apriltag.cx, 160, OMV_RPC_SIM_WIDTH));
    put_u16(out + 2, omvrpc_sim_scale(s.apriltag.cy, 120, OMV_RPC_SIM_HEIGHT));
    put_u16(out + 4, s.apriltag.id);
    put_u16(out + 6, s.apriltag.rotation_deg);
    omv_rpc_slave_reply_copy(slave, out, sizeof out);
}

static void all_apriltag_detection(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    omv_rpc_sim_scene s;
    (void)arg;
    (void)len;
    snapshot(sim, OMV_RPC_SIM_RGB565, 160, 120, &s);
    const omv_rpc_sim_apriltag *t = &s.apriltag;
    if (!tag_in_view(t)) {
        return;
    }
    int x0 = omvrpc_sim_scale(t->box.x, 160, OMV_RPC_SIM_WIDTH);
    int y0 = omvrpc_sim_scale(t->box.y, 120, OMV_RPC_SIM_HEIGHT);
    int x1 = omvrpc_sim_scale(t->box.x + t->box.w, 160, OMV_RPC_SIM_WIDTH);
    int y1 = omvrpc_sim_scale(t->box.y + t->box.h, 120, OMV_RPC_SIM_HEIGHT);
    int n =
        snprintf(sim->json, sizeof sim->json,
                 "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"id\":%d, \"family\":%d, "
                 "\"cx\":%d, \"cy\":%d, \"rotation\":%s, \"decision_margin\":%s, "
                 "\"hamming\":%d, \"goodness\":%s}]",
                 x0, y0, x1 - x0, y1 - y0, t->id, OMV_RPC_SIM_TAG_FAMILY,
                 omvrpc_sim_scale(t->cx, 160, OMV_RPC_SIM_WIDTH),
                 omvrpc_sim_scale(t->cy, 120, OMV_RPC_SIM_HEIGHT),
                 fmt_f(t->rotation_deg * SIM_PI / 180.0).text, fmt_f(1.0).text, 0, fmt_f(0.0).text);
    if (n > 0 && (size_t)n < sizeof sim->json) {
        omv_rpc_slave_reply(slave, sim->json, (size_t)n);
    }
}

static int in_range(int v, int8_t lo, int8_t hi)
{
    /* OpenMV accepts a threshold pair in either order. */
    return lo <= hi ? (v >= lo && v <= hi) : (v >= hi && v <= lo);
}

/* <bbbbbb> L, A, B min/max thresholds -> <HH> centre of the largest
 * matching disc in QVGA, or empty. Only the discs are colour targets. */
static void color_detection(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim_scene s;
    if (len != 6) {
        return;
    }
    int8_t th[6];
    memcpy(th, arg, sizeof th);
    snapshot(ud, OMV_RPC_SIM_RGB565, 320, 240, &s);
    const omv_rpc_sim_blob *best = NULL;
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        const omv_rpc_sim_blob *b = &s.blobs[k];
        if (b->visible && in_range(b->lab_l, th[0], th[1]) && in_range(b->lab_a, th[2], th[3]) &&
            in_range(b->lab_b, th[4], th[5]) && (!best || b->area > best->area)) {
            best = b;
        }
    }
    if (best) {
        uint8_t out[4];
        put_u16(out, omvrpc_sim_scale(best->cx, 320, OMV_RPC_SIM_WIDTH));
        put_u16(out + 2, omvrpc_sim_scale(best->cy, 240, OMV_RPC_SIM_HEIGHT));
        omv_rpc_slave_reply_copy(slave, out, sizeof out);
    }
}

/* Replace the frame buffer with a new JPEG at the current settings. */
static omv_rpc_status take_jpeg(omv_rpc_sim *sim)
{
    omv_rpc_sim_scene s;
    uint8_t *jpeg = NULL;
    size_t jpeg_len = 0;
    omv_rpc_sim_scene_at(sim, omvrpc_sim_take_time(sim), &s);
    omv_rpc_status st = omvrpc_sim_encode(sim, &s, sim->pixformat, sim->width, sim->height,
                                          SIM_JPEG_QUALITY, &jpeg, &jpeg_len);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_sim_free_buffer(sim->fb);
    sim->fb = jpeg;
    sim->fb_len = jpeg_len;
    return OMV_RPC_OK;
}

static void jpeg_snapshot(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    (void)arg;
    (void)len;
    sim->pixformat = OMV_RPC_SIM_RGB565;
    sim->width = 320;
    sim->height = 240;
    if (take_jpeg(sim) == OMV_RPC_OK) {
        omv_rpc_slave_reply(slave, sim->fb, sim->fb_len);
    }
}

/* "sensor.RGB565,sensor.QQVGA" -> the sensor settings; 0 when malformed. */
static int apply_settings(omv_rpc_sim *sim, const uint8_t *arg, size_t len)
{
    const char *text = (const char *)arg;
    const char *comma = len ? memchr(text, ',', len) : NULL;
    omv_rpc_sim_pixformat format;
    int w, h;
    if (!comma || memchr(comma + 1, ',', len - (size_t)(comma + 1 - text)) ||
        omv_rpc_sim_parse_pixformat(text, (size_t)(comma - text), &format) != OMV_RPC_OK ||
        omv_rpc_sim_parse_framesize(comma + 1, len - (size_t)(comma + 1 - text), &w, &h) !=
            OMV_RPC_OK) {
        return 0;
    }
    sim->pixformat = format;
    sim->width = w;
    sim->height = h;
    return 1;
}

static void jpeg_image_snapshot(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    if (!apply_settings(sim, arg, len) || take_jpeg(sim) != OMV_RPC_OK) {
        return;
    }
    uint8_t out[4];
    put_u32(out, (uint32_t)sim->fb_len);
    omv_rpc_slave_reply_copy(slave, out, sizeof out);
}

static void send_frame_buffer(omv_rpc_slave *slave, void *ud)
{
    omv_rpc_sim *sim = ud;
    /* A failed transfer is the master's to notice (it gets too few bytes). */
    (void)omv_rpc_put_bytes(omv_rpc_slave_link(slave), sim->fb, sim->fb_len,
                            SIM_CUT_THROUGH_TIMEOUT_MS);
}

/* <II> offset, size -> those bytes of the frame buffer (clamped like a
 * Python slice); empty argument -> empty result, then the whole frame
 * buffer by cut-through. */
static void jpeg_image_read(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    if (len != 0 && len != 8) {
        return;
    }
    if (!sim->fb && take_jpeg(sim) != OMV_RPC_OK) {
        return;
    }
    if (len == 0) {
        omv_rpc_slave_schedule_callback(slave, send_frame_buffer, sim);
        return;
    }
    size_t offset = get_u32(arg), size = get_u32(arg + 4);
    if (offset >= sim->fb_len) {
        return;
    }
    if (size > sim->fb_len - offset) {
        size = sim->fb_len - offset;
    }
    omv_rpc_slave_reply(slave, sim->fb + offset, size);
}

static int next_stream_frame(void *ud, const uint8_t **frame, size_t *len)
{
    omv_rpc_sim *sim = ud;
    omv_rpc_sim_scene s;
    uint8_t *jpeg = NULL;
    size_t jpeg_len = 0;
    omvrpc_sim_pace(sim);
    omv_rpc_sim_scene_at(sim, omvrpc_sim_take_time(sim), &s);
    if (omvrpc_sim_encode(sim, &s, sim->pixformat, sim->width, sim->height, SIM_JPEG_QUALITY, &jpeg,
                          &jpeg_len) != OMV_RPC_OK) {
        return 1;
    }
    omv_rpc_sim_free_buffer(sim->stream_frame);
    sim->stream_frame = jpeg;
    *frame = jpeg;
    *len = jpeg_len;
    return 0;
}

static void stream_frames(omv_rpc_slave *slave, void *ud)
{
    omv_rpc_sim *sim = ud;
    /* The stream runs until the reader stops giving credits. */
    (void)omv_rpc_slave_stream_writer(slave, next_stream_frame, sim, sim->stream_timeout_ms);
    omv_rpc_sim_free_buffer(sim->stream_frame);
    sim->stream_frame = NULL;
}

static void jpeg_image_stream(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    omv_rpc_sim *sim = ud;
    sim->fps_started = false; /* a new stream's first frame goes at once */
    if (apply_settings(ud, arg, len)) {
        omv_rpc_slave_schedule_callback(slave, stream_frames, ud);
    }
}

omv_rpc_status omv_rpc_sim_attach(omv_rpc_sim *sim, omv_rpc_slave *slave)
{
    static const struct {
        const char *name;
        omv_rpc_callback fn;
    } table[] = {
        {"face_detection", face_detection},
        {"person_detection", person_detection},
        {"qrcode_detection", qrcode_detection},
        {"all_qrcode_detection", all_qrcode_detection},
        {"datamatrix_detection", datamatrix_detection},
        {"all_datamatrix_detection", all_datamatrix_detection},
        {"barcode_detection", barcode_detection},
        {"all_barcode_detection", all_barcode_detection},
        {"apriltag_detection", apriltag_detection},
        {"all_apriltag_detection", all_apriltag_detection},
        {"color_detection", color_detection},
        {"jpeg_snapshot", jpeg_snapshot},
        {"jpeg_image_snapshot", jpeg_image_snapshot},
        {"jpeg_image_read", jpeg_image_read},
        {"jpeg_image_stream", jpeg_image_stream},
    };
    if (!sim || !slave) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        omv_rpc_status st = omv_rpc_slave_register_callback(slave, table[i].name, table[i].fn, sim);
        if (st != OMV_RPC_OK) {
            return st;
        }
    }
    sim->slave = slave;
    return omvrpc_sim_attach_user_callbacks(sim, slave);
}
