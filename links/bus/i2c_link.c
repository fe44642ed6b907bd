/* I2C master link: the user's (or the kernel's) I2C bus table under the
 * polled link, with the ~100 us pause before each transaction. */
#include "bus_open.h"
#include "bus_internal.h"

static const omv_rpc_i2c_bus_ops *ops_of(bus_link *b)
{
    return b->bus_ops;
}

static omv_rpc_status i2c_read_chunk(bus_link *b, uint8_t *buf, size_t len)
{
    omvrpc_sleep_us(OMV_RPC_BUS_GUARD_US); /* give the slave time to get ready */
    return ops_of(b)->read(b->bus_ctx, b->address, buf, len);
}

static omv_rpc_status i2c_write_chunk(bus_link *b, const uint8_t *buf, size_t len)
{
    omvrpc_sleep_us(OMV_RPC_BUS_GUARD_US);
    return ops_of(b)->write(b->bus_ctx, b->address, buf, len);
}

static void i2c_close_bus(bus_link *b)
{
    if (ops_of(b)->close) {
        ops_of(b)->close(b->bus_ctx);
    }
}

static const bus_chunk_ops i2c_chunk_ops = {i2c_read_chunk, i2c_write_chunk, i2c_close_bus};

omv_rpc_status omv_rpc_i2c_master_open_bus(omv_rpc_link *link, const omv_rpc_i2c_bus_ops *ops,
                                           void *ctx, uint16_t address, uint32_t rate,
                                           const omv_rpc_log *log)
{
    omv_rpc_status st = OMV_RPC_OK;
    if (!link || !ops || !ops->read || !ops->write) {
        st = OMV_RPC_ERR_INVALID_ARG;
    } else if (address < 0x08 || address > 0x77) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "i2c: 0x%02X is not a 7-bit slave address (0x08..0x77)",
                         (unsigned)address);
        st = OMV_RPC_ERR_INVALID_ARG;
    }
    const bus_link setup = {
        .chunk = &i2c_chunk_ops,
        .bus_ops = ops,
        .bus_ctx = ctx,
        .address = address,
        .max_chunk = OMV_RPC_I2C_MAX_CHUNK,
        .hz = rate ? rate : OMV_RPC_I2C_DEFAULT_RATE,
        .bits_per_byte = 9, /* 8 data bits and the acknowledge */
    };
    return omvrpc_bus_link_open(link, st, &setup, ops ? ops->close : NULL, log);
}
