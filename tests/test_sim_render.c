/* The virtual camera without a link: its scene model, its time, its
 * colours and its JPEG frames. */
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "omv_rpc/sim.h"
#include "test_support.h"

typedef struct decoded {
    int width, height, subsamp;
    uint8_t *pixels; /* RGB, width * height * 3 */
} decoded;

static void decode(const uint8_t *jpeg, size_t len, decoded *d)
{
    tjhandle tj = tjInitDecompress();
    int colorspace;
    assert_non_null(tj);
    assert_int_equal(tjDecompressHeader3(tj, jpeg, (unsigned long)len, &d->width, &d->height,
                                         &d->subsamp, &colorspace),
                     0);
    d->pixels = malloc((size_t)d->width * (size_t)d->height * 3);
    assert_non_null(d->pixels);
    assert_int_equal(
        tjDecompress2(tj, jpeg, (unsigned long)len, d->pixels, d->width, 0, d->height, TJPF_RGB, 0),
        0);
    tjDestroy(tj);
}

static const uint8_t *pixel_at(const decoded *d, int ref_x, int ref_y)
{
    int x = ref_x * d->width / OMV_RPC_SIM_WIDTH, y = ref_y * d->height / OMV_RPC_SIM_HEIGHT;
    return d->pixels + ((size_t)y * (size_t)d->width + (size_t)x) * 3;
}

static int near(int a, int b, int slack)
{
    return abs(a - b) <= slack;
}

static int inside(const omv_rpc_sim_rect *r, int x0, int y0, int x1, int y1)
{
    return r->x >= x0 && r->y >= y0 && r->x + r->w <= x1 && r->y + r->h <= y1;
}

/* A code's box with its quiet zone. */
static omv_rpc_sim_rect with_quiet(const omv_rpc_sim_code *c)
{
    omv_rpc_sim_rect r = {c->box.x - c->quiet_x, c->box.y - c->quiet_y, c->box.w + 2 * c->quiet_x,
                          c->box.h + 2 * c->quiet_y};
    return r;
}

