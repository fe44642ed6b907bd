/* Scene files (docs/sim-scene.md): the documented example loads, changes
 * exactly what it says, is what the frames show (decoded by zbar and
 * libapriltag) and what the calls answer; bad files are refused with a
 * message naming the problem and leave the scene as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "omv_rpc/sim.h"
#include "sim_decoders.h"
#include "test_support.h"
#include "vectors.h"

#ifndef OMV_RPC_SCENE_EXAMPLE
#error "OMV_RPC_SCENE_EXAMPLE: the path of docs/sim-scene-example.json"
#endif

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static void test_example_scene(void **state)
{
    (void)state;
    omv_rpc_sim *sim;
    char err[200];
    size_t len;
    const char *json = read_text(OMV_RPC_SCENE_EXAMPLE, &len);
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    omv_rpc_sim_scene before, s, later;
    omv_rpc_sim_scene_at(sim, 1000, &before);
    assert_int_equal(omv_rpc_sim_load_scene(sim, json, len, err, sizeof err), OMV_RPC_OK);
    assert_string_equal(err, "");
    omv_rpc_sim_scene_at(sim, 1000, &s);
    omv_rpc_sim_scene_at(sim, 2000, &later);

    assert_false(s.face_visible);
    assert_false(s.datamatrix.visible);
    assert_true(s.qrcode.visible);
    assert_string_equal(s.qrcode.payload, "hello from a scene");
    assert_int_equal(s.qrcode.box.x + s.qrcode.box.w / 2, 400);
    assert_int_not_equal(s.qrcode.box.y, later.qrcode.box.y); /* it moves */
    assert_int_equal(s.barcode.type, OMV_RPC_SIM_EAN13);
    assert_string_equal(s.barcode.payload, "4006381333931"); /* check digit added */
    assert_int_equal(s.barcode.box.h, 36);
    assert_int_equal(s.barcode.quiet_x, 24);
    assert_int_equal(s.apriltag.id, 42);
    assert_int_equal(s.apriltag.rotation_deg, 30);
    assert_int_equal(later.apriltag.rotation_deg, 30); /* spin 0 */
    assert_int_equal(s.apriltag.cx, 540);
    assert_true(s.blobs[0].visible && !s.blobs[1].visible && !s.blobs[2].visible);
    assert_int_equal(s.blobs[0].r, 250);
    assert_int_equal(s.blobs[0].radius, 36);

    /* The frames show it. */
    static const char *sizes[] = {"QVGA", "VGA"};
    for (int z = 0; z < 2; z++) {
        uint8_t *jpeg, *gray;
        size_t n;
        int w, h;
        omv_rpc_sim_set_time(sim, 1000);
        assert_int_equal(omv_rpc_sim_render_jpeg(sim, "GRAYSCALE", sizes[z], 90, &jpeg, &n),
                         OMV_RPC_OK);
        assert_true(sd_decode_gray(jpeg, n, &gray, &w, &h));
        omv_rpc_sim_free_buffer(jpeg);
        sd_found qr, bar, tag;
        sd_find_zbar(gray, w, h, &qr, &bar);
        sd_find_tag(gray, w, h, &tag);
        free(gray);
        assert_true(qr.ok);
        assert_string_equal(qr.payload, "hello from a scene");
        assert_true(bar.ok);
        assert_int_equal(bar.type, ZBAR_EAN13);
        assert_string_equal(bar.payload, "4006381333931");
        assert_true(tag.ok);
        assert_int_equal(tag.id, 42);
    }
    omv_rpc_sim_free(sim);
}

/* The calls answer the loaded scene: a removed code is not found. */
static void test_calls_follow_the_scene(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    omv_rpc_sim *sim;
    ts_slave_thread thread;
    size_t len;
    const char *json = read_text(OMV_RPC_SCENE_EXAMPLE, &len);
    memset(&thread, 0, sizeof thread);
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&master, &a, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&slave, &b, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_load_scene(sim, json, len, NULL, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_attach(sim, slave), OMV_RPC_OK);
    ts_slave_thread_start(&thread, slave);
    const uint8_t *res;
    size_t n;
    assert_int_equal(
        omv_rpc_master_call(master, "datamatrix_detection", NULL, 0, &res, &n, 1000, 3000),
        OMV_RPC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        omv_rpc_master_call(master, "all_datamatrix_detection", NULL, 0, &res, &n, 1000, 3000),
        OMV_RPC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(omv_rpc_master_call(master, "face_detection", NULL, 0, &res, &n, 1000, 3000),
                     OMV_RPC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        omv_rpc_master_call(master, "barcode_detection", NULL, 0, &res, &n, 1000, 3000),
        OMV_RPC_OK);
    assert_int_equal(n, 13);
    assert_memory_equal(res, "4006381333931", 13);
    assert_int_equal(
        omv_rpc_master_call(master, "all_barcode_detection", NULL, 0, &res, &n, 1000, 3000),
        OMV_RPC_OK);
    cJSON *j = cJSON_ParseWithLength((const char *)res, n);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 0), "type")->valueint,
                     OMV_RPC_SIM_EAN13);
    cJSON_Delete(j);
    assert_int_equal(
        omv_rpc_master_call(master, "apriltag_detection", NULL, 0, &res, &n, 1000, 3000),
        OMV_RPC_OK);
    assert_int_equal(n, 8);
    assert_int_equal(res[4] | res[5] << 8, 42);
    assert_int_equal(res[6] | res[7] << 8, 30);
    assert_int_equal(ts_slave_thread_stop(&thread), OMV_RPC_ERR_STOPPED);
    omv_rpc_master_free(master);
    omv_rpc_slave_free(slave);
    omv_rpc_sim_free(sim);
}

