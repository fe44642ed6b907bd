/* The virtual camera's camera-like behaviour on request and its API for
 * users: user callbacks next to the built-in ones, --fps pacing of
 * jpeg_image_stream, the checking link's wait before each answer. Time is
 * only asserted from below (sleeps never end early), never as a speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/clock.h"
#include "omv_rpc/sim.h"
#include "test_support.h"

typedef struct rig {
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    omv_rpc_sim *sim;
    ts_slave_thread thread;
} rig;

/* A rig whose slave link checks at `us_per_byte`; `before_attach` runs
 * on the sim before it is attached. */
static rig *rig_open(uint32_t us_per_byte, void (*before_attach)(omv_rpc_sim *sim))
{
    rig *r = calloc(1, sizeof *r);
    omv_rpc_link a, b;
    assert_non_null(r);
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    const omv_rpc_link_ops *plain = b.ops;
    assert_int_equal(omv_rpc_sim_checking_link(&b, us_per_byte), OMV_RPC_OK);
    /* 0 leaves the link as it is. */
    assert_int_equal(b.ops == plain, us_per_byte == 0);
    assert_int_equal(omv_rpc_master_new(&r->master, &a, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&r->slave, &b, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_new(&r->sim), OMV_RPC_OK);
    if (before_attach) {
        before_attach(r->sim);
    }
    assert_int_equal(omv_rpc_sim_attach(r->sim, r->slave), OMV_RPC_OK);
    omv_rpc_sim_set_stream_timeout(r->sim, 300);
    ts_slave_thread_start(&r->thread, r->slave);
    return r;
}

static void rig_close(rig *r)
{
    assert_int_equal(ts_slave_thread_stop(&r->thread), OMV_RPC_ERR_STOPPED);
    omv_rpc_master_free(r->master);
    omv_rpc_slave_free(r->slave);
    omv_rpc_sim_free(r->sim);
    free(r);
}

static size_t call(rig *r, const char *name, const void *arg, size_t len, const uint8_t **res)
{
    size_t n = 0;
    assert_int_equal(omv_rpc_master_call(r->master, name, arg, len, res, &n, 2000, 10000),
                     OMV_RPC_OK);
    return n;
}

/* A user function: the mean gray level of a QQVGA frame, and the scene
 * time that frame showed, as "<mean> <t_ms>". */
static void frame_mean(omv_rpc_sim *sim, omv_rpc_slave *slave, const uint8_t *arg, size_t len,
                       void *ud)
{
    static uint8_t pixels[160 * 120];
    omv_rpc_sim_scene s;
    (void)arg;
    (void)len;
    *(int *)ud += 1;
    if (omv_rpc_sim_snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 160, 120, pixels, &s) != OMV_RPC_OK) {
        return;
    }
    unsigned long sum = 0;
    for (size_t i = 0; i < sizeof pixels; i++) {
        sum += pixels[i];
    }
    char out[32];
    int n = snprintf(out, sizeof out, "%lu %u", sum / sizeof pixels, (unsigned)s.t_ms);
    omv_rpc_slave_reply_copy(slave, out, (size_t)n);
}

/* A user function that replaces a built-in one. */
static void my_faces(omv_rpc_sim *sim, omv_rpc_slave *slave, const uint8_t *arg, size_t len,
                     void *ud)
{
    (void)sim;
    (void)arg;
    (void)len;
    (void)ud;
    omv_rpc_slave_reply(slave, "mine", 4);
}

static int calls_before, calls_after;

static void register_before(omv_rpc_sim *sim)
{
    assert_int_equal(omv_rpc_sim_register_callback(sim, "frame_mean", frame_mean, &calls_before),
                     OMV_RPC_OK);
}

static void test_user_callbacks(void **state)
{
    (void)state;
    calls_before = calls_after = 0;
    rig *r = rig_open(0, register_before);
    const uint8_t *res;
    omv_rpc_sim_set_time(r->sim, 4000);

    /* Registered before attach: served, on a real frame of the scene. */
    size_t n = call(r, "frame_mean", NULL, 0, &res);
    assert_int_equal(calls_before, 1);
    char text[32] = {0};
    assert_true(n > 0 && n < sizeof text);
    memcpy(text, res, n);
    unsigned mean = 0, t = 0;
    assert_int_equal(sscanf(text, "%u %u", &mean, &t), 2);
    assert_int_equal(t, 4000);
    assert_true(mean > 30 && mean < 200); /* a scene, not a blank frame */

    /* Registered after attach (while the slave does not serve: the
     * slave's table is not thread-safe): on the slave at once; a built-in
     * name is replaced; the built-in ones stay. */
    assert_int_equal(ts_slave_thread_stop(&r->thread), OMV_RPC_ERR_STOPPED);
    omv_rpc_slave_clear_stop(r->slave);
    assert_int_equal(omv_rpc_sim_register_callback(r->sim, "face_detection", my_faces, NULL),
                     OMV_RPC_OK);
    assert_int_equal(
        omv_rpc_sim_register_callback(r->sim, "frame_mean_2", frame_mean, &calls_after),
        OMV_RPC_OK);
    ts_slave_thread_start(&r->thread, r->slave);
    assert_int_equal(call(r, "face_detection", NULL, 0, &res), 4);
    assert_memory_equal(res, "mine", 4);
    assert_true(call(r, "frame_mean_2", NULL, 0, &res) > 0);
    assert_int_equal(calls_after, 1);
    assert_true(call(r, "qrcode_detection", NULL, 0, &res) > 0);
    rig_close(r);
}

