/* I2C and SPI master links: a slave that is not ready (none, late, wrong
 * address), the all-equal rule, a broken bus, bad arguments, pacing, and
 * the error paths of the real i2c-dev and spidev backends. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call_checks.h"
#include "bus/bus_internal.h"
#include "log_capture.h"
#include "rig.h"
#include "test_i2c_spi_sim.h"
#include "test_support.h"

/* No slave answers: reads fail NOT_READY after polling, calls time out. */
static void no_slave(int spi, sim_idle idle)
{
    sim_bus *bus = sim_bus_new(0x12, idle);
    omv_rpc_link l;
    if (spi) {
        assert_int_equal(sim_spi_master_open(bus, &l, NULL), OMV_RPC_OK);
    } else {
        assert_int_equal(sim_i2c_master_open(bus, &l, 0x12, NULL), OMV_RPC_OK);
    }
    uint8_t buf[16];
    assert_int_equal(omv_rpc_get_bytes(&l, buf, sizeof buf, 30), OMV_RPC_ERR_NOT_READY);
    assert_true(sim_not_ready(bus) >= 1);
    /* A lone byte has nothing to compare with: idle bytes pass (OpenMV
     * does the same), a missing acknowledge does not. */
    omv_rpc_status one = omv_rpc_get_bytes(&l, buf, 1, 5);
    assert_int_equal(one, (!spi && idle == SIM_IDLE_NACK) ? OMV_RPC_ERR_NOT_READY : OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &l, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_call(m, "echo", "abc", 3, NULL, NULL, 100, 100),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    assert_true(omv_rpc_master_retries(m) > 0);
    omv_rpc_master_free(m);
    sim_bus_free(bus);
}

static void test_no_slave(void **state)
{
    (void)state;
    no_slave(0, SIM_IDLE_NACK);
    no_slave(0, SIM_IDLE_FF);
    no_slave(1, SIM_IDLE_00);
    no_slave(1, SIM_IDLE_FF);
}

/* The master addresses 0x13; the slave answers at 0x12. */
static void test_wrong_address(void **state)
{
    (void)state;
    sim_bus *bus = sim_bus_new(0x12, SIM_IDLE_FF);
    omv_rpc_link a, b;
    assert_int_equal(sim_i2c_master_open(bus, &a, 0x13, NULL), OMV_RPC_OK);
    sim_slave_open(bus, &b);
    ts_rig r;
    ts_rig_open(&r, &a, NULL, &b, NULL);
    ts_slave_thread_start(&r.thread, r.slave);
    assert_int_equal(omv_rpc_master_call(r.master, "echo", "abc", 3, NULL, NULL, 100, 100),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    assert_int_equal(omv_rpc_slave_calls_served(r.slave), 0);
    assert_int_equal(ts_slave_thread_stop(&r.thread), OMV_RPC_ERR_STOPPED);
    ts_rig_close(&r);
    sim_bus_free(bus);
}

/* A slave that starts serving late: the master keeps polling and the call
 * succeeds within its timeout. */
typedef struct late {
    omv_rpc_slave *slave;
    omv_rpc_status result;
} late;

static void *late_slave(void *arg)
{
    late *l = arg;
    omv_rpc_sleep_ms(150);
    l->result = omv_rpc_slave_loop_once(l->slave, 2000, 2000);
    return NULL;
}

static void test_late_slave(void **state)
{
    (void)state;
    for (int spi = 0; spi < 2; spi++) {
        sim_bus *bus = sim_bus_new(0x12, spi ? SIM_IDLE_00 : SIM_IDLE_NACK);
        omv_rpc_link a, b;
        if (spi) {
            assert_int_equal(sim_spi_master_open(bus, &a, NULL), OMV_RPC_OK);
        } else {
            assert_int_equal(sim_i2c_master_open(bus, &a, 0x12, NULL), OMV_RPC_OK);
        }
        sim_slave_open(bus, &b);
        late l = {NULL, OMV_RPC_OK};
        omv_rpc_master *m;
        assert_int_equal(omv_rpc_master_new(&m, &a, NULL), OMV_RPC_OK);
        assert_int_equal(omv_rpc_slave_new(&l.slave, &b, NULL), OMV_RPC_OK);
        ts_register_standard_callbacks(l.slave);
        ts_thread t;
        ts_thread_start(&t, late_slave, &l);
        ts_check_echo(m, "late", 4, 3000, 3000);
        assert_true(omv_rpc_master_retries(m) > 0);
        ts_thread_join(&t);
        assert_int_equal(l.result, OMV_RPC_OK);
        omv_rpc_master_free(m);
        omv_rpc_slave_free(l.slave);
        sim_bus_free(bus);
    }
}

/* A bus that breaks: the call ends at once with the link error. */
static omv_rpc_status broken_read(void *ctx, uint16_t address, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)address;
    (void)buf;
    (void)len;
    return OMV_RPC_ERR_LINK;
}

static omv_rpc_status broken_write(void *ctx, uint16_t address, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)address;
    (void)buf;
    (void)len;
    return OMV_RPC_ERR_LINK;
}

static int closed_count;

static void count_close(void *ctx)
{
    (void)ctx;
    closed_count++;
}

static const omv_rpc_i2c_bus_ops broken_ops = {broken_read, broken_write, count_close};

