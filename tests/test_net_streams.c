/* Streams over the network link (always TCP): queue depths 1, 8 and 255,
 * ended by the reader or by the writer, in both directions; calls work
 * again afterwards. */
#include <stdlib.h>
#include <string.h>

#include "test_net_support.h"

typedef struct writer_job {
    uint32_t frames; /* frames before the writer ends (0: never) */
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
    size_t size = j->frame_size - (j->sent % 7);
    for (size_t i = 0; i < size; i++) {
        j->frame[i] = (uint8_t)(i * 31 + j->sent);
    }
    memcpy(j->frame, &j->sent, 4);
    j->sent++;
    *frame = j->frame;
    *len = size;
    return 0;
}

typedef struct reader_job {
    uint32_t stop_after; /* 0: never */
    uint32_t queue_depth;
    uint32_t received;
    int bad;
    omv_rpc_status result;
} reader_job;

static int check_frame(void *user, const uint8_t *frame, size_t len)
{
    reader_job *r = user;
    uint32_t index;
    if (len < 4) {
        r->bad = 1;
        return 1;
    }
    memcpy(&index, frame, 4);
    if (index != r->received) {
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

static void slave_writes(omv_rpc_slave *s, void *user)
{
    writer_job *j = user;
    j->result = omv_rpc_slave_stream_writer(s, next_frame, j, 1000);
}

static void slave_reads(omv_rpc_slave *s, void *user)
{
    reader_job *r = user;
    r->result = omv_rpc_slave_stream_reader(s, check_frame, r, r->queue_depth, 1000);
}

static void cb_download(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, slave_writes, user);
}

static void cb_upload(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, slave_reads, user);
}

/* The slave writes, the master reads. */
static void download(uint32_t depth, int reader_ends, size_t frame_size)
{
    tn_pair p;
    tn_open(&p);
    writer_job w = {reader_ends ? 0u : 40u, 0, frame_size, malloc(frame_size), OMV_RPC_OK};
    omv_rpc_slave_register_callback(p.slave, "download", cb_download, &w);
    tn_start(&p);
    assert_int_equal(omv_rpc_master_call(p.master, "download", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    reader_job r = {reader_ends ? 30u : 0u, depth, 0, 0, OMV_RPC_OK};
    omv_rpc_status st = omv_rpc_master_stream_reader(p.master, check_frame, &r, depth, 1000);
    assert_false(r.bad);
    if (reader_ends) {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(r.received, 30);
    } else {
        /* The writer ended after 40 frames; the reader then times out. */
        assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
        assert_int_equal(r.received, 40);
    }
    /* Calls work again, small and large (a fresh TCP connection when the
     * stream's was closed). */
    tn_check_echo(p.master, 5, 1, 3000);
    tn_check_echo(p.master, 5000, 2, 3000);
    tn_close_slave(&p);
    if (reader_ends) {
        /* The writer sees the reader leave: its connection closes under it,
         * or no ack comes. */
        assert_true(w.result == OMV_RPC_ERR_CLOSED || w.result == OMV_RPC_ERR_TIMEOUT ||
                    w.result == OMV_RPC_ERR_STREAM_ENDED);
    } else {
        assert_int_equal(w.result, OMV_RPC_OK);
        assert_int_equal(w.sent, 40);
    }
    free(w.frame);
    tn_close(&p);
}

/* The master writes, the slave reads. */
static void upload(uint32_t depth, int reader_ends, size_t frame_size)
{
    tn_pair p;
    tn_open(&p);
    reader_job r = {reader_ends ? 25u : 0u, depth, 0, 0, OMV_RPC_OK};
    omv_rpc_slave_register_callback(p.slave, "upload", cb_upload, &r);
    tn_start(&p);
    assert_int_equal(omv_rpc_master_call(p.master, "upload", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    writer_job w = {reader_ends ? 0u : 35u, 0, frame_size, malloc(frame_size), OMV_RPC_OK};
    omv_rpc_status st = omv_rpc_master_stream_writer(p.master, next_frame, &w, 1000);
    if (reader_ends) {
        assert_true(st == OMV_RPC_ERR_CLOSED || st == OMV_RPC_ERR_TIMEOUT);
    } else {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(w.sent, 35);
    }
    tn_check_echo(p.master, 5, 1, 3000);
    tn_check_echo(p.master, 5000, 2, 3000);
    tn_close_slave(&p);
    assert_false(r.bad);
    if (reader_ends) {
        assert_int_equal(r.result, OMV_RPC_OK);
        assert_int_equal(r.received, 25);
    } else {
        /* The writer ended: the reader times out, or sees the connection
         * close when the master's next call drops the acks it left unread. */
        assert_true(r.result == OMV_RPC_ERR_TIMEOUT || r.result == OMV_RPC_ERR_CLOSED);
        assert_int_equal(r.received, 35);
    }
    free(w.frame);
    tn_close(&p);
}

static void test_depth_1(void **state)
{
    (void)state;
    download(1, 1, 3000);
    download(1, 0, 3000);
    upload(1, 1, 3000);
    upload(1, 0, 3000);
}

static void test_depth_8(void **state)
{
    (void)state;
    download(8, 1, 30000);
    download(8, 0, 30000);
    upload(8, 1, 30000);
    upload(8, 0, 30000);
}

static void test_depth_255(void **state)
{
    (void)state;
    download(255, 1, 20000);
    download(255, 0, 20000);
    upload(255, 1, 20000);
    upload(255, 0, 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth_1),
        cmocka_unit_test(test_depth_8),
        cmocka_unit_test(test_depth_255),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
