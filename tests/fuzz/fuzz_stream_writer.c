/* Fuzz target: a stream writer and the reader's credits (master or
 * slave). Input: mode byte (FUZZ_LINK_*), option byte (bit 0: the slave
 * writes; bits 1-7: frame size / 4), then the reader's bytes (its setup
 * packet with the queue depth, then ack bytes). The writer offers 16
 * frames. Checked: no crash, leak or hang; OK only after all 16 frames. */
#include <string.h>

#include "fuzz_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct frames {
    unsigned given;
    size_t len;
    uint8_t bytes[512];
} frames;

static int next_frame(void *user, const uint8_t **frame, size_t *len)
{
    frames *fr = user;
    if (fr->given == 16) {
        return 1;
    }
    fr->given++;
    *frame = fr->bytes;
    *len = fr->len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned opt = data[1];
    fuzz_link f;
    omv_rpc_link link = fuzz_link_open(&f, data + 2, size - 2, data[0]);
    frames fr;
    memset(&fr, 0x33, sizeof fr.bytes);
    fr.given = 0;
    fr.len = (size_t)(opt >> 1) * 4u;
    omv_rpc_status st;
    if (opt & 1u) {
        omv_rpc_slave *s = NULL;
        fuzz_require(omv_rpc_slave_new(&s, &link, NULL) == OMV_RPC_OK, "slave_new");
        st = omv_rpc_slave_stream_writer(s, next_frame, &fr, 100);
        omv_rpc_slave_free(s);
    } else {
        omv_rpc_master *m = NULL;
        fuzz_require(omv_rpc_master_new(&m, &link, NULL) == OMV_RPC_OK, "master_new");
        st = omv_rpc_master_stream_writer(m, next_frame, &fr, 100);
        omv_rpc_master_free(m);
    }
    fuzz_require(st != OMV_RPC_OK || fr.given == 16, "OK only after every frame");
    return 0;
}
