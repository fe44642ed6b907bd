/* The virtual camera attached to a slave, called by a master over the
 * in-process pair: every callback's format and values, JPEG transfers by
 * call, by chunks, by cut-through and by stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "omv_rpc/sim.h"
#include "test_support.h"
#include "vectors.h"

#define T_FROZEN 7777u

typedef struct rig {
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    omv_rpc_sim *sim;
    ts_slave_thread thread;
    omv_rpc_sim_scene scene; /* at T_FROZEN */
} rig;

static int setup(void **state)
{
    rig *r = calloc(1, sizeof *r);
    omv_rpc_link a, b;
    assert_non_null(r);
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&r->master, &a, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&r->slave, &b, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_new(&r->sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_attach(r->sim, r->slave), OMV_RPC_OK);
    omv_rpc_sim_set_stream_timeout(r->sim, 300);
    omv_rpc_sim_set_time(r->sim, T_FROZEN);
    omv_rpc_sim_scene_at(r->sim, T_FROZEN, &r->scene);
    ts_slave_thread_start(&r->thread, r->slave);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig *r = *state;
    assert_int_equal(ts_slave_thread_stop(&r->thread), OMV_RPC_ERR_STOPPED);
    omv_rpc_master_free(r->master);
    omv_rpc_slave_free(r->slave);
    omv_rpc_sim_free(r->sim);
    free(r);
    return 0;
}

static size_t call(rig *r, const char *name, const void *arg, size_t arg_len,
                   const uint8_t **result)
{
    size_t len = 0;
    assert_int_equal(omv_rpc_master_call(r->master, name, arg, arg_len, result, &len, 1000, 3000),
                     OMV_RPC_OK);
    return len;
}

static size_t call_str(rig *r, const char *name, const char *arg, const uint8_t **result)
{
    return call(r, name, arg, strlen(arg), result);
}

static int u16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int sx(int v, int w)
{
    return v * w / OMV_RPC_SIM_WIDTH;
}

static int sy(int v, int h)
{
    return v * h / OMV_RPC_SIM_HEIGHT;
}

/* Decode a JPEG's header; 0 when it is not one. */
static int jpeg_size(const uint8_t *jpeg, size_t len, int *w, int *h, int *subsamp)
{
    tjhandle tj = tjInitDecompress();
    int cs;
    int ok = tj && tjDecompressHeader3(tj, jpeg, (unsigned long)len, w, h, subsamp, &cs) == 0;
    if (ok) {
        uint8_t *px = malloc((size_t)*w * (size_t)*h * 3);
        ok = px && tjDecompress2(tj, jpeg, (unsigned long)len, px, *w, 0, *h, TJPF_RGB, 0) == 0;
        free(px);
    }
    tjDestroy(tj);
    return ok;
}

static void test_face(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    assert_int_equal(call(r, "face_detection", NULL, 0, &res), 8);
    assert_int_equal(u16(res), sx(r->scene.face.x, 320));
    assert_int_equal(u16(res + 2), sy(r->scene.face.y, 240));
    assert_int_equal(u16(res + 4), sx(r->scene.face.w, 320));
    assert_int_equal(u16(res + 6), sy(r->scene.face.h, 240));
    assert_int_equal(call(r, "person_detection", NULL, 0, &res), 6);
    assert_memory_equal(res, "person", 6);
}

static void check_payload(rig *r, const char *name, const omv_rpc_sim_code *code)
{
    const uint8_t *res;
    size_t len = call(r, name, NULL, 0, &res);
    assert_int_equal(len, strlen(code->payload));
    assert_memory_equal(res, code->payload, len);
}

static cJSON *call_json(rig *r, const char *name)
{
    const uint8_t *res;
    size_t len = call(r, name, NULL, 0, &res);
    assert_true(len > 2);
    cJSON *j = cJSON_ParseWithLength((const char *)res, len);
    assert_non_null(j);
    assert_true(cJSON_IsArray(j));
    assert_int_equal(cJSON_GetArraySize(j), 1);
    return j;
}

static int num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valueint;
}

