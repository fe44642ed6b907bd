/* The V2 host against the V2 virtual camera with faults on the wire:
 * corrupted, dropped and duplicated bytes, a missed ACK, a soft reboot
 * during reads. Recovery, never wrong data, bounded waits. */
#include <stdlib.h>
#include <string.h>

#include "test_v2_rig.h"

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

static void check_info(v2_rig *r)
{
    omv_rpc_v2_sys_info info;
    assert_int_equal(omv_rpc_v2_get_sys_info(r->host, &info), OMV_RPC_OK);
    assert_int_equal(info.usb_id >> 16, 0x37C5);
    assert_int_equal(info.firmware_version[0], 4);
}

/* Every byte position of a SYS_INFO reply (header, payload, CRC)
 * corrupted in turn: each time the right answer, or an error, never a
 * wrong one; and the next command works. */
static void test_corrupt_reply_bytes(void **state)
{
    v2_rig *r = *state;
    for (long k = 0; k < 10 + 76 + 4; k += 7) {
        omv_rpc_v2_sys_info info;
        omv_rpc_status st;
        r->faults->corrupt_at = r->faults->rx_count + k;
        st = omv_rpc_v2_get_sys_info(r->host, &info);
        if (st == OMV_RPC_OK) {
            assert_int_equal(info.usb_id >> 16, 0x37C5);
            assert_int_equal(info.firmware_version[1], 7);
        }
        check_info(r);
    }
}

static void test_dropped_reply_bytes(void **state)
{
    v2_rig *r = *state;
    for (long k = 0; k < 90; k += 29) {
        omv_rpc_v2_sys_info info;
        omv_rpc_status st;
        r->faults->drop_at = r->faults->rx_count + k;
        r->faults->drop_n = 3;
        st = omv_rpc_v2_get_sys_info(r->host, &info);
        if (st == OMV_RPC_OK) {
            assert_int_equal(info.firmware_version[1], 7);
        }
        r->faults->drop_at = -1;
        check_info(r);
    }
}

static void test_duplicated_reply_bytes(void **state)
{
    v2_rig *r = *state;
    for (long k = 0; k < 90; k += 11) {
        omv_rpc_v2_sys_info info;
        omv_rpc_status st;
        r->faults->dup_at = r->faults->rx_count + k;
        st = omv_rpc_v2_get_sys_info(r->host, &info);
        if (st == OMV_RPC_OK) {
            assert_int_equal(info.usb_id >> 16, 0x37C5);
            assert_int_equal(info.firmware_version[1], 7);
        }
        r->faults->dup_at = -1;
        check_info(r);
    }
}

/* A corrupted command: the device drops its header silently (or NAKs a
 * bad payload); the host sends it again. */
static void test_corrupt_command_bytes(void **state)
{
    v2_rig *r = *state;
    uint8_t data[100], back[100];
    size_t got;
    uint8_t id = 0;
    static const char script[] = "register(\"echo\")\nwhile True:\n  sleep(50)\n";
    assert_int_equal(omv_rpc_v2_script_exec(r->host, script, sizeof script - 1), OMV_RPC_OK);
    for (int i = 0; i < 100 && omv_rpc_v2_channel_find(r->host, "echo", &id) != OMV_RPC_OK; i++) {
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(id, 4);
    ts_pattern(data, sizeof data);
    for (long k = 3; k < 10 + 8 + 100 + 4; k += 23) {
        r->faults->tx_corrupt_at = r->faults->tx_count + k;
        assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 0, data, sizeof data), OMV_RPC_OK);
        assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, back, sizeof back, &got),
                         OMV_RPC_OK);
        assert_int_equal(got, 100);
        assert_memory_equal(back, data, 100);
    }
}

/* The device misses our ACK: it retransmits (RTX), the host ACKs the copy
 * again and does not take it twice. */
static void test_missed_ack(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_counters c;
    omv_rpc_sim_v2_drop_acks(r->dev, 1);
    check_info(r);
    check_info(r);
    omv_rpc_v2_counters_get(r->host, &c);
    assert_int_equal(c.retransmits_seen, 1);
}

/* A script that ends while the host reads frames: reads in flight fail
 * with RESET or succeed with a whole frame; afterwards all works. */
static void test_soft_reboot_during_reads(void **state)
{
    v2_rig *r = *state;
    static const char script[] = "sleep(150)\n";
    uint8_t *buf = malloc(1 << 20);
    omv_rpc_v2_frame f;
    int ok = 0, reset = 0;
    assert_int_equal(omv_rpc_v2_stream_enable(r->host, 1), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_script_exec(r->host, script, sizeof script - 1), OMV_RPC_OK);
    for (int i = 0; i < 400 && (r->events[0] == 0 || ok < 2); i++) {
        omv_rpc_status st = omv_rpc_v2_stream_read(r->host, &f, buf, 1 << 20);
        if (st == OMV_RPC_OK) {
            assert_int_equal(f.pixfmt, OMV_RPC_V2_PIXFMT_JPEG);
            assert_int_equal(f.size, f.data_len);
            assert_int_equal(buf[0], 0xFF);
            assert_int_equal(buf[f.data_len - 1], 0xD9);
            ok++;
        } else if (st == OMV_RPC_ERR_RESET) {
            reset++;
        } else {
            assert_int_equal(st, OMV_RPC_ERR_NOT_READY);
            (void)omv_rpc_v2_poll_events(r->host, 5);
        }
    }
    assert_int_equal(r->events[0], 1);
    assert_true(ok >= 2);
    check_info(r);
    free(buf);
}

/* Nobody answers: the host gives up in bounded time. */
static void test_silent_device_times_out(void **state)
{
    v2_rig *r = *state;
    omv_rpc_v2_sys_info info;
    omv_rpc_sim_v2_stop(r->dev);
    ts_thread_join(&r->thread);
    assert_int_equal(omv_rpc_v2_get_sys_info(r->host, &info), OMV_RPC_ERR_TIMEOUT);
    r->joined = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_corrupt_reply_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_reply_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicated_reply_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_command_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missed_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_soft_reboot_during_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_device_times_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
