/* Calls, cut-through and streams over CAN: the in-process bus, and Kvaser
 * CANlib (the stand-in library, loaded through the link's run-time
 * loading path). Echo sizes cover empty, under, at and over one frame,
 * and 100 KiB (12800 frames). */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "call_checks.h"
#include "canlib_standin.h"
#include "omv_rpc/can.h"
#include "rig.h"
#include "stream_jobs.h"
#include "test_support.h"

enum { MEM, KVASER };

typedef struct fixture {
    omv_rpc_can_mem_bus *bus;
    void *standin; /* our own reference: keeps its state alive */
    ts_rig rig;
} fixture;

static const omv_rpc_log test_log = {ts_log, NULL};

/* Two CAN links on one bus, ID 0x7FF, 1 Mbit/s pacing. */
static void open_links(fixture *f, int kind, omv_rpc_link *a, omv_rpc_link *b)
{
    if (kind == MEM) {
        assert_int_equal(omv_rpc_can_mem_bus_new(&f->bus, 0), OMV_RPC_OK);
        assert_int_equal(omv_rpc_can_open_mem(a, f->bus, 0x7FF, 1000000, &test_log), OMV_RPC_OK);
        assert_int_equal(omv_rpc_can_open_mem(b, f->bus, 0x7FF, 1000000, &test_log), OMV_RPC_OK);
        return;
    }
    f->standin = dlopen(CANLIB_STANDIN_PATH, RTLD_NOW);
    assert_non_null(f->standin);
    standin_reset_fn reset = (standin_reset_fn)(uintptr_t)dlsym(f->standin, "standin_reset");
    assert_non_null(reset);
    reset();
    assert_int_equal(
        omv_rpc_can_open_kvaser(a, 1, 0x7FF, 1000000, 75, CANLIB_STANDIN_PATH, &test_log),
        OMV_RPC_OK);
    assert_int_equal(
        omv_rpc_can_open_kvaser(b, 1, 0x7FF, 1000000, 75, CANLIB_STANDIN_PATH, &test_log),
        OMV_RPC_OK);
}

/* The slave does not serve yet: a test registers its callbacks first. */
static void setup(fixture *f, int kind)
{
    memset(f, 0, sizeof *f);
    omv_rpc_link a, b;
    open_links(f, kind, &a, &b);
    omv_rpc_config config = ts_logged_config();
    ts_rig_open(&f->rig, &a, &config, &b, &config);
}

static void teardown(fixture *f)
{
    assert_int_equal(ts_slave_thread_stop(&f->rig.thread), OMV_RPC_ERR_STOPPED);
    ts_rig_close(&f->rig);
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
    setup(&f, kind);
    ts_slave_thread_start(&f.rig.thread, f.rig.slave);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ts_check_echo_random(f.rig.master, sizes[i], (uint32_t)i + 1, 1000);
    }
    ts_check_unknown_function(f.rig.master);
    teardown(&f);
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
static void cut_through(int kind)
{
    static const size_t sizes[] = {1000, 1000};
    fixture f;
    setup(&f, kind);
    ts_rig_check_cut_through(&f.rig, sizes, 2);
    teardown(&f);
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

/* Streams: frames of 4 to 293 bytes, so most span several CAN frames and
 * end in a short one. */
static size_t frame_size(uint32_t i, size_t max_size)
{
    (void)max_size;
    return 4 + (i * 37) % 290;
}

static void streams(int kind)
{
    fixture f;
    setup(&f, kind);
    ts_two_way t;
    ts_two_way_serve(&t, f.rig.slave, 40, 30, 300, frame_size);
    ts_slave_thread_start(&f.rig.thread, f.rig.slave);
    /* Master reads 40 frames, then ends the stream. */
    ts_check_download(f.rig.master, &t, 4);
    /* Master writes until the slave's reader has 30 frames. The slave
     * ends it; the writer then times out waiting for an ack. */
    assert_int_equal(ts_upload(f.rig.master, &t, 1000), OMV_RPC_ERR_TIMEOUT);
    teardown(&f);
    ts_check_reader_ended(&t.slave_reads, t.slave_reads.result);
    assert_true(t.slave_writes.done >= 40);
    ts_two_way_free(&t);
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
    assert_int_equal(omv_rpc_can_open_mem(&a, bus, 0x12, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_can_open_mem(&b, bus, 0x12, 0, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_can_open_mem(&c, bus, 0x12, 0, NULL), OMV_RPC_OK);
    omv_rpc_can_mem_bus_free(bus); /* the nodes keep it alive */
    const uint8_t msg[11] = "hello, can";
    uint8_t got_b[11], got_c[11], none[1];
    assert_int_equal(omv_rpc_link_write(&a, msg, sizeof msg, 100), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&b, got_b, sizeof got_b, 100), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&c, got_c, sizeof got_c, 100), OMV_RPC_OK);
    assert_memory_equal(got_b, msg, sizeof msg);
    assert_memory_equal(got_c, msg, sizeof msg);
    /* The sender never hears itself. */
    assert_int_equal(omv_rpc_link_read(&a, none, 1, 20), OMV_RPC_ERR_TIMEOUT);
    omv_rpc_link_close(&a);
    omv_rpc_link_close(&b);
    omv_rpc_link_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_mem),         cmocka_unit_test(test_echo_kvaser),
        cmocka_unit_test(test_cut_through_mem),  cmocka_unit_test(test_cut_through_kvaser),
        cmocka_unit_test(test_streams_mem),      cmocka_unit_test(test_streams_kvaser),
        cmocka_unit_test(test_third_node_hears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