static int overlap(const omv_rpc_sim_rect *a, const omv_rpc_sim_rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every object stays in the window its call looks at, and none covers
 * another, at any time of a minute of scene. */
static void test_scene_layout(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    for (uint32_t t = 0; t < 60000; t += 97) {
        omv_rpc_sim_scene s;
        omv_rpc_sim_scene_at(sim, t, &s);
        assert_int_equal(s.t_ms, t);
        omv_rpc_sim_rect qr = with_quiet(&s.qrcode), dm = with_quiet(&s.datamatrix),
                         bar = with_quiet(&s.barcode);
        assert_true(s.face_visible && s.qrcode.visible && s.datamatrix.visible &&
                    s.barcode.visible && s.apriltag.visible);
        assert_true(inside(&s.face, 0, 0, 640, 480));
        assert_true(inside(&qr, 160, 120, 480, 360));
        assert_true(inside(&dm, 160, 120, 480, 360));
        assert_true(inside(&bar, 0, 210, 640, 270));
        assert_true(inside(&s.qrcode.label, 160, 120, 480, 360));
        assert_true(inside(&s.datamatrix.label, 160, 120, 480, 360));
        assert_true(inside(&s.barcode.label, 0, 210, 640, 270));
        assert_true(inside(&s.apriltag.box, 0, 0, 640, 480));
        assert_true(s.apriltag.rotation_deg >= 0 && s.apriltag.rotation_deg < 360);
        /* Code 128 needs 10 modules of quiet zone (2 pixels each here). */
        assert_true(s.barcode.quiet_x >= 20);
        const omv_rpc_sim_rect *boxes[11] = {&s.face,
                                             &qr,
                                             &dm,
                                             &bar,
                                             &s.apriltag.box,
                                             &s.blobs[0].box,
                                             &s.blobs[1].box,
                                             &s.blobs[2].box,
                                             &s.qrcode.label,
                                             &s.datamatrix.label,
                                             &s.barcode.label};
        for (int i = 0; i < 11; i++) {
            assert_true(inside(boxes[i], 0, 0, 640, 480));
            for (int j = i + 1; j < 11; j++) {
                assert_false(overlap(boxes[i], boxes[j]));
            }
        }
    }
    omv_rpc_sim_scene a, b, a2;
    omv_rpc_sim_scene_at(sim, 1000, &a);
    omv_rpc_sim_scene_at(sim, 3000, &b);
    omv_rpc_sim_scene_at(sim, 1000, &a2);
    assert_memory_equal(&a, &a2, sizeof a);
    assert_true(a.face.x != b.face.x || a.face.y != b.face.y);
    assert_true(a.blobs[0].cx != b.blobs[0].cx);
    assert_int_not_equal(a.apriltag.rotation_deg, b.apriltag.rotation_deg);
    assert_string_equal(a.qrcode.payload, b.qrcode.payload);
    omv_rpc_sim_free(sim);
}

static void test_lab(void **state)
{
    (void)state;
    int8_t l, a, b;
    omv_rpc_sim_rgb_to_lab(255, 255, 255, &l, &a, &b);
    assert_int_equal(l, 100);
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
    omv_rpc_sim_rgb_to_lab(0, 0, 0, &l, &a, &b);
    assert_int_equal(l, 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
    /* Published values for sRGB red, green, blue (D65). */
    omv_rpc_sim_rgb_to_lab(255, 0, 0, &l, &a, &b);
    assert_int_equal(l, 53);
    assert_int_equal(a, 80);
    assert_int_equal(b, 67);
    omv_rpc_sim_rgb_to_lab(0, 255, 0, &l, &a, &b);
    assert_int_equal(l, 88);
    assert_int_equal(a, -86);
    assert_int_equal(b, 83);
    omv_rpc_sim_rgb_to_lab(0, 0, 255, &l, &a, &b);
    assert_int_equal(l, 32);
    assert_int_equal(a, 79);
    assert_int_equal(b, -108);

    omv_rpc_sim *sim;
    omv_rpc_sim_scene s;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    omv_rpc_sim_scene_at(sim, 0, &s);
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        omv_rpc_sim_rgb_to_lab(s.blobs[k].r, s.blobs[k].g, s.blobs[k].b, &l, &a, &b);
        assert_int_equal(s.blobs[k].lab_l, l);
        assert_int_equal(s.blobs[k].lab_a, a);
        assert_int_equal(s.blobs[k].lab_b, b);
    }
    /* Each disc's suggested thresholds hold its colour and no other's. */
    for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
        for (int o = 0; o < OMV_RPC_SIM_BLOBS; o++) {
            const int8_t *th = s.blobs[k].thresholds;
            const omv_rpc_sim_blob *b = &s.blobs[o];
            int in = b->lab_l >= th[0] && b->lab_l <= th[1] && b->lab_a >= th[2] &&
                     b->lab_a <= th[3] && b->lab_b >= th[4] && b->lab_b <= th[5];
            assert_int_equal(in, k == o);
        }
    }
    /* Area: pixels of a disc, close to pi r^2, largest first. */
    assert_true(s.blobs[0].area > 4900 && s.blobs[0].area < 5150);
    assert_true(s.blobs[0].area > s.blobs[1].area && s.blobs[1].area > s.blobs[2].area);
    omv_rpc_sim_free(sim);
}

