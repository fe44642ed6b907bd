/* Fuzz target: a master's call. Input: mode byte (FUZZ_LINK_*), option
 * byte, then the slave's bytes (acks, result header, result data,
 * cut-through bytes). Up to three calls run while input remains. Checked:
 * no crash, leak or hang; a result that is accepted fits its limit. */
#include <string.h>

#include "fuzz_link.h"

#define MAX_PAYLOAD 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned mode = data[0], opt = data[1];
    fuzz_link f;
    omv_rpc_link link = fuzz_link_open(&f, data + 2, size - 2, mode);
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = MAX_PAYLOAD;
    omv_rpc_master *m = NULL;
    fuzz_require(omv_rpc_master_new(&m, &link, &cfg) == OMV_RPC_OK, "master_new");
    static uint8_t arg[2048], buf[4096];
    size_t arg_len = (opt >> 2) * 29u;
    for (size_t i = 0; i < arg_len; i++) {
        arg[i] = (uint8_t)(i * 13u);
    }
    for (int call = 0; call < 3 && fuzz_link_more(&f); call++) {
        size_t len = 0;
        omv_rpc_status st;
        if (opt & 1u) {
            st = omv_rpc_master_call_into(m, "echo", arg, arg_len, buf, sizeof buf, &len, 100, 100);
            fuzz_require(st != OMV_RPC_OK || len <= sizeof buf, "call_into fits its buffer");
        } else {
            const uint8_t *res = NULL;
            st = omv_rpc_master_call(m, "echo", arg, arg_len, &res, &len, 100, 100);
            fuzz_require(st != OMV_RPC_OK || (len <= MAX_PAYLOAD && (res || !len)),
                         "a result within max_payload");
            if (st == OMV_RPC_OK && len) {
                memcpy(buf, res, len < sizeof buf ? len : sizeof buf);
            }
        }
        if (st == OMV_RPC_OK && (opt & 2u)) {
            (void)omv_rpc_get_bytes(omv_rpc_master_link(m), buf, opt, 20); /* cut-through */
        }
    }
    omv_rpc_master_free(m);
    return 0;
}
