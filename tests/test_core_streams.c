/* Streams between our master and slave over the in-process pair: queue
 * depths 1, 2, 8 and 255, ended by either side, frames in order and
 * intact; strict header checks. */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "test_support.h"

typedef struct writer_job {
    uint32_t frames;  /* frames to send before the writer ends (0: never) */
    uint32_t sent;
    size_t frame_size;
    uint8_t *frame;
    omv_rpc_status result;
} writer_job;

static int next_frame(void *user, const uint8_t **frame, size_t *len)
{
    writer_job *j = user;
    if (j->frames && j->sent == j->frames) {
        return 1;
    }
    /* Frame i: its index, then bytes that depend on it; sizes vary. */
    size_t size = j->frame_size - (j->sent % 7);
    put_le32(j->frame, j->sent);
    for (size_t i = 4; i < size; i++) {
        j->frame[i] = (uint8_t)(i * 31 + j->sent);
    }
    j->sent++;
    *frame = j->frame;
    *len = size;
    return 0;
}

static void start_writer(omv_rpc_slave *s, void *user)
{
    writer_job *j = user;
    j->result = omv_rpc_slave_stream_writer(s, next_frame, j, 1000);
}

static void cb_stream(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, start_writer, user);
}

typedef struct reader_job {
    uint32_t stop_after; /* 0: never */
    uint32_t received;
    int bad;
} reader_job;

static int check_frame(void *user, const uint8_t *frame, size_t len)
{
    reader_job *r = user;
    if (len < 4 || get_le32(frame) != r->received) {
        r->bad = 1;
        return 1;
    }
    for (size_t i = 4; i < len; i++) {
        if (frame[i] != (uint8_t)(i * 31 + r->received)) {
            r->bad = 1;
            return 1;
        }
    }
    r->received++;
    return r->stop_after && r->received == r->stop_after;
}

static void run_stream(uint32_t queue_depth, int reader_ends, size_t frame_size)
{
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    omv_rpc_slave *s;
    assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&s, &b, NULL), OMV_RPC_OK);
    writer_job w = {0};
    w.frames = reader_ends ? 0 : 40;
    w.frame_size = frame_size;
    w.frame = malloc(frame_size);
    omv_rpc_slave_register_callback(s, "stream", cb_stream, &w);
    ts_register_standard_callbacks(s);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, s);

    assert_int_equal(omv_rpc_master_call(m, "stream", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    reader_job r = {reader_ends ? 30u : 0u, 0, 0};
    omv_rpc_status st = omv_rpc_master_stream_reader(m, check_frame, &r, queue_depth, 1000);
    assert_false(r.bad);
    if (reader_ends) {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(r.received, 30);
    } else {
        /* The writer ended after 40 frames; the reader then times out. */
        assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
        assert_int_equal(r.received, 40);
    }
    /* After the writer notices (its ack wait), calls work again. */
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(m, "echo", "after", 5, &res, &len, 3000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 5);
    ts_slave_thread_stop(&t);
    if (reader_ends) {
        /* The writer sees the reader leave: no ack in time, or the next
         * call's bytes where an ack should be. */
        assert_true(w.result == OMV_RPC_ERR_TIMEOUT || w.result == OMV_RPC_ERR_STREAM_ENDED);
    } else {
        assert_int_equal(w.result, OMV_RPC_OK);
        assert_int_equal(w.sent, 40);
    }
    free(w.frame);
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
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
static int master_frames(void *user, const uint8_t **frame, size_t *len)
{
    writer_job *j = user;
    return next_frame(user, frame, len) || (j->sent > j->frames);
}

static void slave_reads(omv_rpc_slave *s, void *user)
{
    reader_job *r = user;
    omv_rpc_slave_stream_reader(s, check_frame, r, 8, 1000);
}

static void cb_upload(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, slave_reads, user);
}

static void test_master_writes(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    omv_rpc_slave *s;
    assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&s, &b, NULL), OMV_RPC_OK);
    reader_job r = {25, 0, 0};
    omv_rpc_slave_register_callback(s, "upload", cb_upload, &r);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, s);
    assert_int_equal(omv_rpc_master_call(m, "upload", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    writer_job w = {0};
    w.frames = 100;
    w.frame_size = 500;
    w.frame = malloc(500);
    /* The slave's reader stops after 25 frames; our writer then times out
     * waiting for credit. */
    assert_int_equal(omv_rpc_master_stream_writer(m, master_frames, &w, 1000), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(r.received, 25);
    assert_false(r.bad);
    ts_slave_thread_stop(&t);
    free(w.frame);
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
}

/* Headers are checked strictly: a frame header whose magic is right but
 * CRC wrong (which OpenMV's reader accepts) ends the stream. */
static void *bad_writer(void *arg)
{
    omv_rpc_link *link = arg;
    uint8_t setup[8], hdr[8] = {0x2E, 0x54, 4, 0, 0, 0, 0, 0};
    link->ops->get_bytes(link->ctx, setup, 8, 2000);
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, hdr, 6);
    hdr[6] = (uint8_t)(crc ^ 1);
    hdr[7] = (uint8_t)(crc >> 8);
    link->ops->put_bytes(link->ctx, hdr, 8, 1000);
    link->ops->put_bytes(link->ctx, (const uint8_t *)"abcd", 4, 1000);
    return NULL;
}

static void test_strict_header(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
    ts_thread t;
    ts_thread_start(&t, bad_writer, &b);
    reader_job r = {0, 0, 0};
    assert_int_equal(omv_rpc_master_stream_reader(m, check_frame, &r, 2, 1000),
                     OMV_RPC_ERR_BAD_PACKET);
    assert_int_equal(r.received, 0);
    ts_thread_join(&t);
    omv_rpc_master_free(m);
    omv_rpc_link_close(&b);
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
    link->ops->put_bytes(link->ctx, setup, 8, 1000);
    link->ops->get_bytes(link->ctx, hdr, 8, 2000);
    link->ops->get_bytes(link->ctx, frame, get_le32(hdr + 2), 2000);
    link->ops->put_bytes(link->ctx, &ack, 1, 1000); /* should be 0xFF */
    return NULL;
}

static void test_wrong_ack_and_bad_setup(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
    ts_thread t;
    ts_thread_start(&t, bad_reader, &b);
    writer_job w = {0};
    w.frame_size = 16;
    w.frame = malloc(16);
    assert_int_equal(omv_rpc_master_stream_writer(m, next_frame, &w, 1000),
                     OMV_RPC_ERR_STREAM_ENDED);
    ts_thread_join(&t);

    uint8_t setup[8] = {0xF6, 0xED, 1, 0, 0, 0, 0x12, 0x34};
    b.ops->put_bytes(b.ctx, setup, 8, 1000);
    assert_int_equal(omv_rpc_master_stream_writer(m, next_frame, &w, 1000),
                     OMV_RPC_ERR_BAD_PACKET);
    free(w.frame);
    omv_rpc_master_free(m);
    omv_rpc_link_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth_1),        cmocka_unit_test(test_depth_2),
        cmocka_unit_test(test_depth_8),        cmocka_unit_test(test_depth_255),
        cmocka_unit_test(test_master_writes),  cmocka_unit_test(test_strict_header),
        cmocka_unit_test(test_wrong_ack_and_bad_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
