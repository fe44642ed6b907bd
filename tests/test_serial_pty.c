/* The serial link over real pseudo-terminal pairs: the master opens the
 * terminal side by path with omv_rpc_serial_open (as a user opens
 * /dev/ttyACM0); the slave runs on the controlling side through
 * omv_rpc_serial_open_fd, the same termios code. Calls of 0 bytes to
 * several MiB, unknown functions, cut-through, streams, a slave that
 * restarts and a master whose slave is paused. */
#include <stdlib.h>
#include <string.h>

#include "call_checks.h"
#include "pty_pair.h"
#include "rig.h"
#include "stream_jobs.h"
#include "test_support.h"

static const omv_rpc_log test_log = {ts_log, NULL};

/* Master on /dev/pts/N by path, slave on the controller's descriptor
 * (which the slave's link then owns: the pair holds nothing more). */
static void rig_open(ts_rig *r, uint32_t baud)
{
    pty_pair pty;
    pty_pair_open(&pty);
    omv_rpc_link ml, sl;
    assert_int_equal(omv_rpc_serial_open(&ml, pty.path, baud, &test_log), OMV_RPC_OK);
    assert_int_equal(
        omv_rpc_serial_open_fd(&sl, pty_pair_take_controller(&pty), "ptmx", baud, &test_log),
        OMV_RPC_OK);
    assert_true(ml.flags & OMV_RPC_LINK_BYTE_STREAM);
    ts_rig_open(r, &ml, NULL, &sl, NULL);
}

static void check_echo(omv_rpc_master *m, const uint8_t *arg, size_t len)
{
    ts_check_echo(m, arg, len, 1000, 1000);
}

static void test_random_sizes(void **state)
{
    (void)state;
    ts_rig r;
    rig_open(&r, 0);
    size_t sizes[20] = {0, 1, 59, 60, 61, 4095, 4096, 4097, 4u * 1024 * 1024};
    ts_spread_sizes(sizes, 9, 20, 7, 21);
    ts_rig_check_call_sizes(&r, sizes, 20);
    ts_rig_close(&r);
}

static void test_unknown_function(void **state)
{
    (void)state;
    ts_rig r;
    rig_open(&r, 115200);
    ts_slave_thread_start(&r.thread, r.slave);
    ts_check_unknown_function(r.master);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

/* Cut-through: the slave's scheduled callback writes raw bytes. */
static void test_cut_through(void **state)
{
    (void)state;
    ts_rig r;
    rig_open(&r, 0);
    const size_t sizes[] = {1, 1000, 300000};
    ts_rig_check_cut_through(&r, sizes, sizeof sizes / sizeof sizes[0]);
    ts_slave_thread_stop(&r.thread);
    ts_rig_close(&r);
}

/* ------------------------------------------------------------ streams */

static void run_stream(uint32_t queue_depth, int reader_ends, size_t frame_size)
{
    ts_rig r;
    rig_open(&r, 0);
    ts_check_stream_to_master(&r, queue_depth, reader_ends, frame_size);
    ts_rig_close(&r);
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
    assert_int_equal(
        omv_rpc_serial_open_fd(&ml, pty_pair_take_controller(&pty), "ptmx", 0, &test_log),
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
    ts_rig r;
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
    ts_rig_close(&r);
}

/* Rates: a standard one and one termios has no constant for (BOTHER on
 * Linux); calls work at both. */
static void test_baud_rates(void **state)
{
    (void)state;
    const uint32_t rates[] = {115200, 250000, 9600};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        ts_rig r;
        rig_open(&r, rates[i]);
        ts_slave_thread_start(&r.thread, r.slave);
        uint8_t arg[300];
        ts_fill_random(arg, sizeof arg, 3);
        check_echo(r.master, arg, sizeof arg);
        ts_slave_thread_stop(&r.thread);
        ts_rig_close(&r);
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
    assert_int_equal(
        omv_rpc_serial_open_fd(&b, pty_pair_take_controller(&pty), "ptmx", 0, &test_log),
        OMV_RPC_OK);
    const uint8_t ten[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t got[10];
    /* Nothing there: a zero timeout fails at once, a short one in time. */
    assert_int_equal(omv_rpc_link_read(&b, got, 1, 0), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(omv_rpc_link_read(&b, got, 0, 0), OMV_RPC_OK);
    /* Pieces of one write come out in order across reads. */
    assert_int_equal(omv_rpc_link_write(&a, ten, 10, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&b, got, 3, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&b, got + 3, 7, 1000), OMV_RPC_OK);
    assert_memory_equal(got, ten, 10);
    /* Gathered writes arrive as one byte sequence. */
    omv_rpc_out_iov iov[3] = {{ten, 2}, {ten + 2, 0}, {ten + 2, 8}};
    assert_int_equal(b.ops->send(b.ctx, iov, 3, 1000, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&a, got, 10, 1000), OMV_RPC_OK);
    assert_memory_equal(got, ten, 10);
    /* Flush drops what was read ahead and what waits in the kernel. */
    assert_int_equal(omv_rpc_link_write(&a, ten, 10, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&b, got, 1, 1000), OMV_RPC_OK);
    omv_rpc_sleep_ms(50); /* let the rest land before flushing */
    b.ops->flush(b.ctx);
    assert_int_equal(omv_rpc_link_read(&b, got, 1, 50), OMV_RPC_ERR_TIMEOUT);
    /* Pacing: USB at 1 MB/s plus 1 ms. */
    assert_int_equal(a.ops->transfer_ms(a.ctx, 1000000), 1001);
    /* The other side goes away: both directions report it at once. */
    omv_rpc_link_close(&b);
    assert_int_equal(omv_rpc_link_read(&a, got, 1, 60000), OMV_RPC_ERR_CLOSED);
    assert_int_equal(omv_rpc_link_write(&a, ten, 10, 60000), OMV_RPC_ERR_CLOSED);
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
