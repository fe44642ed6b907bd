/* The OpenMV Protocol V2 host against the V2 virtual camera: the CRCs'
 * check values, every command, scripts and their soft reboot, the stream
 * (JPEG and raw) and a script's custom channel. */
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/clock.h"
#include "test_v2_rig.h"
#include "vectors.h"

static uint32_t hexval(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    assert_true(cJSON_IsString(v));
    return (uint32_t)strtoul(v->valuestring, NULL, 16);
}

static void test_crc_check_values(void **state)
{
    cJSON *root = ts_load_vectors("v2_check_values.json");
    const char *in = cJSON_GetObjectItemCaseSensitive(root, "check_input")->valuestring;
    (void)state;
    assert_int_equal(omv_rpc_v2_crc16(OMV_RPC_V2_CRC16_INIT, (const uint8_t *)in, strlen(in)),
                     hexval(cJSON_GetObjectItemCaseSensitive(root, "crc16"), "check"));
    assert_int_equal(omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, (const uint8_t *)in, strlen(in)),
                     hexval(cJSON_GetObjectItemCaseSensitive(root, "crc32"), "check"));
    /* Incremental use gives the same. */
    assert_int_equal(
        omv_rpc_v2_crc32(omv_rpc_v2_crc32(OMV_RPC_V2_CRC32_INIT, (const uint8_t *)in, 4),
                         (const uint8_t *)in + 4, 5),
        hexval(cJSON_GetObjectItemCaseSensitive(root, "crc32"), "check"));
    cJSON_Delete(root);
}

static void test_header_round_trip(void **state)
{
    omv_rpc_v2_header h = {7, 3, OMV_RPC_V2_FLAG_ACK_REQ, OMV_RPC_V2_CHANNEL_READ, 1234}, back;
    uint8_t raw[OMV_RPC_V2_HEADER_SIZE];
    (void)state;
    omv_rpc_v2_encode_header(&h, 1, raw);
    assert_int_equal(raw[0], 0xAA); /* 0xD5AA little-endian */
    assert_int_equal(raw[1], 0xD5);
    assert_int_equal(raw[6] | raw[7] << 8, 1234);
    assert_int_equal(omv_rpc_v2_decode_header(raw, 1, &back), OMV_RPC_OK);
    assert_int_equal(back.seq, 7);
    assert_int_equal(back.channel, 3);
    assert_int_equal(back.opcode, OMV_RPC_V2_CHANNEL_READ);
    assert_int_equal(back.length, 1234);
    raw[4] ^= 1;
    assert_int_equal(omv_rpc_v2_decode_header(raw, 1, &back), OMV_RPC_ERR_BAD_PACKET);
    assert_int_equal(omv_rpc_v2_decode_header(raw, 0, &back), OMV_RPC_OK);
    raw[0] = 0;
    assert_int_equal(omv_rpc_v2_decode_header(raw, 0, &back), OMV_RPC_ERR_BAD_PACKET);
}

static int setup(void **state)
{
    *state = v2_rig_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    v2_rig_free(*state);
    return 0;
}

/* Wait (bounded) for the soft reboot that ends a script. */
static void wait_reboot(v2_rig *r, uint32_t before)
{
    for (int i = 0; i < 200 && r->events[0] == before; i++) {
        omv_rpc_status st = omv_rpc_v2_poll_events(r->host, 50);
        assert_true(st == OMV_RPC_OK || st == OMV_RPC_ERR_TIMEOUT);
    }
    assert_int_equal(r->events[0], before + 1);
}

