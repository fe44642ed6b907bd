/* rpc over a V2 channel (include/omv_rpc/v2_link.h): a master on the
 * channel link against the V2 virtual camera's rpc channel, whose slave
 * has the virtual camera's callbacks. Every result must equal what the
 * same virtual camera gives over a plain in-process link; the channel
 * must survive the camera's soft reboot and a new script; bad use gets
 * its status. */
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/pair.h"
#include "omv_rpc/sim.h"
#include "omv_rpc/v2_link.h"
#include "test_v2_rig.h"

static const char rpc_script[] = "import rpc\n"
                                 "# the camera script's interface line:\n"
                                 "interface = rpc_v2_channel_slave(\"rpc\")\n"
                                 "interface.loop()\n";

/* The reference: a fresh virtual camera on a slave over the pair. */
typedef struct reference {
    omv_rpc_sim *sim;
    omv_rpc_slave *slave;
    omv_rpc_master *master;
    ts_thread thread;
} reference;

static void *reference_serve(void *arg)
{
    reference *ref = arg;
    (void)omv_rpc_slave_loop(ref->slave, 100, 1000);
    return NULL;
}

static void reference_open(reference *ref)
{
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_new(&ref->sim), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&ref->slave, &b, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_sim_attach(ref->sim, ref->slave), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&ref->master, &a, NULL), OMV_RPC_OK);
    ts_thread_start(&ref->thread, reference_serve, ref);
}

static void reference_close(reference *ref)
{
    omv_rpc_slave_stop(ref->slave);
    ts_thread_join(&ref->thread);
    omv_rpc_master_free(ref->master);
    omv_rpc_slave_free(ref->slave);
    omv_rpc_sim_free(ref->sim);
}

static void wait_channel(v2_rig *r, const char *name)
{
    uint8_t id;
    for (int i = 0; i < 200 && omv_rpc_v2_channel_find(r->host, name, &id) != OMV_RPC_OK; i++) {
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(omv_rpc_v2_channel_find(r->host, name, &id), OMV_RPC_OK);
}

static void wait_reboot(v2_rig *r, uint32_t before)
{
    for (int i = 0; i < 200 && r->events[0] == before; i++) {
        (void)omv_rpc_v2_poll_events(r->host, 20);
    }
    assert_int_equal(r->events[0], before + 1);
}

/* Call `name` on both and compare. */
static size_t same_call(omv_rpc_master *m, reference *ref, const char *name, const void *arg,
                        size_t len)
{
    const uint8_t *got, *want;
    size_t got_len = 0, want_len = 0;
    uint8_t *copy;
    assert_int_equal(omv_rpc_master_call(ref->master, name, arg, len, &want, &want_len, 2000, 5000),
                     OMV_RPC_OK);
    copy = malloc(want_len + 1);
    assert_non_null(copy);
    memcpy(copy, want, want_len);
    assert_int_equal(omv_rpc_master_call(m, name, arg, len, &got, &got_len, 5000, 10000),
                     OMV_RPC_OK);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, copy, want_len);
    free(copy);
    return want_len;
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

static void test_calls_match_plain_link(void **state)
{
    v2_rig *r = *state;
    reference ref;
    omv_rpc_link link;
    omv_rpc_master *m;
    uint8_t *big = malloc(20000);
    assert_non_null(big);
    assert_int_equal(omv_rpc_v2_script_exec(r->host, rpc_script, sizeof rpc_script - 1),
                     OMV_RPC_OK);
    wait_channel(r, "rpc");
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, NULL), OMV_RPC_OK);
    assert_true(link.flags & OMV_RPC_LINK_BYTE_STREAM);
    assert_int_equal(omv_rpc_master_new(&m, &link, NULL), OMV_RPC_OK);
    reference_open(&ref);

    assert_true(same_call(m, &ref, "face_detection", NULL, 0) > 0);
    /* Larger than the camera's 8 KB buffers both ways: the writer waits
     * for the reader in each direction. */
    assert_true(same_call(m, &ref, "jpeg_snapshot", NULL, 0) > 8192);
    ts_pattern(big, 20000);
    (void)same_call(m, &ref, "color_detection", big, 20000);
    assert_true(same_call(m, &ref, "qrcode_detection", NULL, 0) > 0);

    reference_close(&ref);
    omv_rpc_master_free(m); /* the host stays: the link borrowed it */
    free(big);
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
}

static void test_survives_soft_reboot(void **state)
{
    v2_rig *r = *state;
    omv_rpc_link link;
    omv_rpc_master *m;
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_v2_script_exec(r->host, rpc_script, sizeof rpc_script - 1),
                     OMV_RPC_OK);
    wait_channel(r, "rpc");
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&m, &link, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_call(m, "face_detection", NULL, 0, &res, &len, 2000, 5000),
                     OMV_RPC_OK);
    /* The script ends: its channel goes; a call fails in bounded time. */
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
    wait_reboot(r, 0);
    assert_int_not_equal(omv_rpc_master_call(m, "face_detection", NULL, 0, &res, &len, 500, 500),
                         OMV_RPC_OK);
    /* A new script registers it again; the link finds it and goes on. */
    assert_int_equal(omv_rpc_v2_script_exec(r->host, rpc_script, sizeof rpc_script - 1),
                     OMV_RPC_OK);
    wait_channel(r, "rpc");
    assert_int_equal(omv_rpc_master_call(m, "face_detection", NULL, 0, &res, &len, 2000, 5000),
                     OMV_RPC_OK);
    assert_true(len > 0);
    omv_rpc_master_free(m);
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
}

