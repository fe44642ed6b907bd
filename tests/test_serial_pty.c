/* The serial link over real pseudo-terminal pairs: the master opens the
 * terminal side by path with omv_rpc_serial_open (as a user opens
 * /dev/ttyACM0); the slave runs on the controlling side through
 * omv_rpc_serial_open_fd, the same termios code. Calls of 0 bytes to
 * several MiB, unknown functions, cut-through, streams, a slave that
 * restarts and a master whose slave is paused. */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "pty_pair.h"
#include "test_support.h"

static const omv_rpc_log test_log = {ts_log, NULL};

typedef struct rig {
    pty_pair pty;
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    ts_slave_thread thread;
} rig;

/* Master on /dev/pts/N by path, slave on the controller's descriptor. */
static void rig_open(rig *r, uint32_t baud)
{
    memset(r, 0, sizeof *r);
    pty_pair_open(&r->pty);
    omv_rpc_link ml, sl;
    assert_int_equal(omv_rpc_serial_open(&ml, r->pty.path, baud, &test_log), OMV_RPC_OK);
    assert_int_equal(omv_rpc_serial_open_fd(&sl, pty_pair_take_controller(&r->pty), "ptmx",
                                            baud, &test_log),
                     OMV_RPC_OK);
    assert_true(ml.flags & OMV_RPC_LINK_BYTE_STREAM);
    assert_int_equal(omv_rpc_master_new(&r->master, &ml, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&r->slave, &sl, NULL), OMV_RPC_OK);
    ts_register_standard_callbacks(r->slave);
}

static void rig_close(rig *r)
{
    omv_rpc_master_free(r->master);
    omv_rpc_slave_free(r->slave);
    pty_pair_close(&r->pty);
}

static void check_echo(omv_rpc_master *m, const uint8_t *arg, size_t len)
{
    const uint8_t *res;
    size_t res_len;
    assert_int_equal(omv_rpc_master_call(m, "echo", arg, len, &res, &res_len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(res_len, len);
    if (len) {
        assert_memory_equal(res, arg, len);
    }
}

static void test_random_sizes(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 0);
    ts_slave_thread_start(&r.thread, r.slave);
    const size_t max = 4u * 1024 * 1024;
    uint8_t *arg = malloc(max);
    assert_non_null(arg);
    size_t sizes[20] = {0, 1, 59, 60, 61, 4095, 4096, 4097, max};
    size_t n = 9;
    uint32_t seed = 7;
    while (n < 20) {
        size_t magnitude = (size_t)1 << (ts_rand(&seed) % 21);
        sizes[n++] = magnitude + ts_rand(&seed) % magnitude;
    }
    for (size_t i = 0; i < n; i++) {
        ts_fill_random(arg, sizes[i], (uint32_t)i);
        check_echo(r.master, arg, sizes[i]);
        uint8_t want[4];
        put_le32(want, (uint32_t)sizes[i]);
        const uint8_t *res;
        size_t res_len;
        assert_int_equal(
            omv_rpc_master_call(r.master, "pattern", want, 4, &res, &res_len, 1000, 1000),
            OMV_RPC_OK);
        assert_int_equal(res_len, sizes[i]);
        ts_pattern(arg, sizes[i]);
        assert_memory_equal(res, arg, sizes[i]);
    }
    assert_int_equal(ts_slave_thread_stop(&r.thread), OMV_RPC_ERR_STOPPED);
    assert_int_equal(omv_rpc_slave_calls_served(r.slave), 2 * n);
    free(arg);
    rig_close(&r);
}

static void test_unknown_function(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 115200);
    ts_slave_thread_start(&r.thread, r.slave);
    const uint8_t *res = (const uint8_t *)"x";
    size_t res_len = 99;
    assert_int_equal(omv_rpc_master_call(r.master, "no_such_function", "abc", 3, &res, &res_len,
                                         1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(res_len, 0);
    ts_slave_thread_stop(&r.thread);
    rig_close(&r);
}

/* Cut-through: the slave's scheduled callback writes raw bytes. */
static void put_raw(omv_rpc_slave *s, void *user)
{
    size_t n = *(size_t *)user;
    uint8_t *buf = malloc(n);
    ts_pattern(buf, n);
    omv_rpc_put_bytes(omv_rpc_slave_link(s), buf, n, 1000);
    free(buf);
}

static void cb_cut_through(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, put_raw, user);
}

static void test_cut_through(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 0);
    size_t sizes[] = {1, 1000, 300000};
    size_t current = 0;
    omv_rpc_slave_register_callback(r.slave, "cut", cb_cut_through, &current);
    ts_slave_thread_start(&r.thread, r.slave);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        current = sizes[i];
        assert_int_equal(omv_rpc_master_call(r.master, "cut", NULL, 0, NULL, NULL, 1000, 1000),
                         OMV_RPC_OK);
        uint8_t *got = malloc(sizes[i]), *want = malloc(sizes[i]);
        assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(r.master), got, sizes[i], 1000),
                         OMV_RPC_OK);
        ts_pattern(want, sizes[i]);
        assert_memory_equal(got, want, sizes[i]);
        free(got);
        free(want);
    }
    check_echo(r.master, (const uint8_t *)"after", 5);
    ts_slave_thread_stop(&r.thread);
    rig_close(&r);
}