static void test_info_caps_stats(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_sys_info info;
    omv_rpc_v2_caps caps;
    omv_rpc_v2_stats stats;
    assert_int_equal(omv_rpc_v2_get_sys_info(r->host, &info), OMV_RPC_OK);
    assert_int_equal(info.usb_id >> 16, 0x37C5);
    assert_int_equal(info.firmware_version[0], 4);
    assert_int_equal(info.firmware_version[1], 7);
    assert_int_equal(info.protocol_version[0], 1);
    assert_int_equal(info.bootloader_version[0], 2);
    /* The firmware's layout: usb_id before chip_id, hw_caps at 40. */
    assert_int_equal(info.usb_id & 0xFFFF, 0x9206);
    assert_int_equal(info.chip_id[0], 0x5640);
    assert_int_equal(info.chip_id[1], 0);
    assert_int_equal(info.hw_caps[0], 0x30);
    assert_int_equal(info.framebuffer_kb, 4096);
    assert_int_equal(info.stream_buffer_kb, 512);
    {
        uint8_t fw[3], proto[3];
        assert_int_equal(omv_rpc_v2_get_version(r->host, fw, proto, NULL), OMV_RPC_OK);
        assert_memory_equal(fw, ((const uint8_t[]){4, 7, 0}), 3);
        assert_memory_equal(proto, ((const uint8_t[]){1, 0, 0}), 3);
    }
    assert_int_equal(omv_rpc_v2_get_caps(r->host, &caps), OMV_RPC_OK);
    assert_int_equal(caps.max_payload, OMV_RPC_V2_MAX_PAYLOAD);
    assert_int_equal(caps.flags, 0xF);
    assert_int_equal(omv_rpc_v2_get_stats(r->host, &stats), OMV_RPC_OK);
    assert_true(stats.recv_packets >= 4);
    assert_true(stats.sent_packets >= 3);
    /* Out-of-range caps are refused before anything is sent. */
    caps.max_payload = 20;
    assert_int_equal(omv_rpc_v2_set_caps(r->host, &caps), OMV_RPC_ERR_INVALID_ARG);
    caps.max_payload = 64;
    assert_int_equal(omv_rpc_v2_set_caps(r->host, &caps), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_get_caps(r->host, &caps), OMV_RPC_OK);
    assert_int_equal(caps.max_payload, 64);
    /* SYS_INFO no longer fits one packet: it comes in fragments. */
    assert_int_equal(omv_rpc_v2_get_sys_info(r->host, &info), OMV_RPC_OK);
    assert_int_equal(info.firmware_version[1], 7);
    /* Sync brings back the defaults. */
    assert_int_equal(omv_rpc_v2_sync(r->host), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_get_caps(r->host, &caps), OMV_RPC_OK);
    assert_int_equal(caps.max_payload, OMV_RPC_V2_MAX_PAYLOAD);
}

static void test_channels(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_channel list[8];
    size_t n;
    uint32_t bits, size;
    uint8_t id, buf[8] = {0};
    assert_int_equal(omv_rpc_v2_channel_list(r->host, list, 8, &n), OMV_RPC_OK);
    assert_int_equal(n, 4);
    assert_string_equal(list[1].name, "stdin");
    assert_int_equal(list[1].flags, 0x06);
    assert_string_equal(list[3].name, "stream");
    assert_int_equal(omv_rpc_v2_channel_find(r->host, "stdout", &id), OMV_RPC_OK);
    assert_int_equal(id, 2);
    assert_int_equal(omv_rpc_v2_channel_find(r->host, "nope", &id), OMV_RPC_ERR_NO_DEVICE);
    assert_int_equal(omv_rpc_v2_channel_poll(r->host, &bits), OMV_RPC_OK);
    assert_int_equal(bits, 0);
    assert_int_equal(omv_rpc_v2_channel_size(r->host, OMV_RPC_V2_CHAN_STREAM, &size), OMV_RPC_OK);
    assert_int_equal(size, 0);
    /* Refusals: unknown channel, read of nothing, EXEC of an empty buffer,
     * wrong ioctl argument size. */
    assert_int_equal(omv_rpc_v2_channel_size(r->host, 9, &size), OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_last_device_status(r->host), OMV_RPC_V2_INVALID);
    assert_int_equal(omv_rpc_v2_channel_read(r->host, OMV_RPC_V2_CHAN_STDOUT, 0, buf, 8, NULL),
                     OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_last_device_status(r->host), OMV_RPC_V2_FAILED);
    assert_int_equal(omv_rpc_v2_channel_ioctl(r->host, OMV_RPC_V2_CHAN_STDIN,
                                              OMV_RPC_V2_IOCTL_STDIN_EXEC, NULL, 0),
                     OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_channel_ioctl(r->host, OMV_RPC_V2_CHAN_STREAM,
                                              OMV_RPC_V2_IOCTL_STREAM_CTRL, buf, 2),
                     OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_last_device_status(r->host), OMV_RPC_V2_INVALID);
    /* (A second lock within 10 ms is BUSY on the camera; not asserted:
     * a loaded machine may take longer than that between two commands.) */
    assert_int_equal(omv_rpc_v2_channel_lock(r->host, OMV_RPC_V2_CHAN_STDOUT), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_unlock(r->host, OMV_RPC_V2_CHAN_STDOUT), OMV_RPC_OK);
}