static void check_code_json(rig *r, const char *name, const omv_rpc_sim_code *code, int ox, int oy,
                            const char *const *extra_keys)
{
    cJSON *j = call_json(r, name);
    const cJSON *o = cJSON_GetArrayItem(j, 0);
    assert_int_equal(num(o, "x"), code->box.x - ox);
    assert_int_equal(num(o, "y"), code->box.y - oy);
    assert_int_equal(num(o, "w"), code->box.w);
    assert_int_equal(num(o, "h"), code->box.h);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payload");
    assert_true(cJSON_IsString(p));
    assert_string_equal(p->valuestring, code->payload);
    for (; *extra_keys; extra_keys++) {
        assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, *extra_keys)));
    }
    cJSON_Delete(j);
}

static void test_codes(void **state)
{
    rig *r = *state;
    static const char *const qr_keys[] = {"version", "ecc_level", "mask", "data_type", "eci", 0};
    static const char *const dm_keys[] = {"rotation", "rows", "columns", "capacity", "padding", 0};
    static const char *const bar_keys[] = {"type", "rotation", "quality", 0};
    check_payload(r, "qrcode_detection", &r->scene.qrcode);
    check_payload(r, "datamatrix_detection", &r->scene.datamatrix);
    check_payload(r, "barcode_detection", &r->scene.barcode);
    check_code_json(r, "all_qrcode_detection", &r->scene.qrcode, 160, 120, qr_keys);
    check_code_json(r, "all_datamatrix_detection", &r->scene.datamatrix, 160, 120, dm_keys);
    check_code_json(r, "all_barcode_detection", &r->scene.barcode, 0, 210, bar_keys);
}

/* The JSON text itself, byte for byte as the camera prints str(codes):
 * OpenMV's keys in OpenMV's order, ", " between items, floats with six
 * decimals. */
static void check_raw(rig *r, const char *name, const char *expected)
{
    const uint8_t *res;
    size_t len = call(r, name, NULL, 0, &res);
    assert_int_equal(len, strlen(expected));
    assert_memory_equal(res, expected, len);
}

static void test_json_text(void **state)
{
    rig *r = *state;
    char want[512];
    const omv_rpc_sim_code *q = &r->scene.qrcode, *d = &r->scene.datamatrix, *b = &r->scene.barcode;
    /* A version 1 symbol (21 modules) at level M (0 in OpenMV's
     * numbering) in byte mode (data_type 4); the mask is the encoder's
     * choice. */
    cJSON *j = call_json(r, "all_qrcode_detection");
    int mask = num(cJSON_GetArrayItem(j, 0), "mask");
    cJSON_Delete(j);
    assert_true(mask >= 0 && mask <= 7);
    assert_int_equal(q->box.w, 21 * 4);
    snprintf(want, sizeof want,
             "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", \"version\":1, "
             "\"ecc_level\":0, \"mask\":%d, \"data_type\":4, \"eci\":0}]",
             q->box.x - 160, q->box.y - 120, q->box.w, q->box.h, q->payload, mask);
    check_raw(r, "all_qrcode_detection", want);
    /* 16x16 holds 12 data codewords; ASCII takes one per character, the
     * rest is padding. */
    snprintf(want, sizeof want,
             "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", "
             "\"rotation\":0.000000, \"rows\":16, \"columns\":16, \"capacity\":12, "
             "\"padding\":%d}]",
             d->box.x - 160, d->box.y - 120, d->box.w, d->box.h, d->payload,
             12 - (int)strlen(d->payload));
    check_raw(r, "all_datamatrix_detection", want);
    snprintf(want, sizeof want,
             "[{\"x\":%d, \"y\":%d, \"w\":%d, \"h\":%d, \"payload\":\"%s\", \"type\":%d, "
             "\"rotation\":0.000000, \"quality\":40}]",
             b->box.x, b->box.y - 210, b->box.w, b->box.h, b->payload, OMV_RPC_SIM_BARCODE_TYPE);
    check_raw(r, "all_barcode_detection", want);

    /* The tag's rotation in radians, six decimals, at a known angle. */
    uint32_t t;
    omv_rpc_sim_scene s;
    for (t = 0;; t += 50) {
        omv_rpc_sim_scene_at(r->sim, t, &s);
        if (s.apriltag.rotation_deg == 90) {
            break;
        }
    }
    omv_rpc_sim_set_time(r->sim, t);
    const uint8_t *res;
    size_t len = call(r, "all_apriltag_detection", NULL, 0, &res);
    char *text = calloc(1, len + 1);
    assert_non_null(text);
    memcpy(text, res, len);
    assert_non_null(strstr(text, ", \"rotation\":1.570796, \"decision_margin\":1.000000, "
                                 "\"hamming\":0, \"goodness\":0.000000}]"));
    assert_non_null(strstr(text, "\"id\":7, \"family\":16, \"cx\":"));
    free(text);
}