static void test_user_callback_bad_input(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    char name[80];
    uint8_t px[4];
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_register_callback(NULL, "x", my_faces, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_register_callback(sim, NULL, my_faces, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_register_callback(sim, "", my_faces, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_register_callback(sim, "x", NULL, NULL), OMV_RPC_ERR_INVALID_ARG);
    memset(name, 'n', 64);
    name[64] = '\0';
    assert_int_equal(omv_rpc_sim_register_callback(sim, name, my_faces, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    name[63] = '\0';
    assert_int_equal(omv_rpc_sim_register_callback(sim, name, my_faces, NULL), OMV_RPC_OK);
    for (int i = 1; i < OMV_RPC_SIM_USER_CALLBACKS_MAX; i++) {
        snprintf(name, sizeof name, "user_%d", i);
        assert_int_equal(omv_rpc_sim_register_callback(sim, name, my_faces, NULL), OMV_RPC_OK);
    }
    assert_int_equal(omv_rpc_sim_register_callback(sim, "one_too_many", my_faces, NULL),
                     OMV_RPC_ERR_FULL);
    /* Replacing one that is there needs no new room. */
    assert_int_equal(omv_rpc_sim_register_callback(sim, "user_3", frame_mean, NULL), OMV_RPC_OK);

    assert_int_equal(omv_rpc_sim_snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 0, 1, px, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 2, 2, NULL, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_snapshot(sim, (omv_rpc_sim_pixformat)9, 2, 2, px, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_snapshot(sim, OMV_RPC_SIM_GRAYSCALE, 2, 2, px, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_checking_link(NULL, 5), OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_link empty = {0};
    assert_int_equal(omv_rpc_sim_checking_link(&empty, 5), OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_sim_free(sim);
}

typedef struct counter {
    int frames, want;
} counter;

static int count_frame(void *ud, const uint8_t *frame, size_t len)
{
    counter *c = ud;
    (void)frame;
    (void)len;
    return ++c->frames >= c->want;
}

static void set_fps_20(omv_rpc_sim *sim)
{
    omv_rpc_sim_set_fps(sim, 20);
}

/* At 20 fps, 8 frames span at least 7 periods of 50 ms. */
static void test_fps(void **state)
{
    (void)state;
    rig *r = rig_open(0, set_fps_20);
    const uint8_t *res;
    for (int round = 0; round < 2; round++) {
        counter c = {0, 8};
        assert_int_equal(call(r, "jpeg_image_stream", "sensor.GRAYSCALE,sensor.QQVGA", 29, &res),
                         0);
        uint32_t start = omv_rpc_clock_ms(NULL);
        assert_int_equal(omv_rpc_master_stream_reader(r->master, count_frame, &c, 1, 5000),
                         OMV_RPC_OK);
        uint32_t elapsed = omv_rpc_clock_ms(NULL) - start;
        assert_int_equal(c.frames, 8);
        assert_true(elapsed >= 7 * 50 - 2);
    }
    rig_close(r);
}

/* An echo: the argument back. */
static void echo(omv_rpc_sim *sim, omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *ud)
{
    (void)sim;
    (void)ud;
    omv_rpc_slave_reply_copy(slave, arg, len);
}

static void register_echo(omv_rpc_sim *sim)
{
    assert_int_equal(omv_rpc_sim_register_callback(sim, "echo", echo, NULL), OMV_RPC_OK);
}

/* At 100 us per byte, a 3000-byte argument is checked for at least 300 ms
 * before the camera answers; the call still works. */
static void test_checking_link(void **state)
{
    (void)state;
    static uint8_t arg[3000];
    for (size_t i = 0; i < sizeof arg; i++) {
        arg[i] = (uint8_t)(i * 7);
    }
    rig *r = rig_open(100, register_echo);
    const uint8_t *res;
    uint32_t start = omv_rpc_clock_ms(NULL);
    assert_int_equal(call(r, "echo", arg, sizeof arg, &res), sizeof arg);
    uint32_t elapsed = omv_rpc_clock_ms(NULL) - start;
    assert_memory_equal(res, arg, sizeof arg);
    assert_true(elapsed >= 300);
    /* The built-in calls work on the slow link too. */
    assert_true(call(r, "qrcode_detection", NULL, 0, &res) > 0);
    rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_callbacks),
        cmocka_unit_test(test_user_callback_bad_input),
        cmocka_unit_test(test_fps),
        cmocka_unit_test(test_checking_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