static void test_formats(void **state)
{
    (void)state;
    omv_rpc_sim_pixformat f;
    int w, h;
    assert_int_equal(omv_rpc_sim_parse_pixformat("sensor.RGB565", 13, &f), OMV_RPC_OK);
    assert_int_equal(f, OMV_RPC_SIM_RGB565);
    assert_int_equal(omv_rpc_sim_parse_pixformat(" GRAYSCALE ", 11, &f), OMV_RPC_OK);
    assert_int_equal(f, OMV_RPC_SIM_GRAYSCALE);
    assert_int_equal(omv_rpc_sim_parse_pixformat("sensor.RGB565X", 14, &f),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_parse_pixformat("sensor.RGB", 10, &f), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_parse_pixformat("sensor.", 7, &f), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_parse_pixformat("", 0, &f), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_parse_pixformat(NULL, 0, &f), OMV_RPC_ERR_INVALID_ARG);

    static const struct {
        const char *name;
        int w, h;
    } sizes[] = {{"sensor.QQQVGA", 80, 60}, {"sensor.QQVGA", 160, 120}, {"QVGA", 320, 240},
                 {"sensor.VGA", 640, 480},  {"sensor.HQVGA", 240, 160}, {"sensor.SVGA", 800, 600}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(omv_rpc_sim_parse_framesize(sizes[i].name, strlen(sizes[i].name), &w, &h),
                         OMV_RPC_OK);
        assert_int_equal(w, sizes[i].w);
        assert_int_equal(h, sizes[i].h);
    }
    assert_int_equal(omv_rpc_sim_parse_framesize("sensor.QVGAA", 12, &w, &h),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_parse_framesize("qvga", 4, &w, &h), OMV_RPC_ERR_INVALID_ARG);
    /* Length-bounded: the bytes after `len` do not count. */
    assert_int_equal(omv_rpc_sim_parse_framesize("VGAxyz", 3, &w, &h), OMV_RPC_OK);
    assert_int_equal(w, 640);
}

/* Frames decode to the asked size and format and show the scene: each
 * disc's colour at its centre, the face's skin, the codes' white. */
static void test_render(void **state)
{
    (void)state;
    static const char *formats[] = {"sensor.RGB565", "sensor.GRAYSCALE"};
    static const struct {
        const char *name;
        int w, h;
    } sizes[] = {{"sensor.QQVGA", 160, 120}, {"sensor.QVGA", 320, 240}, {"sensor.VGA", 640, 480}};
    omv_rpc_sim *sim;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    omv_rpc_sim_set_time(sim, 4321);
    omv_rpc_sim_scene s;
    omv_rpc_sim_scene_at(sim, 4321, &s);
    for (size_t fi = 0; fi < 2; fi++) {
        int gray = fi == 1;
        for (size_t si = 0; si < 3; si++) {
            uint8_t *jpeg = NULL;
            size_t len = 0;
            assert_int_equal(
                omv_rpc_sim_render_jpeg(sim, formats[fi], sizes[si].name, 90, &jpeg, &len),
                OMV_RPC_OK);
            assert_true(len > 100);
            assert_int_equal(jpeg[0], 0xFF);
            assert_int_equal(jpeg[1], 0xD8);
            decoded d;
            decode(jpeg, len, &d);
            assert_int_equal(d.width, sizes[si].w);
            assert_int_equal(d.height, sizes[si].h);
            assert_int_equal(d.subsamp, gray ? TJSAMP_GRAY : TJSAMP_420);
            for (int k = 0; k < OMV_RPC_SIM_BLOBS; k++) {
                const omv_rpc_sim_blob *b = &s.blobs[k];
                const uint8_t *p = pixel_at(&d, b->cx, b->cy);
                if (gray) {
                    int y = (299 * b->r + 587 * b->g + 114 * b->b + 500) / 1000;
                    assert_true(near(p[0], y, 12));
                } else {
                    assert_true(near(p[0], b->r, 24));
                    assert_true(near(p[1], b->g, 24));
                    assert_true(near(p[2], b->b, 24));
                }
            }
            /* Skin between the eyes, just above the face's centre. */
            const uint8_t *skin = pixel_at(&d, s.face.x + s.face.w / 2, s.face.y + s.face.h / 2);
            if (!gray) {
                assert_true(near(skin[0], 224, 24) && near(skin[1], 172, 24) &&
                            near(skin[2], 140, 24));
            }
            /* The QR code's quiet zone is white, its corner module black. */
            const uint8_t *quiet =
                pixel_at(&d, s.qrcode.box.x - s.qrcode.quiet_x / 2, s.qrcode.box.y + 1);
            assert_true(quiet[0] > 200);
            const uint8_t *corner = pixel_at(&d, s.qrcode.box.x + 1, s.qrcode.box.y + 1);
            assert_true(corner[0] < 60);
            free(d.pixels);
            omv_rpc_sim_free_buffer(jpeg);
        }
    }
    omv_rpc_sim_free(sim);
}

