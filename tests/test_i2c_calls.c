/* Calls, cut-through and streams over the I2C and SPI master links, with a
 * real slave (the core) on a thread behind the simulated bus, answering as
 * a camera's I2C / SPI slave does. */
#include <stdlib.h>
#include <string.h>

#include "test_i2c_spi_sim.h"
#include "test_support.h"

enum { I2C, SPI };

typedef struct fixture {
    sim_bus *bus;
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    ts_slave_thread thread;
} fixture;

static const omv_rpc_log test_log = {ts_log, NULL};

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
    omv_rpc_config config = {0};
    config.log = test_log;
    assert_int_equal(omv_rpc_master_new(&f->master, &a, &config), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&f->slave, &b, &config), OMV_RPC_OK);
    ts_register_standard_callbacks(f->slave);
}

static void teardown(fixture *f)
{
    assert_int_equal(ts_slave_thread_stop(&f->thread), OMV_RPC_ERR_STOPPED);
    omv_rpc_master_free(f->master);
    omv_rpc_slave_free(f->slave);
    sim_bus_free(f->bus);
}

static void echo_sizes(int kind, sim_idle idle)
{
    /* 70000 and 100 KiB span two and more 65535-byte chunks. */
    static const size_t sizes[] = {0, 1, 2, 7, 100, 1000, 70000, 100 * 1024};
    fixture f;
    setup(&f, kind, idle);
    ts_slave_thread_start(&f.thread, f.slave);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *arg = malloc(sizes[i] + 1);
        ts_fill_random(arg, sizes[i], (uint32_t)i + 5);
        const uint8_t *result = NULL;
        size_t len = 0;
        assert_int_equal(omv_rpc_master_call(f.master, "echo", arg, sizes[i], &result, &len, 2000,
                                             2000),
                         OMV_RPC_OK);
        assert_int_equal(len, sizes[i]);
        if (len) {
            assert_memory_equal(result, arg, len);
        }
        free(arg);
    }
    uint32_t n = 3000;
    const uint8_t *result;
    size_t len;
    assert_int_equal(omv_rpc_master_call(f.master, "pattern", &n, 4, &result, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, n);
    uint8_t want[3000];
    ts_pattern(want, sizeof want);
    assert_memory_equal(result, want, n);
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
static void send_raw(omv_rpc_slave *s, void *user)
{
    (void)user;
    uint8_t raw[1000];
    ts_pattern(raw, sizeof raw);
    omv_rpc_put_bytes(omv_rpc_slave_link(s), raw, sizeof raw, 1000);
}

static void cb_raw(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, send_raw, user);
}

static void cut_through(int kind, sim_idle idle)
{
    fixture f;
    setup(&f, kind, idle);
    assert_int_equal(omv_rpc_slave_register_callback(f.slave, "raw", cb_raw, NULL), OMV_RPC_OK);
    ts_slave_thread_start(&f.thread, f.slave);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(omv_rpc_master_call(f.master, "raw", NULL, 0, NULL, NULL, 1000, 1000),
                         OMV_RPC_OK);
        uint8_t got[1000], want[1000];
        ts_pattern(want, sizeof want);
        assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(f.master), got, sizeof got, 1000),
                         OMV_RPC_OK);
        assert_memory_equal(got, want, sizeof got);
    }
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
typedef struct stream_job {
    uint32_t count, done;
    uint8_t frame[600];
    int bad;
    omv_rpc_status result;
} stream_job;

typedef struct slave_jobs {
    stream_job writes, reads;
} slave_jobs;

static size_t frame_size(uint32_t i)
{
    return 6 + (i * 53) % 590; /* never all-equal bytes: see i2c.h */
}

static int write_frame(void *user, const uint8_t **frame, size_t *len)
{
    stream_job *j = user;
    if (j->done == j->count) {
        return 1;
    }
    *len = frame_size(j->done);
    memcpy(j->frame, &j->done, 4);
    for (size_t i = 4; i < *len; i++) {
        j->frame[i] = (uint8_t)(i * 31 + j->done);
    }
    *frame = j->frame;
    j->done++;
    return 0;
}

static int read_frame(void *user, const uint8_t *frame, size_t len)
{
    stream_job *j = user;
    uint32_t index;
    memcpy(&index, frame, 4);
    int ok = len == frame_size(j->done) && index == j->done;
    for (size_t i = 4; ok && i < len; i++) {
        ok = frame[i] == (uint8_t)(i * 31 + j->done);
    }
    j->bad |= !ok;
    j->done++;
    return !ok || j->done == j->count;
}

static void slave_writes(omv_rpc_slave *s, void *user)
{
    stream_job *j = &((slave_jobs *)user)->writes;
    j->result = omv_rpc_slave_stream_writer(s, write_frame, j, 1000);
}

static void slave_reads(omv_rpc_slave *s, void *user)
{
    stream_job *j = &((slave_jobs *)user)->reads;
    j->result = omv_rpc_slave_stream_reader(s, read_frame, j, 8, 1000);
}

static void cb_schedule(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)len;
    omv_rpc_slave_schedule_callback(s, arg[0] ? slave_reads : slave_writes, user);
}

static void streams(int kind, sim_idle idle)
{
    fixture f;
    setup(&f, kind, idle);
    slave_jobs jobs;
    memset(&jobs, 0, sizeof jobs);
    jobs.writes.count = 0xFFFFFFFFu;
    jobs.reads.count = 15;
    assert_int_equal(omv_rpc_slave_register_callback(f.slave, "stream", cb_schedule, &jobs),
                     OMV_RPC_OK);
    ts_slave_thread_start(&f.thread, f.slave);

    uint8_t which = 0;
    assert_int_equal(omv_rpc_master_call(f.master, "stream", &which, 1, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    stream_job reader = {20, 0, {0}, 0, OMV_RPC_OK};
    assert_int_equal(omv_rpc_master_stream_reader(f.master, read_frame, &reader, 8, 1000),
                     OMV_RPC_OK);
    assert_int_equal(reader.done, 20);
    assert_false(reader.bad);

    which = 1;
    assert_int_equal(omv_rpc_master_call(f.master, "stream", &which, 1, NULL, NULL, 2000, 2000),
                     OMV_RPC_OK);
    stream_job writer = {0xFFFFFFFFu, 0, {0}, 0, OMV_RPC_OK};
    omv_rpc_status st = omv_rpc_master_stream_writer(f.master, write_frame, &writer, 1000);
    /* The reader is gone: I2C reads are not acknowledged until the
     * timeout; SPI reads the idle byte, a wrong ack. */
    assert_int_equal(st, kind == I2C ? OMV_RPC_ERR_NOT_READY : OMV_RPC_ERR_STREAM_ENDED);
    teardown(&f);
    /* Depth 1: the writer waited for every ack, so it sent no frame past
     * the 21st (20 read, the reader's end, one more at most). */
    assert_in_range(jobs.writes.done, 20, 21);
    assert_int_equal(jobs.reads.result, OMV_RPC_OK);
    assert_int_equal(jobs.reads.done, 15);
    assert_false(jobs.reads.bad);
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
        cmocka_unit_test(test_i2c_echo_nack),   cmocka_unit_test(test_i2c_echo_idle_ff),
        cmocka_unit_test(test_spi_echo_idle_00), cmocka_unit_test(test_spi_echo_idle_ff),
        cmocka_unit_test(test_i2c_cut_through), cmocka_unit_test(test_spi_cut_through),
        cmocka_unit_test(test_i2c_streams),     cmocka_unit_test(test_spi_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