static void test_apriltag(void **state)
{
    rig *r = *state;
    const omv_rpc_sim_apriltag *t = &r->scene.apriltag;
    const uint8_t *res;
    assert_int_equal(call(r, "apriltag_detection", NULL, 0, &res), 8);
    assert_int_equal(u16(res), sx(t->cx, 160));
    assert_int_equal(u16(res + 2), sy(t->cy, 120));
    assert_int_equal(u16(res + 4), t->id);
    assert_int_equal(u16(res + 6), t->rotation_deg);

    cJSON *j = call_json(r, "all_apriltag_detection");
    const cJSON *o = cJSON_GetArrayItem(j, 0);
    assert_int_equal(num(o, "id"), t->id);
    assert_int_equal(num(o, "family"), OMV_RPC_SIM_TAG_FAMILY);
    assert_int_equal(num(o, "cx"), sx(t->cx, 160));
    assert_int_equal(num(o, "cy"), sy(t->cy, 120));
    assert_int_equal(num(o, "x"), sx(t->box.x, 160));
    assert_int_equal(num(o, "y"), sy(t->box.y, 120));
    double rot = cJSON_GetObjectItemCaseSensitive(o, "rotation")->valuedouble;
    assert_true(rot * 180.0 / 3.14159265358979 > t->rotation_deg - 0.01 &&
                rot * 180.0 / 3.14159265358979 < t->rotation_deg + 0.01);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "decision_margin"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "hamming"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "goodness"));
    cJSON_Delete(j);
}

static size_t color_call(rig *r, int lmin, int lmax, int amin, int amax, int bmin, int bmax,
                         const uint8_t **res)
{
    int8_t th[6] = {(int8_t)lmin, (int8_t)lmax, (int8_t)amin,
                    (int8_t)amax, (int8_t)bmin, (int8_t)bmax};
    return call(r, "color_detection", th, sizeof th, res);
}

static void test_color(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        const omv_rpc_sim_blob *b = &r->scene.blobs[k];
        /* A window of +-8 around the disc's colour finds it alone. */
        assert_int_equal(color_call(r, b->lab_l - 8, b->lab_l + 8, b->lab_a - 8, b->lab_a + 8,
                                    b->lab_b - 8, b->lab_b + 8, &res),
                         4);
        assert_int_equal(u16(res), sx(b->cx, 320));
        assert_int_equal(u16(res + 2), sy(b->cy, 240));
        /* So do the thresholds the scene suggests for it. */
        assert_int_equal(call(r, "color_detection", b->thresholds, 6, &res), 4);
        assert_int_equal(u16(res), sx(b->cx, 320));
        assert_int_equal(u16(res + 2), sy(b->cy, 240));
        /* Reversed pairs mean the same range, as on the camera. */
        assert_int_equal(color_call(r, b->lab_l + 8, b->lab_l - 8, b->lab_a + 8, b->lab_a - 8,
                                    b->lab_b + 8, b->lab_b - 8, &res),
                         4);
        assert_int_equal(u16(res), sx(b->cx, 320));
        /* Just outside in L: nothing. */
        assert_int_equal(color_call(r, b->lab_l + 1, b->lab_l + 20, b->lab_a - 8, b->lab_a + 8,
                                    b->lab_b - 8, b->lab_b + 8, &res),
                         0);
    }
    /* Everything matches: the largest disc wins. */
    int largest = 0;
    for (int k = 1; k < OMV_RPC_SIM_BLOBS; k++) {
        if (r->scene.blobs[k].area > r->scene.blobs[largest].area) {
            largest = k;
        }
    }
    assert_int_equal(color_call(r, 0, 100, -128, 127, -128, 127, &res), 4);
    assert_int_equal(u16(res), sx(r->scene.blobs[largest].cx, 320));
    assert_int_equal(u16(res + 2), sy(r->scene.blobs[largest].cy, 240));
    /* Greys only: none of the discs. */
    assert_int_equal(color_call(r, 0, 100, -3, 3, -3, 3, &res), 0);
    /* A malformed argument: empty. */
    assert_int_equal(call(r, "color_detection", "\x01\x02\x03", 3, &res), 0);
    assert_int_equal(call(r, "color_detection", NULL, 0, &res), 0);
}