static void test_broken_bus_and_bad_arguments(void **state)
{
    (void)state;
    closed_count = 0;
    omv_rpc_link l;
    assert_int_equal(omv_rpc_i2c_master_open_bus(&l, &broken_ops, NULL, 0x12, 0, NULL), OMV_RPC_OK);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &l, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_call(m, "echo", "x", 1, NULL, NULL, 1000, 1000),
                     OMV_RPC_ERR_LINK);
    omv_rpc_master_free(m);
    assert_int_equal(closed_count, 1);

    /* Bad addresses are refused and the bus is closed at once. */
    ts_log_capture c = {""};
    omv_rpc_log log = {ts_capture, &c};
    assert_int_equal(omv_rpc_i2c_master_open_bus(&l, &broken_ops, NULL, 0x80, 0, &log),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_non_null(strstr(c.text, "0x80 is not a 7-bit slave address"));
    assert_int_equal(omv_rpc_i2c_master_open_bus(&l, &broken_ops, NULL, 0x07, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(closed_count, 3);
    omv_rpc_i2c_bus_ops half = {broken_read, NULL, NULL};
    assert_int_equal(omv_rpc_i2c_master_open_bus(&l, &half, NULL, 0x12, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_spi_bus_ops none = {NULL, NULL};
    assert_int_equal(omv_rpc_spi_master_open_bus(&l, &none, NULL, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_spi_master_new(&m, "/dev/spidev0.0", 0, 2, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_spi_master_open(&l, "/dev/spidev0.0", 4, 0, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_i2c_master_open(&l, NULL, 0x12, 0, NULL), OMV_RPC_ERR_INVALID_ARG);
}

/* Waits cover the bytes at the bus clock plus guard and latency. */
static void test_pacing(void **state)
{
    (void)state;
    omv_rpc_link l;
    assert_int_equal(omv_rpc_i2c_master_open_bus(&l, &broken_ops, NULL, 0x12, 100000, NULL),
                     OMV_RPC_OK);
    /* 1000 bytes x 9 bits at 100 kHz = 90 ms. */
    assert_in_range(l.ops->transfer_ms(l.ctx, 1000), 90, 95);
    assert_in_range(l.ops->transfer_ms(l.ctx, 0), 0, 1);
    omv_rpc_link_close(&l);
    sim_bus *bus = sim_bus_new(0x12, SIM_IDLE_00);
    assert_int_equal(sim_spi_master_open(bus, &l, NULL), OMV_RPC_OK);
    /* 100 KiB x 8 bits at 4 MHz = 205 ms, two chunks. */
    assert_in_range(l.ops->transfer_ms(l.ctx, 100 * 1024), 205, 215);
    omv_rpc_link_close(&l);
    sim_bus_free(bus);
}

/* The real backends on a machine without these devices. */
static void test_real_backends_missing(void **state)
{
    (void)state;
    ts_log_capture c = {""};
    omv_rpc_log log = {ts_capture, &c};
    omv_rpc_link l;
    assert_int_equal(omv_rpc_i2c_master_open(&l, "/dev/i2c-99", 0x12, 0, &log),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "cannot open /dev/i2c-99"));
    c.text[0] = 0;
    assert_int_equal(omv_rpc_i2c_master_open(&l, "/dev/null", 0x12, 0, &log),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "/dev/null is not an I2C adapter"));
    assert_int_equal(omv_rpc_spi_master_open(&l, "/dev/spidev9.9", 2, 0, NULL),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    c.text[0] = 0;
    assert_int_equal(omv_rpc_spi_master_open(&l, "/dev/null", 2, 0, &log),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_non_null(strstr(c.text, "/dev/null is not an spidev device"));
    omv_rpc_master *m = NULL;
    assert_int_equal(omv_rpc_i2c_master_new(&m, "/dev/i2c-99", 0x12, 100000, NULL),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_int_equal(omv_rpc_spi_master_new(&m, "/dev/spidev9.9", 1000000, 1, 0, NULL),
                     OMV_RPC_ERR_NO_SUCH_PORT);
    assert_null(m);
    /* errno mapping for transfers and opening. */
    static const ts_errno_case transfer[] = {
        {EREMOTEIO, OMV_RPC_ERR_NOT_READY},
        {ENXIO, OMV_RPC_ERR_NOT_READY},
        {EMSGSIZE, OMV_RPC_ERR_TOO_LARGE},
        {ENODEV, OMV_RPC_ERR_LINK},
    };
    static const ts_errno_case opening[] = {
        {EACCES, OMV_RPC_ERR_PERMISSION},
        {EBUSY, OMV_RPC_ERR_BUSY},
        {ENOENT, OMV_RPC_ERR_NO_SUCH_PORT},
    };
    ts_check_errno_map(omvrpc_bus_transfer_status, transfer, sizeof transfer / sizeof transfer[0]);
    ts_check_errno_map(omvrpc_bus_open_status, opening, sizeof opening / sizeof opening[0]);
}

static void test_all_equal_rule(void **state)
{
    (void)state;
    const uint8_t ff[4] = {0xFF, 0xFF, 0xFF, 0xFF}, mixed[4] = {0xFF, 0xFF, 0xFF, 0xFE};
    assert_true(omvrpc_bus_all_equal(ff, 4));
    assert_true(omvrpc_bus_all_equal(ff, 2));
    assert_false(omvrpc_bus_all_equal(ff, 1));
    assert_false(omvrpc_bus_all_equal(ff, 0));
    assert_false(omvrpc_bus_all_equal(mixed, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_slave),       cmocka_unit_test(test_wrong_address),
        cmocka_unit_test(test_late_slave),     cmocka_unit_test(test_broken_bus_and_bad_arguments),
        cmocka_unit_test(test_pacing),         cmocka_unit_test(test_real_backends_missing),
        cmocka_unit_test(test_all_equal_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
