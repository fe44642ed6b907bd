/* The simulated I2C / SPI bus (see test_i2c_spi_sim.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flat_link.h"
#include "common/clock.h"
#include "test_i2c_spi_sim.h"
#include "omv_rpc/clock.h"

enum { ARM_NONE, ARM_RX, ARM_TX };

struct sim_bus {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int refs;
    uint16_t address;
    sim_idle idle;
    int arm;           /* what the slave waits for */
    uint8_t *rx;       /* ARM_RX: where the master's bytes go */
    const uint8_t *tx; /* ARM_TX: what the master reads */
    size_t len;
    int done;   /* the master's transaction happened */
    int short_; /* it moved fewer bytes than armed */
    uint32_t not_ready;
};

sim_bus *sim_bus_new(uint16_t address, sim_idle idle)
{
    sim_bus *b = calloc(1, sizeof *b);
    omvrpc_cond_init(&b->changed);
    pthread_mutex_init(&b->lock, NULL);
    b->refs = 1;
    b->address = address;
    b->idle = idle;
    return b;
}

void sim_bus_free(sim_bus *b)
{
    pthread_mutex_lock(&b->lock);
    int left = --b->refs;
    pthread_mutex_unlock(&b->lock);
    if (left == 0) {
        pthread_cond_destroy(&b->changed);
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
}

static void ref(sim_bus *b)
{
    pthread_mutex_lock(&b->lock);
    b->refs++;
    pthread_mutex_unlock(&b->lock);
}

uint32_t sim_not_ready(sim_bus *b)
{
    pthread_mutex_lock(&b->lock);
    uint32_t n = b->not_ready;
    pthread_mutex_unlock(&b->lock);
    return n;
}

static uint8_t idle_byte(const sim_bus *b)
{
    return b->idle == SIM_IDLE_00 ? 0x00 : 0xFF;
}

/* The master clocks `len` bytes: out of `tx` into the slave, and/or from
 * the slave into `rx` (lock held). Returns whether the slave took part. */
static int clock_bytes(sim_bus *b, const uint8_t *tx, uint8_t *rx, size_t len)
{
    if (b->done || b->arm == ARM_NONE) {
        return 0;
    }
    size_t n = len < b->len ? len : b->len;
    if (b->arm == ARM_TX) {
        if (rx) {
            memcpy(rx, b->tx, n);
            memset(rx + n, idle_byte(b), len - n);
        }
    } else {
        if (tx) {
            memcpy(b->rx, tx, n);
        } else {
            memset(b->rx, 0, n);
        }
        if (rx) {
            memset(rx, idle_byte(b), len);
        }
    }
    b->short_ = n != b->len;
    b->done = 1;
    pthread_cond_broadcast(&b->changed);
    return 1;
}

/* ------------------------------------------------------------- I2C side */

static omv_rpc_status i2c_read(void *ctx, uint16_t address, uint8_t *buf, size_t len)
{
    sim_bus *b = ctx;
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&b->lock);
    if (address != b->address || b->arm != ARM_TX || !clock_bytes(b, NULL, buf, len)) {
        b->not_ready++;
        if (address != b->address || b->idle == SIM_IDLE_NACK) {
            st = OMV_RPC_ERR_NOT_READY;
        } else {
            memset(buf, idle_byte(b), len);
        }
    }
    pthread_mutex_unlock(&b->lock);
    return st;
}

static omv_rpc_status i2c_write(void *ctx, uint16_t address, const uint8_t *buf, size_t len)
{
    sim_bus *b = ctx;
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&b->lock);
    if (address != b->address || b->arm != ARM_RX || !clock_bytes(b, buf, NULL, len)) {
        b->not_ready++;
        st = OMV_RPC_ERR_NOT_READY; /* no acknowledge */
    }
    pthread_mutex_unlock(&b->lock);
    return st;
}

static void bus_close(void *ctx)
{
    sim_bus_free(ctx);
}

static const omv_rpc_i2c_bus_ops sim_i2c_ops = {i2c_read, i2c_write, bus_close};

