/* Streams between our master and slave over the in-process pair: queue
 * depths 1, 2, 8 and 255, ended by either side, frames in order and
 * intact; strict header checks. */
#include "endpoint.h"
#include "fake_peer.h"
#include "rig.h"
#include "stream_jobs.h"
#include "test_support.h"

static void run_stream(uint32_t queue_depth, int reader_ends, size_t frame_size)
{
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    ts_check_stream_to_master(&r, queue_depth, reader_ends, frame_size);
    ts_rig_close(&r);
}

static void test_depth_1(void **state)
{
    (void)state;
    run_stream(1, 1, 3000);
    run_stream(1, 0, 3000);
}

static void test_depth_2(void **state)
{
    (void)state;
    run_stream(2, 1, 100);
    run_stream(2, 0, 100);
}

static void test_depth_8(void **state)
{
    (void)state;
    run_stream(8, 1, 30000);
    run_stream(8, 0, 30000);
}

static void test_depth_255(void **state)
{
    (void)state;
    run_stream(255, 1, 30000);
    run_stream(255, 0, 30000);
}

/* The master writes, the slave reads (the other direction). */
static void test_master_writes(void **state)
{
    (void)state;
    ts_rig r;
    ts_rig_open_pair(&r, NULL, NULL);
    ts_stream_job w, rd;
    ts_stream_job_init(&w, 100, 500);
    ts_stream_job_init(&rd, 25, 500);
    ts_stream_serve_reader(r.slave, "upload", &rd);
    ts_slave_thread_start(&r.thread, r.slave);
    assert_int_equal(omv_rpc_master_call(r.master, "upload", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    /* The slave's reader stops after 25 frames; our writer then times out
     * waiting for credit. */
    assert_int_equal(omv_rpc_master_stream_writer(r.master, ts_stream_next_frame, &w, 1000),
                     OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(rd.done, 25);
    assert_false(rd.bad);
    ts_slave_thread_stop(&r.thread);
    ts_stream_job_free(&w);
    ts_stream_job_free(&rd);
    ts_rig_close(&r);
}

/* Headers are checked strictly: a frame header whose magic is right but
 * CRC wrong (which OpenMV's reader accepts) ends the stream. */
static void *bad_writer(void *arg)
{
    omv_rpc_link *link = arg;
    uint8_t setup[8], hdr[8] = {0x2E, 0x54, 4, 0, 0, 0, 0, 0};
    omv_rpc_link_read(link, setup, 8, 2000);
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, hdr, 6);
    hdr[6] = (uint8_t)(crc ^ 1);
    hdr[7] = (uint8_t)(crc >> 8);
    omv_rpc_link_write(link, hdr, 8, 1000);
    omv_rpc_link_write(link, (const uint8_t *)"abcd", 4, 1000);
    return NULL;
}

static void test_strict_header(void **state)
{
    (void)state;
    ts_fake_peer p;
    ts_fake_peer_start(&p, NULL, bad_writer);
    ts_stream_job rd;
    ts_stream_job_init(&rd, 0, 16);
    assert_int_equal(omv_rpc_master_stream_reader(p.master, ts_stream_check_frame, &rd, 2, 1000),
                     OMV_RPC_ERR_BAD_PACKET);
    assert_int_equal(rd.done, 0);
    ts_fake_peer_join(&p);
    ts_stream_job_free(&rd);
    ts_fake_peer_close(&p);
}

/* A wrong ack byte ends the writer with OMV_RPC_ERR_STREAM_ENDED; a setup
 * packet with a bad CRC is refused. */
static void *bad_reader(void *arg)
{
    omv_rpc_link *link = arg;
    uint8_t setup[8] = {0xF6, 0xED, 1, 0, 0, 0, 0, 0}, hdr[8], frame[16], ack = 0xC7;
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, setup, 6);
    setup[6] = (uint8_t)crc;
    setup[7] = (uint8_t)(crc >> 8);
    omv_rpc_link_write(link, setup, 8, 1000);
    omv_rpc_link_read(link, hdr, 8, 2000);
    omv_rpc_link_read(link, frame, get_le32(hdr + 2), 2000);
    omv_rpc_link_write(link, &ack, 1, 1000); /* should be 0xFF */
    return NULL;
}

static void test_wrong_ack_and_bad_setup(void **state)
{
    (void)state;
    ts_fake_peer p;
    ts_fake_peer_start(&p, NULL, bad_reader);
    ts_stream_job w;
    ts_stream_job_init(&w, 0, 16);
    assert_int_equal(omv_rpc_master_stream_writer(p.master, ts_stream_next_frame, &w, 1000),
                     OMV_RPC_ERR_STREAM_ENDED);
    ts_fake_peer_join(&p);

    uint8_t setup[8] = {0xF6, 0xED, 1, 0, 0, 0, 0x12, 0x34};
    omv_rpc_link_write(&p.peer, setup, 8, 1000);
    assert_int_equal(omv_rpc_master_stream_writer(p.master, ts_stream_next_frame, &w, 1000),
                     OMV_RPC_ERR_BAD_PACKET);
    ts_stream_job_free(&w);
    ts_fake_peer_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth_1),
        cmocka_unit_test(test_depth_2),
        cmocka_unit_test(test_depth_8),
        cmocka_unit_test(test_depth_255),
        cmocka_unit_test(test_master_writes),
        cmocka_unit_test(test_strict_header),
        cmocka_unit_test(test_wrong_ack_and_bad_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