static uint8_t *render(rig *r, const char *format, const char *size, size_t *len)
{
    uint8_t *jpeg;
    assert_int_equal(omv_rpc_sim_render_jpeg(r->sim, format, size, 90, &jpeg, len), OMV_RPC_OK);
    return jpeg;
}

/* With the time frozen, the camera's JPEGs equal local renders byte for
 * byte. */
static void test_jpeg_snapshot(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    size_t len = call(r, "jpeg_snapshot", NULL, 0, &res);
    int w, h, ss;
    assert_true(jpeg_size(res, len, &w, &h, &ss));
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    assert_int_equal(ss, TJSAMP_420);
    size_t mine_len;
    uint8_t *mine = render(r, "sensor.RGB565", "sensor.QVGA", &mine_len);
    assert_int_equal(len, mine_len);
    assert_memory_equal(res, mine, len);
    omv_rpc_sim_free_buffer(mine);
}

static void test_jpeg_image_transfer(void **state)
{
    rig *r = *state;
    static const struct {
        const char *arg, *format, *size;
        int w, h, subsamp;
    } cases[] = {
        {"sensor.RGB565,sensor.QQVGA", "RGB565", "QQVGA", 160, 120, TJSAMP_420},
        {"sensor.GRAYSCALE,sensor.VGA", "GRAYSCALE", "VGA", 640, 480, TJSAMP_GRAY},
        {"sensor.RGB565, sensor.QVGA", "RGB565", "QVGA", 320, 240, TJSAMP_420},
        {"sensor.GRAYSCALE,sensor.QQQVGA", "GRAYSCALE", "QQQVGA", 80, 60, TJSAMP_GRAY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *res;
        assert_int_equal(call_str(r, "jpeg_image_snapshot", cases[i].arg, &res), 4);
        uint32_t size = u32(res);
        size_t mine_len;
        uint8_t *mine = render(r, cases[i].format, cases[i].size, &mine_len);
        assert_int_equal(size, mine_len);

        /* Chunked reads of 1000 bytes (the last one short). */
        uint8_t *got = malloc(size + 1);
        assert_non_null(got);
        for (uint32_t off = 0; off < size; off += 1000) {
            uint8_t arg[8];
            uint32_t want = 1000;
            for (int b = 0; b < 4; b++) {
                arg[b] = (uint8_t)(off >> (8 * b));
                arg[4 + b] = (uint8_t)(want >> (8 * b));
            }
            size_t n = call(r, "jpeg_image_read", arg, 8, &res);
            assert_int_equal(n, size - off < 1000 ? size - off : 1000);
            memcpy(got + off, res, n);
        }
        assert_memory_equal(got, mine, size);
        int w, h, ss;
        assert_true(jpeg_size(got, size, &w, &h, &ss));
        assert_int_equal(w, cases[i].w);
        assert_int_equal(h, cases[i].h);
        assert_int_equal(ss, cases[i].subsamp);

        /* Cut-through: an empty result, then the whole frame raw. */
        memset(got, 0, size);
        assert_int_equal(call(r, "jpeg_image_read", NULL, 0, &res), 0);
        assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(r->master), got, size, 5000),
                         OMV_RPC_OK);
        assert_memory_equal(got, mine, size);
        free(got);
        omv_rpc_sim_free_buffer(mine);
    }
}