omv_rpc_status sim_i2c_master_open(sim_bus *b, omv_rpc_link *link, uint16_t address,
                                   const omv_rpc_log *log)
{
    ref(b);
    return omv_rpc_i2c_master_open_bus(link, &sim_i2c_ops, b, address, 400000, log);
}

/* ------------------------------------------------------------- SPI side */

static omv_rpc_status spi_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len,
                                   uint32_t guard_us)
{
    sim_bus *b = ctx;
    struct timespec deadline;
    omvrpc_deadline_after(&deadline, SIM_SPI_CS_WAIT_MS + guard_us / 1000u);
    pthread_mutex_lock(&b->lock);
    /* Chip select is low: a slave that watches it arms now. */
    while ((b->arm == ARM_NONE || b->done) &&
           pthread_cond_timedwait(&b->changed, &b->lock, &deadline) != ETIMEDOUT) {
    }
    if (!clock_bytes(b, tx, rx, len)) {
        b->not_ready++;
        if (rx) {
            memset(rx, idle_byte(b), len);
        }
    }
    pthread_mutex_unlock(&b->lock);
    return OMV_RPC_OK;
}

static const omv_rpc_spi_bus_ops sim_spi_ops = {spi_transfer, bus_close};

omv_rpc_status sim_spi_master_open(sim_bus *b, omv_rpc_link *link, const omv_rpc_log *log)
{
    ref(b);
    return omv_rpc_spi_master_open_bus(link, &sim_spi_ops, b, 4000000, log);
}

/* ----------------------------------------------------------- slave side */

/* Arm one chunk and wait for the master to clock it. */
static omv_rpc_status arm_and_wait(sim_bus *b, int arm, uint8_t *rx, const uint8_t *tx, size_t len,
                                   uint32_t timeout_ms)
{
    struct timespec deadline;
    omvrpc_deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&b->lock);
    b->arm = arm;
    b->rx = rx;
    b->tx = tx;
    b->len = len;
    b->done = 0;
    pthread_cond_broadcast(&b->changed);
    while (!b->done && pthread_cond_timedwait(&b->changed, &b->lock, &deadline) != ETIMEDOUT) {
    }
    omv_rpc_status st = !b->done    ? OMV_RPC_ERR_TIMEOUT
                        : b->short_ ? OMV_RPC_ERR_BAD_PACKET
                                    : OMV_RPC_OK;
    b->arm = ARM_NONE;
    b->done = 0;
    pthread_mutex_unlock(&b->lock);
    return st;
}

static omv_rpc_status slave_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t off = 0; off < len && st == OMV_RPC_OK; off += OMV_RPC_I2C_MAX_CHUNK) {
        size_t n = len - off < OMV_RPC_I2C_MAX_CHUNK ? len - off : OMV_RPC_I2C_MAX_CHUNK;
        st = arm_and_wait(ctx, ARM_RX, buf + off, NULL, n, timeout_ms);
    }
    return st;
}

static omv_rpc_status slave_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    omv_rpc_status st = OMV_RPC_OK;
    for (size_t off = 0; off < len && st == OMV_RPC_OK; off += OMV_RPC_I2C_MAX_CHUNK) {
        size_t n = len - off < OMV_RPC_I2C_MAX_CHUNK ? len - off : OMV_RPC_I2C_MAX_CHUNK;
        st = arm_and_wait(ctx, ARM_TX, NULL, buf + off, n, timeout_ms);
    }
    return st;
}

/* A slave's peripheral holds no queued bytes. */
static void slave_flush(void *ctx)
{
    (void)ctx;
}

TS_FLAT_OPS(slave_ops, slave_get, slave_put)

static const omv_rpc_link_ops slave_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = slave_ops_recv,
    .send = slave_ops_send,
    .flush = slave_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = bus_close,
};

void sim_slave_open(sim_bus *b, omv_rpc_link *link)
{
    ref(b);
    memset(link, 0, sizeof *link);
    link->ops = &slave_ops;
    link->ctx = b;
    link->stream_queue_depth_max = 1;
}