static void test_bad_scenes(void **state)
{
    (void)state;
    static const struct {
        const char *json, *message_part;
    } bad[] = {
        {"{\"qrcode\": ", "not JSON"},
        {"[1, 2]", "a JSON object expected"},
        {"{\"qr\": {}}", "unknown key \"qr\""},
        {"{\"qrcode\": {\"payload\": \"\"}}", "qrcode.payload"},
        {"{\"qrcode\": {\"payload\": \"a\\\"b\"}}", "qrcode.payload"},
        {"{\"qrcode\": {\"payload\": \"0123456789012345678901234567890123\"}}", "qrcode.payload"},
        {"{\"qrcode\": {\"module\": 0}}", "qrcode.module"},
        {"{\"qrcode\": {\"module\": 2.5}}", "qrcode.module: a whole number"},
        {"{\"qrcode\": {\"type\": \"EAN13\"}}", "for the barcode"},
        {"{\"qrcode\": 3}", "qrcode: an object or null"},
        {"{\"qrcode\": {\"x\": {\"centre\": 1, \"speed\": 2}}}", "unknown key \"speed\""},
        {"{\"qrcode\": {\"x\": \"left\"}}", "qrcode.x"},
        {"{\"barcode\": {\"type\": \"EAN13\", \"payload\": \"12345\"}}", "cannot carry"},
        {"{\"barcode\": {\"type\": \"UPC\"}}", "barcode.type"},
        {"{\"apriltag\": {\"id\": 587}}", "apriltag.id"},
        {"{\"blobs\": [{}, {}, {}, {}]}", "at most 3"},
        {"{\"blobs\": [{\"color\": [1, 2]}]}", "blobs[0]"},
        {"{\"background\": null}", "background"},
        {"{\"background\": {\"left\": [0, 0, 256]}}", "background.left"},
        {"{\"face\": {\"width\": 1}}", "face.width"},
    };
    omv_rpc_sim *sim;
    omv_rpc_sim_scene before, after;
    assert_int_equal(omv_rpc_sim_new(&sim), OMV_RPC_OK);
    omv_rpc_sim_scene_at(sim, 500, &before);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[160] = "x";
        assert_int_equal(
            omv_rpc_sim_load_scene(sim, bad[i].json, strlen(bad[i].json), err, sizeof err),
            OMV_RPC_ERR_INVALID_ARG);
        if (!strstr(err, bad[i].message_part)) {
            fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, err, bad[i].message_part);
        }
        omv_rpc_sim_scene_at(sim, 500, &after);
        assert_memory_equal(&before, &after, sizeof before);
    }
    /* A short error buffer gets a cut, terminated message; none is fine. */
    char tiny[8];
    assert_int_equal(omv_rpc_sim_load_scene(sim, "{\"x\":1}", 7, tiny, sizeof tiny),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(strlen(tiny), 7);
    assert_int_equal(omv_rpc_sim_load_scene(sim, "{\"x\":1}", 7, NULL, 0), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_sim_load_scene(NULL, "{}", 2, NULL, 0), OMV_RPC_ERR_INVALID_ARG);
    /* An empty object is the built-in scene. */
    assert_int_equal(omv_rpc_sim_load_scene(sim, "{}", 2, NULL, 0), OMV_RPC_OK);
    omv_rpc_sim_scene_at(sim, 500, &after);
    assert_memory_equal(&before, &after, sizeof before);
    omv_rpc_sim_free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_scene),
        cmocka_unit_test(test_calls_follow_the_scene),
        cmocka_unit_test(test_bad_scenes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