/* ------------------------------------------------------------ streams */

typedef struct writer_job {
    uint32_t frames; /* frames to send before the writer ends (0: never) */
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
    rig r;
    rig_open(&r, 0);
    writer_job w = {0};
    w.frames = reader_ends ? 0 : 40;
    w.frame_size = frame_size;
    w.frame = malloc(frame_size);
    omv_rpc_slave_register_callback(r.slave, "stream", cb_stream, &w);
    ts_slave_thread_start(&r.thread, r.slave);

    assert_int_equal(omv_rpc_master_call(r.master, "stream", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    reader_job rd = {reader_ends ? 30u : 0u, 0, 0};
    omv_rpc_status st = omv_rpc_master_stream_reader(r.master, check_frame, &rd, queue_depth, 1000);
    assert_false(rd.bad);
    if (reader_ends) {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(rd.received, 30);
    } else {
        assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
        assert_int_equal(rd.received, 40);
    }
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "after", 5, &res, &len, 3000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 5);
    ts_slave_thread_stop(&r.thread);
    if (reader_ends) {
        assert_true(w.result == OMV_RPC_ERR_TIMEOUT || w.result == OMV_RPC_ERR_STREAM_ENDED);
    } else {
        assert_int_equal(w.result, OMV_RPC_OK);
        assert_int_equal(w.sent, 40);
    }
    free(w.frame);
    rig_close(&r);
}

static void test_stream_depth_1(void **state)
{
    (void)state;
    run_stream(1, 1, 3000);
    run_stream(1, 0, 3000);
}

static void test_stream_depth_2(void **state)
{
    (void)state;
    run_stream(2, 1, 100);
    run_stream(2, 0, 100);
}

static void test_stream_depth_8(void **state)
{
    (void)state;
    run_stream(8, 1, 30000);
    run_stream(8, 0, 30000);
}

static void test_stream_depth_255(void **state)
{
    (void)state;
    run_stream(255, 1, 20000);
    run_stream(255, 0, 20000);
}

/* ------------------------------------------- restart and pause */

/* The slave opens the terminal side by path, is freed (closing it: the
 * master's side sees the hang-up) and a new one opens the same path. */
static void test_slave_restarts(void **state)
{
    (void)state;
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_link ml, sl;
    assert_int_equal(omv_rpc_serial_open_fd(&ml, pty_pair_take_controller(&pty), "ptmx", 0,
                                            &test_log),
                     OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &ml, NULL), OMV_RPC_OK);
    for (int round = 0; round < 3; round++) {
        omv_rpc_slave *s;
        assert_int_equal(omv_rpc_serial_open(&sl, pty.path, 0, &test_log), OMV_RPC_OK);
        assert_int_equal(omv_rpc_slave_new(&s, &sl, NULL), OMV_RPC_OK);
        ts_register_standard_callbacks(s);
        ts_slave_thread t = {0};
        ts_slave_thread_start(&t, s);
        uint8_t arg[5000];
        ts_fill_random(arg, sizeof arg, (uint32_t)round);
        check_echo(m, arg, sizeof arg);
        check_echo(m, arg, 10);
        ts_slave_thread_stop(&t);
        omv_rpc_slave_free(s);
        /* No slave: the call fails at once (hang-up) or times out, and
         * does not hang. */
        assert_int_not_equal(omv_rpc_master_call(m, "echo", "x", 1, NULL, NULL, 100, 100),
                             OMV_RPC_OK);
    }
    omv_rpc_master_free(m);
    pty_pair_close(&pty);
}

