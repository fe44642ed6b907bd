/* SPI master link: the user's (or the kernel's) SPI bus table under the
 * polled link. The ~100 us pause sits between chip select going low and
 * the first clock, so the bus table does it. */
#include "bus_open.h"
#include "bus_internal.h"

static const omv_rpc_spi_bus_ops *ops_of(bus_link *b)
{
    return b->bus_ops;
}

static omv_rpc_status spi_read_chunk(bus_link *b, uint8_t *buf, size_t len)
{
    return ops_of(b)->transfer(b->bus_ctx, NULL, buf, len, OMV_RPC_BUS_GUARD_US);
}

static omv_rpc_status spi_write_chunk(bus_link *b, const uint8_t *buf, size_t len)
{
    return ops_of(b)->transfer(b->bus_ctx, buf, NULL, len, OMV_RPC_BUS_GUARD_US);
}

static void spi_close_bus(bus_link *b)
{
    if (ops_of(b)->close) {
        ops_of(b)->close(b->bus_ctx);
    }
}

static const bus_chunk_ops spi_chunk_ops = {spi_read_chunk, spi_write_chunk, spi_close_bus};

omv_rpc_status omv_rpc_spi_master_open_bus(omv_rpc_link *link, const omv_rpc_spi_bus_ops *ops,
                                           void *ctx, uint32_t hz, const omv_rpc_log *log)
{
    omv_rpc_status st = (!link || !ops || !ops->transfer) ? OMV_RPC_ERR_INVALID_ARG : OMV_RPC_OK;
    const bus_link setup = {
        .chunk = &spi_chunk_ops,
        .bus_ops = ops,
        .bus_ctx = ctx,
        .max_chunk = OMV_RPC_SPI_MAX_CHUNK,
        .hz = hz ? hz : OMV_RPC_SPI_DEFAULT_HZ,
        .bits_per_byte = 8,
    };
    return omvrpc_bus_link_open(link, st, &setup, ops ? ops->close : NULL, log);
}
