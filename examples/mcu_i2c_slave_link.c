/*
 * Example: an I2C slave link for a microcontroller, so that a Raspberry Pi,
 * a Jetson (omv_rpc_i2c_master_open) or an OpenMV Cam (rpc_i2c_master) can
 * call functions on it.
 *
 * The core (rpc.h) makes no OS calls and needs no malloc: it only needs a
 * link table (link.h). This file is that table for an I2C peripheral in
 * slave mode, written against three functions your board support code
 * provides (marked BOARD HAL below: wrap your vendor's HAL, e.g. STM32
 * HAL_I2C_Slave_Receive / HAL_I2C_Slave_Transmit and HAL_GetTick).
 *
 * How an I2C slave takes part (docs/protocol.md section 4): the master clocks
 * every byte, so the slave can only "get" or "put" while the master writes
 * or reads. get_bytes arms the peripheral to receive and waits; put_bytes
 * arms it to transmit and waits for the master to read. While nothing is
 * armed the peripheral must not acknowledge its address (or must answer
 * all-equal bytes such as 0xFF): the master reads that as "not ready" and
 * polls again. Transfers are cut into chunks of at most 65535 bytes, one
 * I2C transaction each, as the master cuts them. Streams run with queue
 * depth 1.
 *
 * Build: compile this file and the core (every .c file in core/) into your firmware,
 * define OMV_RPC_NO_MALLOC if you have no heap, and call
 * mcu_rpc_serve_forever() from your main loop or an RTOS task.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "omv_rpc/link.h"
#include "omv_rpc/rpc.h"

/* ------------------------------------------------------------ BOARD HAL */

/* Arm the I2C peripheral as a slave at `address` (7-bit) to receive
 * exactly `len` bytes from the master, and wait up to `timeout_ms`.
 * Return 0 when all `len` bytes arrived, 1 on timeout, -1 on a bus error
 * (e.g. the master stopped early). Disarm before returning, so that the
 * address is not acknowledged until the next call. */
extern int board_i2c_slave_receive(uint8_t address, uint8_t *buf, uint16_t len,
                                   uint32_t timeout_ms);

/* Same, transmitting `len` bytes when the master reads. */
extern int board_i2c_slave_transmit(uint8_t address, const uint8_t *buf, uint16_t len,
                                    uint32_t timeout_ms);

/* Milliseconds since boot (wrapping at 2^32 is fine). */
extern uint32_t board_millis(void);

/* ----------------------------------------------------------- link table */

#define I2C_MAX_CHUNK 65535u

typedef struct mcu_i2c_slave {
    uint8_t address;
} mcu_i2c_slave;

static omv_rpc_status status_of(int r)
{
    return r == 0 ? OMV_RPC_OK : r > 0 ? OMV_RPC_ERR_TIMEOUT : OMV_RPC_ERR_BAD_PACKET;
}

/* A chunk's timeout is what is left of the transfer's. */
static uint32_t left_of(uint32_t start, uint32_t timeout_ms)
{
    uint32_t spent = board_millis() - start;
    return spent >= timeout_ms ? 0u : timeout_ms - spent;
}

static omv_rpc_status slave_get_bytes(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    const mcu_i2c_slave *s = ctx;
    const uint32_t start = board_millis();
    for (size_t off = 0; off < len;) {
        uint16_t n = (uint16_t)(len - off < I2C_MAX_CHUNK ? len - off : I2C_MAX_CHUNK);
        omv_rpc_status st = status_of(
            board_i2c_slave_receive(s->address, buf + off, n, left_of(start, timeout_ms)));
        if (st != OMV_RPC_OK) {
            return st; /* the core starts its attempt over */
        }
        off += n;
    }
    return OMV_RPC_OK;
}

static omv_rpc_status slave_put_bytes(void *ctx, const uint8_t *buf, size_t len,
                                      uint32_t timeout_ms)
{
    const mcu_i2c_slave *s = ctx;
    const uint32_t start = board_millis();
    for (size_t off = 0; off < len;) {
        uint16_t n = (uint16_t)(len - off < I2C_MAX_CHUNK ? len - off : I2C_MAX_CHUNK);
        omv_rpc_status st = status_of(
            board_i2c_slave_transmit(s->address, buf + off, n, left_of(start, timeout_ms)));
        if (st != OMV_RPC_OK) {
            return st;
        }
        off += n;
    }
    return OMV_RPC_OK;
}

/* An I2C slave queues nothing between transactions: nothing to drop. */
static void slave_flush(void *ctx)
{
    (void)ctx;
}

static uint32_t slave_now_ms(void *ctx)
{
    (void)ctx;
    return board_millis();
}

static const omv_rpc_link_ops mcu_i2c_slave_ops = {
    .get_bytes = slave_get_bytes,
    .put_bytes = slave_put_bytes,
    .flush = slave_flush,
    .now_ms = slave_now_ms,
    /* No close (nothing allocated), no scatter-gather: the core then
     * assembles each packet in config.tx_buffer and makes one transfer. */
};

/* Fill `link` for the slave at `address`; `state` must outlive the link. */
void mcu_i2c_slave_link_init(omv_rpc_link *link, mcu_i2c_slave *state, uint8_t address);
void mcu_i2c_slave_link_init(omv_rpc_link *link, mcu_i2c_slave *state, uint8_t address)
{
    state->address = address;
    memset(link, 0, sizeof *link);
    link->ops = &mcu_i2c_slave_ops;
    link->ctx = state;
    link->stream_queue_depth_max = 1; /* I2C: one stream frame in flight */
    /* flags stay 0: one transaction per packet, never a byte stream. */
}

/* -------------------------------------------------- serving calls, no heap */

/* A remote function: returns the sum of the argument's bytes (u32). */
static void sum_bytes(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += arg[i];
    }
    uint8_t out[4] = {(uint8_t)sum, (uint8_t)(sum >> 8), (uint8_t)(sum >> 16),
                      (uint8_t)(sum >> 24)};
    omv_rpc_slave_reply_copy(slave, out, sizeof out);
}

/* Everything in static storage: arguments and results up to 1 KiB. */
static void *slave_storage[OMV_RPC_SLAVE_STORAGE_SIZE / sizeof(void *) + 1];
static uint8_t rx_buffer[1024];
static uint8_t tx_buffer[1024 + 4];
static mcu_i2c_slave i2c_state;

/* Serve calls from the master at I2C address 0x12 until the link breaks. */
omv_rpc_status mcu_rpc_serve_forever(void);
omv_rpc_status mcu_rpc_serve_forever(void)
{
    omv_rpc_link link;
    mcu_i2c_slave_link_init(&link, &i2c_state, 0x12);

    omv_rpc_config config;
    memset(&config, 0, sizeof config);
    config.max_payload = sizeof rx_buffer;
    config.buffer = rx_buffer;
    config.buffer_size = sizeof rx_buffer;
    config.tx_buffer = tx_buffer;
    config.tx_buffer_size = sizeof tx_buffer;

    omv_rpc_slave *slave;
    omv_rpc_status st =
        omv_rpc_slave_init(&slave, slave_storage, sizeof slave_storage, &link, &config);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_slave_register_callback(slave, "sum_bytes", sum_bytes, NULL);
    /* OpenMV's defaults: wait up to 1000 ms for a call, 1000 ms to answer. */
    return omv_rpc_slave_loop(slave, 1000, 1000);
}