static void test_script_stdout_and_reboot(void **state)
{
    v2_rig *r = *state;
    static const char script[] =
        "import time\nprint(\"hello\")\ntime.sleep_ms(120)\nprint('world')\n";
    char out[256];
    size_t got, total = 0;
    omv_rpc_v2_counters c;
    omv_rpc_v2_sys_info info;
    assert_int_equal(omv_rpc_v2_script_exec(r->host, script, sizeof script - 1), OMV_RPC_OK);
    wait_reboot(r, 0);
    assert_true(r->events[1] >= 1); /* stdout NOTIFY */
    omv_rpc_v2_counters_get(r->host, &c);
    assert_int_equal(c.soft_reboots, 1);
    /* After the reboot (sequence 0 on the device), commands go on. */
    while (total < 12) {
        assert_int_equal(
            omv_rpc_v2_stdout_read(r->host, (uint8_t *)out + total, sizeof out - total, &got),
            OMV_RPC_OK);
        if (!got) {
            break;
        }
        total += got;
    }
    assert_int_equal(total, 12);
    assert_memory_equal(out, "hello\nworld\n", 12);
    assert_int_equal(omv_rpc_v2_get_sys_info(r->host, &info), OMV_RPC_OK);
}

static void test_script_stop(void **state)
{
    v2_rig *r = *state;
    static const char script[] = "while True:\n    print(\"tick\")\n    time.sleep_ms(30)\n";
    uint8_t out[1100];
    size_t got;
    assert_int_equal(omv_rpc_v2_script_exec(r->host, script, sizeof script - 1), OMV_RPC_OK);
    for (int i = 0; i < 3; i++) {
        (void)omv_rpc_v2_poll_events(r->host, 50);
    }
    assert_int_equal(r->events[0], 0);
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
    wait_reboot(r, 0);
    assert_int_equal(omv_rpc_v2_stdout_read(r->host, out, sizeof out, &got), OMV_RPC_OK);
    assert_true(got >= 5);
    assert_memory_equal(out, "tick\n", 5);
    out[got < sizeof out ? got : sizeof out - 1] = '\0';
    assert_non_null(strstr((const char *)out, "KeyboardInterrupt"));
}

static void test_custom_channel(void **state)
{
    v2_rig *r = *state;
    static const char script[] =
        "import protocol\nprotocol.register(\"echo\")\nwhile True:\n  time.sleep_ms(50)\n";
    uint8_t data[1000], back[1000];
    uint8_t id;
    size_t got;
    uint32_t size;
    assert_int_equal(omv_rpc_v2_script_exec(r->host, script, sizeof script - 1), OMV_RPC_OK);
    for (int i = 0; i < 100 && omv_rpc_v2_channel_find(r->host, "echo", &id) != OMV_RPC_OK; i++) {
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(omv_rpc_v2_channel_find(r->host, "echo", &id), OMV_RPC_OK);
    assert_int_equal(id, 4);
    ts_pattern(data, sizeof data);
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 0, data, sizeof data), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_size(r->host, id, &size), OMV_RPC_OK);
    assert_int_equal(size, 1000);
    /* 512 + 488: chunked, reassembled. */
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, back, sizeof back, &got), OMV_RPC_OK);
    assert_int_equal(got, 1000);
    assert_memory_equal(back, data, 1000);
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
    wait_reboot(r, 0);
    assert_int_equal(omv_rpc_v2_channel_find(r->host, "echo", &id), OMV_RPC_ERR_NO_DEVICE);
}

