/* Calls, cut-through and streams over CAN: the in-process bus, and Kvaser
 * CANlib (the stand-in library, loaded through the link's run-time
 * loading path). Echo sizes cover empty, under, at and over one frame,
 * and 100 KiB (12800 frames). */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "canlib_standin.h"
#include "omv_rpc/can.h"
#include "test_support.h"

enum { MEM, KVASER };

typedef struct fixture {
    omv_rpc_can_mem_bus *bus;
    void *standin; /* our own reference: keeps its state alive */
    omv_rpc_master *master;
    omv_rpc_slave *slave;
    ts_slave_thread thread;
} fixture;

static const omv_rpc_log test_log = {ts_log, NULL};

/* Two CAN links on one bus, ID 0x7FF, 1 Mbit/s pacing. */
static void open_links(fixture *f, int kind, omv_rpc_link *a, omv_rpc_link *b)
{
    if (kind == MEM) {
        assert_int_equal(omv_rpc_can_mem_bus_new(&f->bus, 0), OMV_RPC_OK);
        assert_int_equal(omv_rpc_can_mem_open(a, f->bus, 0x7FF, 1000000, &test_log), OMV_RPC_OK);
        assert_int_equal(omv_rpc_can_mem_open(b, f->bus, 0x7FF, 1000000, &test_log), OMV_RPC_OK);
        return;
    }
    f->standin = dlopen(CANLIB_STANDIN_PATH, RTLD_NOW);
    assert_non_null(f->standin);
    standin_reset_fn reset = (standin_reset_fn)(uintptr_t)dlsym(f->standin, "standin_reset");
    assert_non_null(reset);
    reset();
    assert_int_equal(omv_rpc_kvaser_can_open(a, 1, 0x7FF, 1000000, 75, CANLIB_STANDIN_PATH,
                                             &test_log),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_kvaser_can_open(b, 1, 0x7FF, 1000000, 75, CANLIB_STANDIN_PATH,
                                             &test_log),
                     OMV_RPC_OK);
}

static void setup(fixture *f, int kind, int serve)
{
    memset(f, 0, sizeof *f);
    omv_rpc_link a, b;
    open_links(f, kind, &a, &b);
    omv_rpc_config config = {0};
    config.log = test_log;
    assert_int_equal(omv_rpc_master_new(&f->master, &a, &config), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&f->slave, &b, &config), OMV_RPC_OK);
    ts_register_standard_callbacks(f->slave);
    if (serve) {
        ts_slave_thread_start(&f->thread, f->slave);
    }
}

static void teardown(fixture *f, int served)
{
    if (served) {
        assert_int_equal(ts_slave_thread_stop(&f->thread), OMV_RPC_ERR_STOPPED);
    }
    omv_rpc_master_free(f->master);
    omv_rpc_slave_free(f->slave);
    omv_rpc_can_mem_bus_free(f->bus);
    if (f->standin) {
        standin_open_handles_fn open_handles =
            (standin_open_handles_fn)(uintptr_t)dlsym(f->standin, "standin_open_handles");
        assert_int_equal(open_handles(), 0); /* every channel was closed */
        dlclose(f->standin);
    }
}

static void echo_sizes(int kind)
{
    static const size_t sizes[] = {0, 1, 7, 8, 9, 16, 17, 1000, 100 * 1024};
    fixture f;
    setup(&f, kind, 1);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *arg = malloc(sizes[i] + 1);
        ts_fill_random(arg, sizes[i], (uint32_t)i + 1);
        const uint8_t *result = NULL;
        size_t len = 0;
        assert_int_equal(omv_rpc_master_call(f.master, "echo", arg, sizes[i], &result, &len, 1000,
                                             1000),
                         OMV_RPC_OK);
        assert_int_equal(len, sizes[i]);
        if (len) {
            assert_memory_equal(result, arg, len);
        }
        free(arg);
    }
    assert_int_equal(omv_rpc_master_call(f.master, "no such function", "x", 1, NULL, NULL, 1000,
                                         1000),
                     OMV_RPC_OK);
    teardown(&f, 1);
}

static void test_echo_mem(void **state)
{
    (void)state;
    echo_sizes(MEM);
}

static void test_echo_kvaser(void **state)
{
    (void)state;
    echo_sizes(KVASER);
}

/* Cut-through: the slave's scheduled callback writes 1000 raw bytes, the
 * master reads them right after the call. */
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

