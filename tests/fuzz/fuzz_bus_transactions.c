/* Fuzz target: I2C and SPI transaction intake. A master on an I2C (option
 * bit 0 clear) or SPI link whose bus plays the input: every read (I2C) or
 * full-duplex transfer (SPI) takes its bytes from it, in order; at the end
 * of the input the bus reports a link error. Option bits 1-5: the
 * argument's length. Checked: no crash, leak or hang; no transaction over
 * the link's chunk limit; a result within max_payload. */
#include <string.h>

#include "fuzz_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct bus {
    const uint8_t *data;
    size_t len, pos;
} bus;

static omv_rpc_status take(bus *b, uint8_t *buf, size_t len)
{
    if (b->len - b->pos < len) {
        b->pos = b->len;
        return OMV_RPC_ERR_LINK;
    }
    if (buf && len) {
        memcpy(buf, b->data + b->pos, len);
    }
    b->pos += len;
    return OMV_RPC_OK;
}

static omv_rpc_status i2c_read(void *ctx, uint16_t address, uint8_t *buf, size_t len)
{
    (void)address;
    fuzz_require(len <= OMV_RPC_I2C_MAX_CHUNK, "an I2C transaction within the chunk limit");
    return take(ctx, buf, len);
}

static omv_rpc_status i2c_write(void *ctx, uint16_t address, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)address;
    (void)buf;
    fuzz_require(len <= OMV_RPC_I2C_MAX_CHUNK, "an I2C transaction within the chunk limit");
    return OMV_RPC_OK;
}

static omv_rpc_status spi_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len,
                                   uint32_t guard_us)
{
    (void)tx;
    (void)guard_us;
    fuzz_require(len <= OMV_RPC_SPI_MAX_CHUNK, "an SPI transfer within the chunk limit");
    return rx ? take(ctx, rx, len) : OMV_RPC_OK;
}

static const omv_rpc_i2c_bus_ops i2c_ops = {i2c_read, i2c_write, NULL};
static const omv_rpc_spi_bus_ops spi_ops = {spi_transfer, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    bus b = {data + 1, size - 1, 0};
    omv_rpc_link link;
    omv_rpc_status st = (data[0] & 1u)
                            ? omv_rpc_spi_master_open_bus(&link, &spi_ops, &b, 0, NULL)
                            : omv_rpc_i2c_master_open_bus(&link, &i2c_ops, &b, 0x12, 0, NULL);
    fuzz_require(st == OMV_RPC_OK, "bus link open");
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = 65536u;
    omv_rpc_master *m = NULL;
    fuzz_require(omv_rpc_master_new(&m, &link, &cfg) == OMV_RPC_OK, "master_new");
    static const uint8_t arg[32] = {9, 8, 7};
    for (int i = 0; i < 3 && b.pos < b.len; i++) {
        const uint8_t *res = NULL;
        size_t len = 0;
        st = omv_rpc_master_call(m, "echo", arg, (data[0] >> 1) & 31u, &res, &len, 20, 20);
        fuzz_require(st != OMV_RPC_OK || len <= 65536u, "a result within max_payload");
    }
    omv_rpc_master_free(m);
    return 0;
}
