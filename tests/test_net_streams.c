/* Streams over the network link (always TCP): queue depths 1, 8 and 255,
 * ended by the reader or by the writer, in both directions; calls work
 * again afterwards. */
#include "stream_jobs.h"
#include "test_net_support.h"

/* The slave writes, the master reads. */
static void download(uint32_t depth, int reader_ends, size_t frame_size)
{
    tn_pair p;
    tn_open(&p);
    ts_stream_job w, r;
    ts_stream_job_init(&w, reader_ends ? 0u : 40u, frame_size);
    ts_stream_job_init(&r, reader_ends ? 30u : 0u, frame_size);
    ts_stream_serve_writer(p.slave, "download", &w);
    tn_start(&p);
    assert_int_equal(omv_rpc_master_call(p.master, "download", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    omv_rpc_status st =
        omv_rpc_master_stream_reader(p.master, ts_stream_check_frame, &r, depth, 1000);
    assert_false(r.bad);
    if (reader_ends) {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(r.done, 30);
    } else {
        /* The writer ended after 40 frames; the reader then times out. */
        assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
        assert_int_equal(r.done, 40);
    }
    /* Calls work again, small and large (a fresh TCP connection when the
     * stream's was closed). */
    ts_check_echo_random(p.master, 5, 1, 3000);
    ts_check_echo_random(p.master, 5000, 2, 3000);
    tn_close_slave(&p);
    if (reader_ends) {
        /* The writer sees the reader leave: its connection closes under it,
         * or no ack comes. */
        assert_true(w.result == OMV_RPC_ERR_CLOSED || w.result == OMV_RPC_ERR_TIMEOUT ||
                    w.result == OMV_RPC_ERR_STREAM_ENDED);
    } else {
        assert_int_equal(w.result, OMV_RPC_OK);
        assert_int_equal(w.done, 40);
    }
    ts_stream_job_free(&w);
    ts_stream_job_free(&r);
    tn_close(&p);
}

/* The master writes, the slave reads. */
static void upload(uint32_t depth, int reader_ends, size_t frame_size)
{
    tn_pair p;
    tn_open(&p);
    ts_stream_job w, r;
    ts_stream_job_init(&w, reader_ends ? 0u : 35u, frame_size);
    ts_stream_job_init(&r, reader_ends ? 25u : 0u, frame_size);
    r.queue_depth = depth;
    ts_stream_serve_reader(p.slave, "upload", &r);
    tn_start(&p);
    assert_int_equal(omv_rpc_master_call(p.master, "upload", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    omv_rpc_status st = omv_rpc_master_stream_writer(p.master, ts_stream_next_frame, &w, 1000);
    if (reader_ends) {
        assert_true(st == OMV_RPC_ERR_CLOSED || st == OMV_RPC_ERR_TIMEOUT);
    } else {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(w.done, 35);
    }
    ts_check_echo_random(p.master, 5, 1, 3000);
    ts_check_echo_random(p.master, 5000, 2, 3000);
    tn_close_slave(&p);
    assert_false(r.bad);
    if (reader_ends) {
        assert_int_equal(r.result, OMV_RPC_OK);
        assert_int_equal(r.done, 25);
    } else {
        /* The writer ended: the reader times out, or sees the connection
         * close when the master's next call drops the acks it left unread. */
        assert_true(r.result == OMV_RPC_ERR_TIMEOUT || r.result == OMV_RPC_ERR_CLOSED);
        assert_int_equal(r.done, 35);
    }
    ts_stream_job_free(&w);
    ts_stream_job_free(&r);
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