static void test_stream_jpeg_and_raw(void **state)
{
    v2_rig *r = *state;
    uint8_t *buf = malloc(1 << 20);
    omv_rpc_v2_frame f;
    omv_rpc_status st = OMV_RPC_ERR_NOT_READY;
    assert_int_equal(omv_rpc_v2_stream_read(r->host, &f, buf, 1 << 20), OMV_RPC_ERR_NOT_READY);
    assert_int_equal(omv_rpc_v2_stream_enable(r->host, 1), OMV_RPC_OK);
    for (int frames = 0; frames < 3;) {
        st = omv_rpc_v2_stream_read(r->host, &f, buf, 1 << 20);
        if (st == OMV_RPC_ERR_NOT_READY) {
            (void)omv_rpc_v2_poll_events(r->host, 10);
            continue;
        }
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(f.width, 320);
        assert_int_equal(f.height, 240);
        assert_int_equal(f.pixfmt, OMV_RPC_V2_PIXFMT_JPEG);
        assert_int_equal(f.offset, 32);
        assert_int_equal(f.size, f.data_len);
        assert_true(f.data_len > 4082); /* several fragments */
        assert_int_equal(buf[0], 0xFF);
        assert_int_equal(buf[1], 0xD8);
        assert_int_equal(buf[f.data_len - 2], 0xFF);
        assert_int_equal(buf[f.data_len - 1], 0xD9);
        frames++;
    }
    assert_int_equal(omv_rpc_v2_stream_raw(r->host, 1, 64, 48), OMV_RPC_OK);
    for (int i = 0; i < 100; i++) {
        st = omv_rpc_v2_stream_read(r->host, &f, buf, 1 << 20);
        if (st != OMV_RPC_ERR_NOT_READY) {
            break;
        }
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(st, OMV_RPC_OK);
    assert_int_equal(f.pixfmt, OMV_RPC_V2_PIXFMT_GRAY);
    assert_int_equal(f.width, 64);
    assert_int_equal(f.size, 1);
    assert_int_equal(f.data_len, 64 * 48);
    /* Too small a buffer: refused, and the frame is unlocked again. */
    for (int i = 0; i < 100; i++) {
        st = omv_rpc_v2_stream_read(r->host, &f, buf, 100);
        if (st != OMV_RPC_ERR_NOT_READY) {
            break;
        }
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(st, OMV_RPC_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(omv_rpc_v2_stream_enable(r->host, 0), OMV_RPC_OK);
    free(buf);
}

/* After SYNC both counters are 0 (the firmware zeroes its own after the
 * SYNC's ACK): the next command goes with 0 and is taken at once, with no
 * NAK SEQUENCE on either side. */
static void test_sync_then_zero(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_caps caps;
    omv_rpc_v2_stats stats;
    omv_rpc_v2_counters c;
    assert_int_equal(omv_rpc_v2_sync(r->host), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_get_caps(r->host, &caps), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_sync(r->host), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_get_stats(r->host, &stats), OMV_RPC_OK);
    assert_int_equal(stats.sequence_errors, 0);
    omv_rpc_v2_counters_get(r->host, &c);
    assert_int_equal(c.resyncs, 0);
}

/* SYS_MEMORY: the heap first, then the allocator's pools; totals add up;
 * a short array still gets the count. */
static void test_memory(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_mem_pool pools[8], one;
    size_t n = 0;
    assert_int_equal(omv_rpc_v2_get_memory(r->host, pools, 8, &n), OMV_RPC_OK);
    assert_true(n >= 2 && n <= 8);
    assert_int_equal(pools[0].type, OMV_RPC_V2_MEM_GC);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(pools[i].used + pools[i].free, pools[i].total);
        assert_int_equal(pools[i].type, i ? OMV_RPC_V2_MEM_UMA : OMV_RPC_V2_MEM_GC);
    }
    assert_int_equal(omv_rpc_v2_get_memory(r->host, &one, 1, &n), OMV_RPC_OK);
    assert_true(n >= 2);
    assert_int_equal(one.total, pools[0].total);
    assert_int_equal(omv_rpc_v2_get_memory(r->host, NULL, 0, &n), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_get_memory(r->host, NULL, 1, &n), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_v2_get_memory(NULL, pools, 8, &n), OMV_RPC_ERR_INVALID_ARG);
}

/* With the camera's 50 ms protocol task, each command waits for the
 * task's next run: 6 commands in a row take at least 5 periods (a lower
 * bound only, which a loaded machine can only lengthen). */
static void test_task_period(void **state)
{
    omv_rpc_sim_v2_options opt = {0};
    v2_rig *r;
    omv_rpc_v2_caps caps;
    uint32_t t0;
    (void)state;
    opt.task_ms = 50;
    r = v2_rig_new(&opt);
    t0 = omv_rpc_clock_ms(NULL);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(omv_rpc_v2_get_caps(r->host, &caps), OMV_RPC_OK);
    }
    assert_true(omv_rpc_clock_ms(NULL) - t0 >= 5u * 50u - 10u);
    v2_rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_check_values),
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test_setup_teardown(test_info_caps_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_stdout_and_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_jpeg_and_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_then_zero, setup, teardown),
        cmocka_unit_test(test_task_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
