/* The scripted peer of the fuzz targets: a link whose received bytes are
 * the fuzz input (what the peer sends, in order) and which takes whatever
 * the code under test sends. Its clock is virtual: it advances by one on
 * each reading and by the whole timeout when a read finds too few bytes,
 * so that every retry loop ends in a bounded number of steps with no real
 * waiting. Single-threaded. */
#ifndef OMV_RPC_FUZZ_LINK_H
#define OMV_RPC_FUZZ_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "omv_rpc/omv_rpc.h"

/* Mode bits (the first input byte of most targets). */
#define FUZZ_LINK_BYTE_STREAM 0x01u /* flagged OMV_RPC_LINK_BYTE_STREAM */
#define FUZZ_LINK_VECTORS 0x02u     /* reads all pieces or none (else piece by piece) */
#define FUZZ_LINK_STREAM_OPS 0x04u  /* OMV_RPC_LINK_STREAM_BYTES, and has `buffered` */
#define FUZZ_LINK_END_CLOSED 0x08u  /* at the end of the input: CLOSED, not TIMEOUT */
#define FUZZ_LINK_PACED 0x10u       /* has transfer_ms (1 ms per 100 bytes) */
#define FUZZ_LINK_SPLIT 0x20u       /* split_min 64 (with FUZZ_LINK_VECTORS) */

typedef struct fuzz_link {
    const uint8_t *data;
    size_t len, pos;
    uint32_t clock;
    unsigned mode;
    uint64_t sent; /* bytes the code under test sent */
} fuzz_link;

/* A link playing `data` (`len` bytes, not copied: keep it alive). */
omv_rpc_link fuzz_link_open(fuzz_link *f, const uint8_t *data, size_t len, unsigned mode);
/* Whether input remains. */
int fuzz_link_more(const fuzz_link *f);

/* Stop the process with a message when a property of the library does
 * not hold (the fuzzer reports it as a crash). */
void fuzz_require(int ok, const char *what);

#endif