static void cut_through(int kind)
{
    fixture f;
    setup(&f, kind, 0);
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
    teardown(&f, 1);
}

static void test_cut_through_mem(void **state)
{
    (void)state;
    cut_through(MEM);
}

static void test_cut_through_kvaser(void **state)
{
    (void)state;
    cut_through(KVASER);
}

/* Streams: frame i holds i then bytes that depend on it; sizes vary. */
typedef struct stream_job {
    uint32_t count, done;
    uint8_t frame[300];
    int bad;
    omv_rpc_status result;
} stream_job;

static size_t frame_size(uint32_t i)
{
    return 4 + (i * 37) % 290;
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

typedef struct slave_jobs {
    stream_job writes, reads;
} slave_jobs;

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

static void streams(int kind)
{
    fixture f;
    setup(&f, kind, 0);
    slave_jobs jobs;
    memset(&jobs, 0, sizeof jobs);
    jobs.writes.count = 0xFFFFFFFFu;
    jobs.reads.count = 30;
    assert_int_equal(omv_rpc_slave_register_callback(f.slave, "stream", cb_schedule, &jobs),
                     OMV_RPC_OK);
    ts_slave_thread_start(&f.thread, f.slave);

    /* Master reads 40 frames, then ends the stream. */
    uint8_t which = 0;
    assert_int_equal(omv_rpc_master_call(f.master, "stream", &which, 1, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    stream_job reader = {40, 0, {0}, 0, OMV_RPC_OK};
    assert_int_equal(omv_rpc_master_stream_reader(f.master, read_frame, &reader, 4, 1000),
                     OMV_RPC_OK);
    assert_int_equal(reader.done, 40);
    assert_false(reader.bad);

    /* Master writes until the slave's reader has 30 frames. The slave
     * ends it; the writer then times out waiting for an ack. */
    which = 1;
    assert_int_equal(omv_rpc_master_call(f.master, "stream", &which, 1, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    stream_job writer = {0xFFFFFFFFu, 0, {0}, 0, OMV_RPC_OK};
    assert_int_equal(omv_rpc_master_stream_writer(f.master, write_frame, &writer, 1000),
                     OMV_RPC_ERR_TIMEOUT);
    teardown(&f, 1);
    assert_int_equal(jobs.reads.result, OMV_RPC_OK);
    assert_int_equal(jobs.reads.done, 30);
    assert_false(jobs.reads.bad);
    assert_true(jobs.writes.done >= 40);
}

static void test_streams_mem(void **state)
{
    (void)state;
    streams(MEM);
}

static void test_streams_kvaser(void **state)
{
    (void)state;
    streams(KVASER);
}

/* Several nodes: a third node on the bus hears the master's frames. */
static void test_third_node_hears(void **state)
{
    (void)state;
    omv_rpc_can_mem_bus *bus;
    omv_rpc_link a, b, c;
    assert_int_equal(omv_rpc_can_mem_bus_new(&bus, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_can_mem_open(&a, bus, 0x12, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_can_mem_open(&b, bus, 0x12, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_can_mem_open(&c, bus, 0x12, 0, NULL), OMV_RPC_OK);
    omv_rpc_can_mem_bus_free(bus); /* the nodes keep it alive */
    const uint8_t msg[11] = "hello, can";
    uint8_t got_b[11], got_c[11], none[1];
    assert_int_equal(a.ops->put_bytes(a.ctx, msg, sizeof msg, 100), OMV_RPC_OK);
    assert_int_equal(b.ops->get_bytes(b.ctx, got_b, sizeof got_b, 100), OMV_RPC_OK);
    assert_int_equal(c.ops->get_bytes(c.ctx, got_c, sizeof got_c, 100), OMV_RPC_OK);
    assert_memory_equal(got_b, msg, sizeof msg);
    assert_memory_equal(got_c, msg, sizeof msg);
    /* The sender never hears itself. */
    assert_int_equal(a.ops->get_bytes(a.ctx, none, 1, 20), OMV_RPC_ERR_TIMEOUT);
    omv_rpc_link_close(&a);
    omv_rpc_link_close(&b);
    omv_rpc_link_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_mem),          cmocka_unit_test(test_echo_kvaser),
        cmocka_unit_test(test_cut_through_mem),   cmocka_unit_test(test_cut_through_kvaser),
        cmocka_unit_test(test_streams_mem),       cmocka_unit_test(test_streams_kvaser),
        cmocka_unit_test(test_third_node_hears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
