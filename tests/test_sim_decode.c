/* The virtual camera's frames decoded by independent decoders (libzbar,
 * libdmtx, libapriltag) at QVGA and VGA, RGB565 and GRAYSCALE: each finds
 * the payload the scene model holds, where the model put it; the
 * detection calls answer what the decoders read; a stream's moving frames
 * all decode. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "omv_rpc/sim.h"
#include "sim_decoders.h"
#include "test_support.h"
#include "vectors.h"

/* Corner points against the model's box, in frame pixels: decoders place
 * corners on module edges, JPEG and rounding move them a little. */
#define SLACK_PX 3

static int sx(int v, int w)
{
    return (int)((long)v * w / OMV_RPC_SIM_WIDTH);
}

static int sy(int v, int h)
{
    return (int)((long)v * h / OMV_RPC_SIM_HEIGHT);
}

static void check_box(const sd_found *f, const omv_rpc_sim_rect *r, int w, int h)
{
    assert_true(abs(f->x0 - sx(r->x, w)) <= SLACK_PX);
    assert_true(abs(f->x1 - sx(r->x + r->w, w)) <= SLACK_PX);
    assert_true(abs(f->y0 - sy(r->y, h)) <= SLACK_PX);
    assert_true(abs(f->y1 - sy(r->y + r->h, h)) <= SLACK_PX);
}

/* zbar's points along a barcode are where its scan lines recognised the
 * first and last characters: a few modules inside the ends, at heights
 * inside the bars. The centre is where the bars' centre is; the width
 * within 6 modules (2 reference pixels each) of the bars' width. */
static void check_barcode_box(const sd_found *f, const omv_rpc_sim_rect *r, int w, int h)
{
    double centre = (f->x0 + f->x1) / 2.0, want = (r->x + r->w / 2.0) * w / OMV_RPC_SIM_WIDTH;
    int module6 = 6 * 2 * w / OMV_RPC_SIM_WIDTH;
    assert_true(fabs(centre - want) <= SLACK_PX);
    assert_true(f->x1 - f->x0 <= sx(r->w, w) && f->x1 - f->x0 >= sx(r->w, w) - module6);
    assert_true(f->y0 >= sy(r->y, h) - SLACK_PX && f->y1 <= sy(r->y + r->h, h) + SLACK_PX);
}

