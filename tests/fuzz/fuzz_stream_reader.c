/* Fuzz target: a stream reader (master or slave). Input: mode byte
 * (FUZZ_LINK_*), option byte (bit 0: the slave reads; bits 1-3: queue
 * depth - 1), then the writer's bytes (frame headers and frames).
 * Checked: no crash, leak or hang; every frame handed over fits
 * max_payload; the reader ends after at most 8 frames when told to. */
#include <string.h>

#include "fuzz_link.h"

#define MAX_PAYLOAD 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_frame(void *user, const uint8_t *frame, size_t len)
{
    unsigned *frames = user;
    fuzz_require(len <= MAX_PAYLOAD, "a frame within max_payload");
    fuzz_require(frame != NULL || len == 0, "a frame's bytes");
    if (len) {
        volatile uint8_t last = frame[len - 1]; /* the whole frame is readable */
        (void)last;
    }
    return ++*frames >= 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned opt = data[1];
    fuzz_link f;
    omv_rpc_link link = fuzz_link_open(&f, data + 2, size - 2, data[0]);
    omv_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_payload = MAX_PAYLOAD;
    unsigned frames = 0;
    uint32_t depth = 1u + ((opt >> 1) & 7u);
    omv_rpc_status st;
    if (opt & 1u) {
        omv_rpc_slave *s = NULL;
        fuzz_require(omv_rpc_slave_new(&s, &link, &cfg) == OMV_RPC_OK, "slave_new");
        st = omv_rpc_slave_stream_reader(s, on_frame, &frames, depth, 100);
        omv_rpc_slave_free(s);
    } else {
        omv_rpc_master *m = NULL;
        fuzz_require(omv_rpc_master_new(&m, &link, &cfg) == OMV_RPC_OK, "master_new");
        st = omv_rpc_master_stream_reader(m, on_frame, &frames, depth, 100);
        omv_rpc_master_free(m);
    }
    fuzz_require(st != OMV_RPC_OK || frames == 8, "OK only when the callback ended it");
    return 0;
}