static void test_open_errors(void **state)
{
    v2_rig *r = *state;
    omv_rpc_link link;
    omv_rpc_v2_link_config cfg = {0};
    assert_int_equal(omv_rpc_v2_link_open(NULL, r->host, NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_v2_link_open(&link, NULL, NULL), OMV_RPC_ERR_INVALID_ARG);
    cfg.channel = "a_name_too_long";
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, &cfg), OMV_RPC_ERR_INVALID_ARG);
    cfg.channel = "";
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, &cfg), OMV_RPC_ERR_INVALID_ARG);
    /* No script registered the channel. */
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, NULL), OMV_RPC_ERR_NO_DEVICE);
    cfg.channel = "stdout"; /* a channel without the rpc channel's ioctl */
    assert_int_equal(omv_rpc_v2_link_open(&link, r->host, &cfg), OMV_RPC_ERR_NAK);
}

/* The channel's rules from the host's side, command by command: writes
 * are idempotent, a write past the end is refused, reads repeat until
 * the next read moves on, and the reset ioctl starts both at 0. */
static void test_channel_rules(void **state)
{
    v2_rig *r = *state;
    uint8_t id, buf[64];
    uint32_t end;
    size_t got;
    assert_int_equal(omv_rpc_v2_script_exec(r->host, rpc_script, sizeof rpc_script - 1),
                     OMV_RPC_OK);
    wait_channel(r, "rpc");
    assert_int_equal(omv_rpc_v2_channel_find(r->host, "rpc", &id), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_ioctl(r->host, id, OMV_RPC_V2_LINK_IOCTL_RESET, NULL, 0),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_size(r->host, id, &end), OMV_RPC_OK);
    assert_int_equal(end, 0);
    /* A gap: refused. */
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 5, (const uint8_t *)"x", 1),
                     OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_last_device_status(r->host), OMV_RPC_V2_FAILED);
    /* Nothing to read yet: FAILED. */
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, buf, 1, &got), OMV_RPC_ERR_NAK);
    /* A command header the slave takes: it answers with its 4-byte ack. */
    {
        uint8_t pkt[12];
        uint32_t cmd = omv_rpc_hash_str("face_detection");
        uint16_t crc;
        pkt[0] = 0x09;
        pkt[1] = 0x12;
        for (int i = 0; i < 4; i++) {
            pkt[2 + i] = (uint8_t)(cmd >> (8 * i));
            pkt[6 + i] = 0;
        }
        crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, pkt, 10);
        pkt[10] = (uint8_t)crc;
        pkt[11] = (uint8_t)(crc >> 8);
        assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 0, pkt, sizeof pkt), OMV_RPC_OK);
    }
    for (int i = 0; i < 200; i++) {
        assert_int_equal(omv_rpc_v2_channel_size(r->host, id, &end), OMV_RPC_OK);
        if (end == 4) {
            break;
        }
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    assert_int_equal(end, 4);
    /* Read twice from 0: the same bytes (a repeated read loses nothing). */
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, buf, 4, &got), OMV_RPC_OK);
    assert_int_equal(got, 4);
    assert_int_equal(buf[0] | buf[1] << 8, 0x1209);
    memset(buf, 0, 4);
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, buf, 4, &got), OMV_RPC_OK);
    assert_int_equal(buf[0] | buf[1] << 8, 0x1209);
    /* Reading from 4 confirms them: nothing there yet, and 0 is gone. */
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 4, buf, 1, &got), OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_channel_read(r->host, id, 0, buf, 4, &got), OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_channel_size(r->host, id, &end), OMV_RPC_OK);
    assert_int_equal(end, 4);
    assert_int_equal(omv_rpc_v2_channel_ioctl(r->host, id, OMV_RPC_V2_LINK_IOCTL_RESET, NULL, 0),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_size(r->host, id, &end), OMV_RPC_OK);
    assert_int_equal(end, 0);
    /* Writes sent twice, and one that overlaps them: each byte is taken
     * once, so the end is at 4 ("abcd"): 5 is a gap, 4 follows on. (The
     * slave drops the bytes, as a UART slave drops noise.) */
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 0, (const uint8_t *)"abc", 3),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 0, (const uint8_t *)"abc", 3),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 2, (const uint8_t *)"cd", 2),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 5, (const uint8_t *)"x", 1),
                     OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_channel_write(r->host, id, 4, (const uint8_t *)"x", 1), OMV_RPC_OK);
    assert_int_equal(omv_rpc_v2_channel_ioctl(r->host, id, 99, NULL, 0), OMV_RPC_ERR_NAK);
    assert_int_equal(omv_rpc_v2_channel_lock(r->host, id), OMV_RPC_ERR_BUSY);
    assert_int_equal(omv_rpc_v2_script_stop(r->host), OMV_RPC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_calls_match_plain_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survives_soft_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_rules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
