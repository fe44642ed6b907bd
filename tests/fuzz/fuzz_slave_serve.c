/* Fuzz target: a slave serving calls. Input: mode byte (FUZZ_LINK_*),
 * then the master's bytes (command headers, arguments, result requests).
 * The slave has callbacks that echo, reply from its own buffer, and
 * schedule a cut-through write; loop_once runs while input remains.
 * Checked: no crash, leak or hang; an argument handed to a callback fits
 * max_payload. */
#include <string.h>

#include "fuzz_link.h"

#define MAX_PAYLOAD 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void echo(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    fuzz_require(len <= MAX_PAYLOAD, "an argument within max_payload");
    (void)omv_rpc_slave_reply(s, arg, len);
}

static void big(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    size_t n = len ? (size_t)arg[0] * 20u : 3000u;
    uint8_t *out = omv_rpc_slave_reply_buffer(s, n);
    if (out) {
        memset(out, 0x5A, n);
    }
}

static void write_raw(omv_rpc_slave *s, void *user)
{
    (void)user;
    static const uint8_t bytes[100] = {1, 2, 3};
    (void)omv_rpc_put_bytes(omv_rpc_slave_link(s), bytes, sizeof bytes, 20);
}

static void cut(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    (void)user;
    omv_rpc_slave_schedule_callback(s, write_raw, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    fuzz_link f;
    omv_rpc_link link = fuzz_link_open(&f, data + 1, size - 1, data[0]);
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = MAX_PAYLOAD;
    omv_rpc_slave *s = NULL;
    fuzz_require(omv_rpc_slave_new(&s, &link, &cfg) == OMV_RPC_OK, "slave_new");
    omv_rpc_slave_register_callback(s, "echo", echo, NULL);
    omv_rpc_slave_register_callback(s, "big", big, NULL);
    omv_rpc_slave_register_callback(s, "cut", cut, NULL);
    for (int i = 0; i < 16 && fuzz_link_more(&f); i++) {
        omv_rpc_status st = omv_rpc_slave_loop_once(s, 100, 100);
        if (st == OMV_RPC_ERR_CLOSED) {
            break;
        }
    }
    omv_rpc_slave_free(s);
    return 0;
}
