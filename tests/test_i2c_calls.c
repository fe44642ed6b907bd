/* Calls, cut-through and streams over the I2C and SPI master links, with a
 * real slave (the core) on a thread behind the simulated bus, answering as
 * a camera's I2C / SPI slave does. */
#include <stdlib.h>
#include <string.h>

#include "call_checks.h"
#include "rig.h"
#include "stream_jobs.h"
#include "test_i2c_spi_sim.h"
#include "test_support.h"

enum { I2C, SPI };

typedef struct fixture {
    sim_bus *bus;
    ts_rig rig;
} fixture;

static const omv_rpc_log test_log = {ts_log, NULL};

/* The slave does not serve yet: a test registers its callbacks first. */
static void setup(fixture *f, int kind, sim_idle idle)
{
    memset(f, 0, sizeof *f);
    f->bus = sim_bus_new(0x12, idle);
    omv_rpc_link a, b;
    if (kind == I2C) {
        assert_int_equal(sim_i2c_master_open(f->bus, &a, 0x12, &test_log), OMV_RPC_OK);
    } else {
        assert_int_equal(sim_spi_master_open(f->bus, &a, &test_log), OMV_RPC_OK);
    }
    assert_int_equal(a.stream_queue_depth_max, 1);
    assert_int_equal(a.flags & OMV_RPC_LINK_BYTE_STREAM, 0);
    sim_slave_open(f->bus, &b);
    omv_rpc_config config = ts_logged_config();
    ts_rig_open(&f->rig, &a, &config, &b, &config);
}

static void teardown(fixture *f)
{
    assert_int_equal(ts_slave_thread_stop(&f->rig.thread), OMV_RPC_ERR_STOPPED);
    ts_rig_close(&f->rig);
    sim_bus_free(f->bus);
}

static void echo_sizes(int kind, sim_idle idle)
{
    /* 70000 and 100 KiB span two and more 65535-byte chunks. */
    static const size_t sizes[] = {0, 1, 2, 7, 100, 1000, 70000, 100 * 1024};
    fixture f;
    setup(&f, kind, idle);
    ts_slave_thread_start(&f.rig.thread, f.rig.slave);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ts_check_echo_random(f.rig.master, sizes[i], (uint32_t)i + 5, 2000);
    }
    ts_check_pattern(f.rig.master, 3000, 1000);
    teardown(&f);
}

static void test_i2c_echo_nack(void **state)
{
    (void)state;
    echo_sizes(I2C, SIM_IDLE_NACK);
}

static void test_i2c_echo_idle_ff(void **state)
{
    (void)state;
    echo_sizes(I2C, SIM_IDLE_FF);
}

static void test_spi_echo_idle_00(void **state)
{
    (void)state;
    echo_sizes(SPI, SIM_IDLE_00);
}

static void test_spi_echo_idle_ff(void **state)
{
    (void)state;
    echo_sizes(SPI, SIM_IDLE_FF);
}

/* Cut-through: the slave writes 1000 raw bytes after the call. */
static void cut_through(int kind, sim_idle idle)
{
    static const size_t sizes[] = {1000, 1000};
    fixture f;
    setup(&f, kind, idle);
    ts_rig_check_cut_through(&f.rig, sizes, 2);
    teardown(&f);
}

static void test_i2c_cut_through(void **state)
{
    (void)state;
    cut_through(I2C, SIM_IDLE_FF);
}

static void test_spi_cut_through(void **state)
{
    (void)state;
    cut_through(SPI, SIM_IDLE_00);
}

/* Streams with queue depth 1 (the reader asks for 8; the link allows 1). */
static size_t frame_size(uint32_t i, size_t max_size)
{
    (void)max_size;
    return 6 + (i * 53) % 590; /* never all-equal bytes: see i2c.h */
}

static void streams(int kind, sim_idle idle)
{
    fixture f;
    setup(&f, kind, idle);
    ts_two_way t;
    ts_two_way_serve(&t, f.rig.slave, 20, 15, 600, frame_size);
    ts_slave_thread_start(&f.rig.thread, f.rig.slave);
    ts_check_download(f.rig.master, &t, 8);
    /* The reader is gone: I2C reads are not acknowledged until the
     * timeout; SPI reads the idle byte, a wrong ack. */
    assert_int_equal(ts_upload(f.rig.master, &t, 2000),
                     kind == I2C ? OMV_RPC_ERR_NOT_READY : OMV_RPC_ERR_STREAM_ENDED);
    teardown(&f);
    /* Depth 1: the writer waited for every ack, so it sent no frame past
     * the 21st (20 read, the reader's end, one more at most). */
    assert_in_range(t.slave_writes.done, 20, 21);
    ts_check_reader_ended(&t.slave_reads, t.slave_reads.result);
    ts_two_way_free(&t);
}

static void test_i2c_streams(void **state)
{
    (void)state;
    streams(I2C, SIM_IDLE_NACK);
}

static void test_spi_streams(void **state)
{
    (void)state;
    streams(SPI, SIM_IDLE_00);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i2c_echo_nack),    cmocka_unit_test(test_i2c_echo_idle_ff),
        cmocka_unit_test(test_spi_echo_idle_00), cmocka_unit_test(test_spi_echo_idle_ff),
        cmocka_unit_test(test_i2c_cut_through),  cmocka_unit_test(test_spi_cut_through),
        cmocka_unit_test(test_i2c_streams),      cmocka_unit_test(test_spi_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
