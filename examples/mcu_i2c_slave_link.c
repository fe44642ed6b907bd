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
 * or reads. Receiving arms the peripheral to receive and waits; sending
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
    /* A packet the core hands over in pieces (magic, payload, CRC) is one
     * I2C transfer, as the master sizes it: the pieces meet here. */
    uint8_t *stage;
    size_t stage_size;
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

/* One transfer of `count` pieces: straight into or out of a single piece,
 * else through the stage buffer. */
static omv_rpc_status slave_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    mcu_i2c_slave *s = ctx;
    size_t total = 0;
    (void)xfer;
    if (count == 1) {
        return slave_get_bytes(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    if (total > s->stage_size) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    omv_rpc_status st = slave_get_bytes(ctx, s->stage, total, timeout_ms);
    for (size_t i = 0, off = 0; st == OMV_RPC_OK && i < count; off += iov[i++].len) {
        memcpy(iov[i].base, s->stage + off, iov[i].len);
    }
    return st;
}

static omv_rpc_status slave_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                 uint32_t timeout_ms, uint32_t xfer)
{
    mcu_i2c_slave *s = ctx;
    size_t total = 0;
    (void)xfer;
    if (count == 1) {
        return slave_put_bytes(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    for (size_t i = 0; i < count; i++) {
        if (total + iov[i].len > s->stage_size) {
            return OMV_RPC_ERR_TOO_LARGE;
        }
        memcpy(s->stage + total, iov[i].base, iov[i].len);
        total += iov[i].len;
    }
    return slave_put_bytes(ctx, s->stage, total, timeout_ms);
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
    .size = sizeof(omv_rpc_link_ops),
    .recv = slave_recv,
    .send = slave_send,
    .flush = slave_flush,
    .now_ms = slave_now_ms,
    /* No close: nothing allocated. */
};

/* Fill `link` for the slave at `address`, packets staged in `stage`
 * (payload limit + 4 bytes); `state` and `stage` must outlive the link. */
void mcu_i2c_slave_link_init(omv_rpc_link *link, mcu_i2c_slave *state, uint8_t address,
                             uint8_t *stage, size_t stage_size);
void mcu_i2c_slave_link_init(omv_rpc_link *link, mcu_i2c_slave *state, uint8_t address,
                             uint8_t *stage, size_t stage_size)
{
    state->address = address;
    state->stage = stage;
    state->stage_size = stage_size;
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
static uint8_t stage_buffer[1024 + 4];
static mcu_i2c_slave i2c_state;

/* Serve calls from the master at I2C address 0x12 until the link breaks. */
omv_rpc_status mcu_rpc_serve_forever(void);
omv_rpc_status mcu_rpc_serve_forever(void)
{
    omv_rpc_link link;
    mcu_i2c_slave_link_init(&link, &i2c_state, 0x12, stage_buffer, sizeof stage_buffer);

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