static void test_render_bad_input(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    uint8_t *jpeg = (uint8_t *)"untouched";
    size_t len = 7;
    assert_int_equal(omv_rpc_sim_new(NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "sensor.RGB888", "sensor.QVGA", 90, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "sensor.RGB565", "sensor.HUGE", 90, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "sensor.RGB565", "sensor.QVGA", 0, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "sensor.RGB565", "sensor.QVGA", 101, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, NULL, "sensor.QVGA", 90, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "sensor.RGB565", "sensor.QVGA", 90, NULL, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_render_jpeg(NULL, "sensor.RGB565", "sensor.QVGA", 90, &jpeg, &len),
                     OMV_RPC_ERR_INVALID_ARG);
    /* Refused renders take no frame. */
    assert_int_equal(omv_rpc_sim_time(sim), 0);
    assert_int_equal(omv_rpc_sim_attach(sim, NULL), OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_sim_free(sim);
    omv_rpc_sim_free(NULL);
    omv_rpc_sim_free_buffer(NULL);
}

static uint32_t fake_now;
static uint32_t fake_clock(void *user_data)
{
    return *(uint32_t *)user_data;
}

/* Time follows the frames taken, freezes, resumes, or follows a clock. */
static void test_time(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    uint8_t *a, *b, *c;
    size_t alen, blen, clen;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_time(sim), 0);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "RGB565", "QQVGA", 80, &a, &alen), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_time(sim), OMV_RPC_SIM_FRAME_MS);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "RGB565", "QQVGA", 80, &b, &blen), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_time(sim), 2 * OMV_RPC_SIM_FRAME_MS);
    /* Frozen at 0, the first frame comes back byte for byte. */
    omv_rpc_sim_set_time(sim, 0);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "RGB565", "QQVGA", 80, &c, &clen), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_time(sim), 0);
    assert_int_equal(clen, alen);
    assert_memory_equal(a, c, alen);
    assert_false(alen == blen && memcmp(a, b, alen) == 0);
    omv_rpc_sim_free_buffer(c);
    omv_rpc_sim_free_buffer(b);
    omv_rpc_sim_free_buffer(a);

    omv_rpc_sim_set_time(sim, 5000);
    omv_rpc_sim_release_time(sim);
    assert_int_equal(omv_rpc_sim_time(sim), 5000);
    assert_int_equal(omv_rpc_sim_render_jpeg(sim, "GRAYSCALE", "QQQVGA", 50, &a, &alen),
                     OMV_RPC_OK);
    omv_rpc_sim_free_buffer(a);
    assert_int_equal(omv_rpc_sim_time(sim), 5000 + OMV_RPC_SIM_FRAME_MS);

    fake_now = 100000;
    omv_rpc_sim_set_clock(sim, fake_clock, &fake_now);
    assert_int_equal(omv_rpc_sim_time(sim), 0);
    fake_now += 1234;
    assert_int_equal(omv_rpc_sim_time(sim), 1234);
    omv_rpc_sim_set_clock(sim, NULL, NULL);
    assert_int_equal(omv_rpc_sim_time(sim), 5000 + OMV_RPC_SIM_FRAME_MS);
    omv_rpc_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scene_layout),     cmocka_unit_test(test_lab),
        cmocka_unit_test(test_formats),          cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_bad_input), cmocka_unit_test(test_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