static void test_bad_arguments(void **state)
{
    rig *r = *state;
    static const char *bad[] = {
        "sensor.RGB888,sensor.QVGA",       "sensor.RGB565,sensor.QVGAX", "sensor.RGB565", "", ",",
        "sensor.RGB565,sensor.QVGA,extra", "sensor.QVGA,sensor.RGB565",  "\xff\xfe,\x00"};
    const uint8_t *res;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(call_str(r, "jpeg_image_snapshot", bad[i], &res), 0);
        assert_int_equal(call_str(r, "jpeg_image_stream", bad[i], &res), 0);
    }
    /* The slave is free at once: no stream was started. */
    assert_int_equal(call(r, "face_detection", NULL, 0, &res), 8);

    /* jpeg_image_read: offsets past the end and odd argument sizes. */
    assert_int_equal(call_str(r, "jpeg_image_snapshot", "sensor.RGB565,sensor.QQVGA", &res), 4);
    uint32_t size = u32(res);
    uint8_t arg[9] = {0};
    for (int b = 0; b < 4; b++) {
        arg[b] = (uint8_t)(size >> (8 * b));
        arg[4 + b] = 0xFF;
    }
    assert_int_equal(call(r, "jpeg_image_read", arg, 8, &res), 0);
    arg[0] = (uint8_t)(size - 10);
    arg[1] = (uint8_t)((size - 10) >> 8);
    assert_int_equal(call(r, "jpeg_image_read", arg, 8, &res), 10);
    assert_int_equal(res[8], 0xFF); /* the JPEG's end marker */
    assert_int_equal(res[9], 0xD9);
    assert_int_equal(call(r, "jpeg_image_read", arg, 3, &res), 0);
    assert_int_equal(call(r, "jpeg_image_read", arg, 9, &res), 0);
    assert_int_equal(call(r, "no_such_function", NULL, 0, &res), 0);
}

/* Unfrozen, each frame the camera takes moves the scene by one period. */
static void test_time_follows_frames(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    omv_rpc_sim_scene s;
    omv_rpc_sim_release_time(r->sim);
    for (uint32_t f = 0; f < 40; f++) {
        assert_int_equal(call(r, "apriltag_detection", NULL, 0, &res), 8);
        omv_rpc_sim_scene_at(r->sim, T_FROZEN + f * OMV_RPC_SIM_FRAME_MS, &s);
        assert_int_equal(u16(res + 6), s.apriltag.rotation_deg);
        assert_int_equal(u16(res), sx(s.apriltag.cx, 160));
    }
    assert_int_equal(omv_rpc_sim_time(r->sim), T_FROZEN + 40 * OMV_RPC_SIM_FRAME_MS);
}

typedef struct stream_log {
    int frames, bad, want;
    size_t first_len;
    uint8_t *first;
    int differs;
} stream_log;

static int on_frame(void *ud, const uint8_t *frame, size_t len)
{
    stream_log *log = ud;
    int w, h, ss;
    if (!jpeg_size(frame, len, &w, &h, &ss) || w != 160 || h != 120 || ss != TJSAMP_420) {
        log->bad++;
    }
    if (!log->first) {
        log->first = malloc(len);
        memcpy(log->first, frame, len);
        log->first_len = len;
    } else if (len != log->first_len || memcmp(frame, log->first, len) != 0) {
        log->differs = 1;
    }
    return ++log->frames >= log->want;
}

static void test_stream(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    omv_rpc_sim_release_time(r->sim);
    for (int round = 0; round < 2; round++) {
        stream_log log = {.want = 8};
        assert_int_equal(call_str(r, "jpeg_image_stream", "sensor.RGB565,sensor.QQVGA", &res), 0);
        assert_int_equal(omv_rpc_master_stream_reader(r->master, on_frame, &log, 2, 2000),
                         OMV_RPC_OK);
        assert_int_equal(log.frames, 8);
        assert_int_equal(log.bad, 0);
        assert_true(log.differs); /* the scene moves from frame to frame */
        free(log.first);
        /* Once the writer gives up on the stopped reader, calls work. */
        assert_int_equal(call(r, "face_detection", NULL, 0, &res), 8);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_face, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apriltag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_image_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_follows_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
