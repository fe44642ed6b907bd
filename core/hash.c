/* Function-name hash and stream ack sequence, as OpenMV computes them. */
#include "omv_rpc/rpc.h"

uint32_t omv_rpc_hash(const void *name, size_t len)
{
    const uint8_t *p = (const uint8_t *)name;
    uint32_t h = 5381;
    for (size_t i = 0; i < len; i++) {
        h = (h * 33u) ^ p[i]; /* unsigned arithmetic wraps mod 2^32 */
    }
    return h;
}

uint32_t omv_rpc_hash_str(const char *name)
{
    size_t len = 0;
    if (!name) {
        return omv_rpc_hash("", 0);
    }
    while (name[len]) {
        len++;
    }
    return omv_rpc_hash(name, len);
}

uint8_t omv_rpc_lfsr_next(uint8_t x)
{
    return (uint8_t)((x >> 1) ^ ((x & 1u) ? 0xB8u : 0u));
}