static double angle_between(double a, double b)
{
    double d = fmod(fabs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

/* Decode one frame and compare with the scene it shows. */
static void check_frame(const uint8_t *jpeg, size_t len, const omv_rpc_sim_scene *s)
{
    uint8_t *gray;
    int w, h;
    assert_true(sd_decode_gray(jpeg, len, &gray, &w, &h));
    sd_found qr, bar, dm, tag;
    sd_find_zbar(gray, w, h, &qr, &bar);
    sd_find_dmtx(gray, w, h, &dm);
    sd_find_tag(gray, w, h, &tag);
    free(gray);

    assert_true(qr.ok);
    assert_string_equal(qr.payload, s->qrcode.payload);
    check_box(&qr, &s->qrcode.box, w, h);

    assert_true(bar.ok);
    assert_int_equal(bar.type, s->barcode.type == OMV_RPC_SIM_EAN13 ? ZBAR_EAN13 : ZBAR_CODE128);
    assert_string_equal(bar.payload, s->barcode.payload);
    check_barcode_box(&bar, &s->barcode.box, w, h);

    assert_true(dm.ok);
    assert_string_equal(dm.payload, s->datamatrix.payload);
    check_box(&dm, &s->datamatrix.box, w, h);

    assert_true(tag.ok);
    assert_int_equal(tag.id, s->apriltag.id);
    assert_true(fabs(tag.cx - (s->apriltag.cx + 0.5) * w / OMV_RPC_SIM_WIDTH) <= SLACK_PX);
    assert_true(fabs(tag.cy - (s->apriltag.cy + 0.5) * h / OMV_RPC_SIM_HEIGHT) <= SLACK_PX);
    assert_true(angle_between(tag.rotation_deg, s->apriltag.rotation_deg) <= 4.0);
}

/* Several scene times, both sizes, both formats. */
static void test_frames_decode(void **state)
{
    (void)state;
    static const uint32_t times[] = {0, 2345, 4567, 8000, 13131};
    static const char *formats[] = {"RGB565", "GRAYSCALE"};
    static const char *sizes[] = {"QVGA", "VGA"};
    omv_rpc_sim *sim;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
        omv_rpc_sim_scene s;
        omv_rpc_sim_set_time(sim, times[t]);
        omv_rpc_sim_scene_at(sim, times[t], &s);
        for (int f = 0; f < 2; f++) {
            for (int z = 0; z < 2; z++) {
                uint8_t *jpeg;
                size_t len;
                assert_int_equal(
                    omv_rpc_sim_render_jpeg(sim, formats[f], sizes[z], 90, &jpeg, &len),
                    OMV_RPC_OK);
                check_frame(jpeg, len, &s);
                omv_rpc_sim_free_buffer(jpeg);
            }
        }
    }
    omv_rpc_sim_free(sim);
}

/* A sweep through the motions' periods (the longest is 9 s): every
 * 100 ms of scene time, alternating the formats, at QVGA (the smaller
 * size, where modules are fewest pixels). */
static void test_motion_sweep(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    for (uint32_t t = 0; t < 9000; t += 100) {
        omv_rpc_sim_scene s;
        uint8_t *jpeg;
        size_t len;
        omv_rpc_sim_set_time(sim, t);
        omv_rpc_sim_scene_at(sim, t, &s);
        assert_int_equal(
            omv_rpc_sim_render_jpeg(sim, t % 200 ? "RGB565" : "GRAYSCALE", "QVGA", 90, &jpeg, &len),
            OMV_RPC_OK);
        check_frame(jpeg, len, &s);
        omv_rpc_sim_free_buffer(jpeg);
    }
    omv_rpc_sim_free(sim);
}

typedef struct rig {
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    omv_rpc_sim *sim;
    ts_slave_thread thread;
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

static size_t call(rig *r, const char *name, const char *arg, const uint8_t **res)
{
    size_t len = 0;
    assert_int_equal(
        omv_rpc_master_call(r->master, name, arg, arg ? strlen(arg) : 0, res, &len, 1000, 5000),
        OMV_RPC_OK);
    return len;
}

static int json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valueint;
}

/* What `omv-rpc snapshot --framesize VGA` and `zbarimg` show a user: the
 * payloads and places the detection calls answer. */
static void test_calls_match_decoders(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    omv_rpc_sim_set_time(r->sim, 3210);
    assert_int_equal(call(r, "jpeg_image_snapshot", "sensor.RGB565,sensor.VGA", &res), 4);
    uint32_t size =
        (uint32_t)res[0] | (uint32_t)res[1] << 8 | (uint32_t)res[2] << 16 | (uint32_t)res[3] << 24;
    uint8_t *jpeg = malloc(size);
    assert_non_null(jpeg);
    for (uint32_t off = 0; off < size;) {
        char arg[8];
        uint32_t n = size - off > 4096 ? 4096 : size - off;
        uint32_t v[2] = {off, n};
        for (int i = 0; i < 8; i++) {
            arg[i] = (char)(v[i / 4] >> (8 * (i % 4)));
        }
        size_t got = 0;
        assert_int_equal(
            omv_rpc_master_call(r->master, "jpeg_image_read", arg, 8, &res, &got, 1000, 5000),
            OMV_RPC_OK);
        assert_int_equal(got, n);
        memcpy(jpeg + off, res, n);
        off += n;
    }
    uint8_t *gray;
    int w, h;
    assert_true(sd_decode_gray(jpeg, size, &gray, &w, &h));
    free(jpeg);
    sd_found qr, bar, dm, tag;
    sd_find_zbar(gray, w, h, &qr, &bar);
    sd_find_dmtx(gray, w, h, &dm);
    sd_find_tag(gray, w, h, &tag);
    free(gray);
    assert_true(qr.ok && bar.ok && dm.ok && tag.ok);

    size_t len = call(r, "qrcode_detection", NULL, &res);
    assert_int_equal(len, strlen(qr.payload));
    assert_memory_equal(res, qr.payload, len);
    len = call(r, "barcode_detection", NULL, &res);
    assert_int_equal(len, strlen(bar.payload));
    assert_memory_equal(res, bar.payload, len);
    len = call(r, "datamatrix_detection", NULL, &res);
    assert_int_equal(len, strlen(dm.payload));
    assert_memory_equal(res, dm.payload, len);

    /* The all_ forms' boxes, moved from their windows to VGA. */
    const struct {
        const char *name;
        const sd_found *f;
        int ox, oy;
    } all[] = {{"all_qrcode_detection", &qr, 160, 120},
               {"all_datamatrix_detection", &dm, 160, 120},
               {"all_barcode_detection", &bar, 0, 210}};
    for (size_t i = 0; i < 3; i++) {
        len = call(r, all[i].name, NULL, &res);
        cJSON *j = cJSON_ParseWithLength((const char *)res, len);
        assert_non_null(j);
        const cJSON *o = cJSON_GetArrayItem(j, 0);
        assert_non_null(o);
        omv_rpc_sim_rect box = {json_int(o, "x") + all[i].ox, json_int(o, "y") + all[i].oy,
                                json_int(o, "w"), json_int(o, "h")};
        if (i < 2) {
            check_box(all[i].f, &box, w, h);
        } else {
            check_barcode_box(all[i].f, &box, w, h);
        }
        cJSON_Delete(j);
    }

    /* The tag call answers in QQVGA: a quarter of VGA. */
    assert_int_equal(call(r, "apriltag_detection", NULL, &res), 8);
    assert_true(fabs((res[0] | res[1] << 8) - tag.cx / 4) <= 1.5);
    assert_true(fabs((res[2] | res[3] << 8) - tag.cy / 4) <= 1.5);
    assert_int_equal(res[4] | res[5] << 8, tag.id);
    assert_true(angle_between(res[6] | res[7] << 8, tag.rotation_deg) <= 4.0);
}

typedef struct stream_check {
    omv_rpc_sim *sim;
    uint32_t t0;
    int frames, want;
} stream_check;

static int on_frame(void *ud, const uint8_t *frame, size_t len)
{
    stream_check *c = ud;
    omv_rpc_sim_scene s;
    omv_rpc_sim_scene_at(c->sim, c->t0 + (uint32_t)c->frames * OMV_RPC_SIM_FRAME_MS, &s);
    check_frame(frame, len, &s);
    return ++c->frames >= c->want;
}

/* Every frame of a stream of the moving scene decodes, where the model
 * says each thing is at that frame's time. */
static void test_stream_decodes(void **state)
{
    rig *r = *state;
    const uint8_t *res;
    omv_rpc_sim_set_time(r->sim, 1000);
    omv_rpc_sim_release_time(r->sim);
    stream_check c = {.sim = r->sim, .t0 = omv_rpc_sim_time(r->sim), .want = 24};
    assert_int_equal(call(r, "jpeg_image_stream", "sensor.GRAYSCALE,sensor.QVGA", &res), 0);
    assert_int_equal(omv_rpc_master_stream_reader(r->master, on_frame, &c, 1, 5000), OMV_RPC_OK);
    assert_int_equal(c.frames, 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_decode),
        cmocka_unit_test(test_motion_sweep),
        cmocka_unit_test_setup_teardown(test_calls_match_decoders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_decodes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