static void test_master_times_out_then_succeeds(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, 0);
    /* The slave is not running yet. */
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "abc", 3, NULL, NULL, 200, 200),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    ts_slave_thread_start(&r.thread, r.slave);
    check_echo(r.master, (const uint8_t *)"abc", 3);
    /* Paused again, then back. */
    ts_slave_thread_stop(&r.thread);
    omv_rpc_slave_clear_stop(r.slave);
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "abc", 3, NULL, NULL, 200, 200),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    ts_slave_thread_start(&r.thread, r.slave);
    check_echo(r.master, (const uint8_t *)"again", 5);
    ts_slave_thread_stop(&r.thread);
    rig_close(&r);
}

/* Rates: a standard one and one termios has no constant for (BOTHER on
 * Linux); calls work at both. */
static void test_baud_rates(void **state)
{
    (void)state;
    const uint32_t rates[] = {115200, 250000, 9600};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        rig r;
        rig_open(&r, rates[i]);
        ts_slave_thread_start(&r.thread, r.slave);
        uint8_t arg[300];
        ts_fill_random(arg, sizeof arg, 3);
        check_echo(r.master, arg, sizeof arg);
        ts_slave_thread_stop(&r.thread);
        rig_close(&r);
    }
}

/* The link table itself: read-ahead, flush, zero timeouts, hang-up. */
static void test_link_level(void **state)
{
    (void)state;
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_serial_open(&a, pty.path, 0, &test_log), OMV_RPC_OK);
    assert_int_equal(omv_rpc_serial_open_fd(&b, pty_pair_take_controller(&pty), "ptmx", 0,
                                            &test_log),
                     OMV_RPC_OK);
    const uint8_t ten[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t got[10];
    /* Nothing there: a zero timeout fails at once, a short one in time. */
    assert_int_equal(b.ops->get_bytes(b.ctx, got, 1, 0), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(b.ops->get_bytes(b.ctx, got, 0, 0), OMV_RPC_OK);
    /* Pieces of one write come out in order across reads. */
    assert_int_equal(a.ops->put_bytes(a.ctx, ten, 10, 1000), OMV_RPC_OK);
    assert_int_equal(b.ops->get_bytes(b.ctx, got, 3, 1000), OMV_RPC_OK);
    assert_int_equal(b.ops->get_bytes(b.ctx, got + 3, 7, 1000), OMV_RPC_OK);
    assert_memory_equal(got, ten, 10);
    /* Gathered writes arrive as one byte sequence. */
    omv_rpc_out_iov iov[3] = {{ten, 2}, {ten + 2, 0}, {ten + 2, 8}};
    assert_int_equal(b.ops->put_bytes_v(b.ctx, iov, 3, 1000), OMV_RPC_OK);
    assert_int_equal(a.ops->get_bytes(a.ctx, got, 10, 1000), OMV_RPC_OK);
    assert_memory_equal(got, ten, 10);
    /* Flush drops what was read ahead and what waits in the kernel. */
    assert_int_equal(a.ops->put_bytes(a.ctx, ten, 10, 1000), OMV_RPC_OK);
    assert_int_equal(b.ops->get_bytes(b.ctx, got, 1, 1000), OMV_RPC_OK);
    omv_rpc_sleep_ms(50); /* let the rest land before flushing */
    b.ops->flush(b.ctx);
    assert_int_equal(b.ops->get_bytes(b.ctx, got, 1, 50), OMV_RPC_ERR_TIMEOUT);
    /* Pacing: USB at 1 MB/s plus 1 ms. */
    assert_int_equal(a.ops->transfer_ms(a.ctx, 1000000), 1001);
    /* The other side goes away: both directions report it at once. */
    omv_rpc_link_close(&b);
    assert_int_equal(a.ops->get_bytes(a.ctx, got, 1, 60000), OMV_RPC_ERR_CLOSED);
    assert_int_equal(a.ops->put_bytes(a.ctx, ten, 10, 60000), OMV_RPC_ERR_CLOSED);
    omv_rpc_link_close(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_level),
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_unknown_function),
        cmocka_unit_test(test_cut_through),
        cmocka_unit_test(test_stream_depth_1),
        cmocka_unit_test(test_stream_depth_2),
        cmocka_unit_test(test_stream_depth_8),
        cmocka_unit_test(test_stream_depth_255),
        cmocka_unit_test(test_slave_restarts),
        cmocka_unit_test(test_master_times_out_then_succeeds),
        cmocka_unit_test(test_baud_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
