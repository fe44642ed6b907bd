/* Fuzz target: CAN frame intake. A master (option bit 0 clear) or a slave
 * on a CAN link whose frame backend plays the input. Input: option byte,
 * then records: r = a frame descriptor (bits 0-3: length, up to 15, more
 * than a classic frame holds; bit 4: remote frame; bit 5: extended ID;
 * bit 6: another message ID; bit 7: no frame this time, a timeout), then
 * min(length, 8) data bytes. At the end of the input the backend reports a
 * link error. Checked: no crash, leak or hang. */
#include <string.h>

#include "fuzz_link.h"

#define MESSAGE_ID 0x7FFu

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct frames {
    const uint8_t *data;
    size_t len, pos;
} frames;

static omv_rpc_status fr_send(void *ctx, const omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    fuzz_require(frame->len <= 8, "a classic CAN frame sent");
    return OMV_RPC_OK;
}

static omv_rpc_status fr_recv(void *ctx, omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    (void)timeout_ms;
    frames *f = ctx;
    if (f->pos >= f->len) {
        return OMV_RPC_ERR_LINK;
    }
    unsigned r = f->data[f->pos++];
    if (r & 0x80u) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    memset(frame, 0, sizeof *frame);
    frame->len = (uint8_t)(r & 15u);
    frame->flags = (uint8_t)(((r & 0x10u) ? OMV_RPC_CAN_FRAME_RTR : 0u) |
                             ((r & 0x20u) ? OMV_RPC_CAN_FRAME_EXT : 0u));
    frame->id = (r & 0x40u) ? 0x123u : MESSAGE_ID;
    size_t take = frame->len < 8 ? frame->len : 8;
    if (take > f->len - f->pos) {
        take = f->len - f->pos;
    }
    memcpy(frame->data, f->data + f->pos, take);
    f->pos += take;
    return OMV_RPC_OK;
}

static void fr_flush(void *ctx)
{
    (void)ctx; /* every frame is still to come */
}

static const omv_rpc_can_bus_ops ops = {fr_send, fr_recv, fr_flush, NULL};

static void echo(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    (void)omv_rpc_slave_reply(s, arg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    frames f = {data + 1, size - 1, 0};
    omv_rpc_link link;
    fuzz_require(omv_rpc_can_open_bus(&link, &ops, &f, MESSAGE_ID, 1000000u, NULL) == OMV_RPC_OK,
                 "can_open_bus");
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = 65536u;
    if (data[0] & 1u) {
        omv_rpc_slave *s = NULL;
        fuzz_require(omv_rpc_slave_new(&s, &link, &cfg) == OMV_RPC_OK, "slave_new");
        omv_rpc_slave_register_callback(s, "echo", echo, NULL);
        for (int i = 0; i < 8 && f.pos < f.len; i++) {
            if (omv_rpc_slave_loop_once(s, 20, 20) == OMV_RPC_ERR_LINK) {
                break;
            }
        }
        omv_rpc_slave_free(s);
    } else {
        omv_rpc_master *m = NULL;
        fuzz_require(omv_rpc_master_new(&m, &link, &cfg) == OMV_RPC_OK, "master_new");
        static const uint8_t arg[20] = {1, 2, 3, 4, 5};
        const uint8_t *res = NULL;
        size_t len = 0;
        for (int i = 0; i < 3 && f.pos < f.len; i++) {
            omv_rpc_status st =
                omv_rpc_master_call(m, "echo", arg, (data[0] >> 1) % 21u, &res, &len, 20, 20);
            fuzz_require(st != OMV_RPC_OK || len <= 65536u, "a result within max_payload");
        }
        omv_rpc_master_free(m);
    }
    return 0;
}
