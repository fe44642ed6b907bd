/* SYS_MEMORY (include/omv_rpc/v2.h): `count u8, 3 reserved`, then count
 * 24-byte entries `type u8, reserved u8, flags u16, total, used, free,
 * persist, peak` (u32 each), as the firmware's omv_protocol_mem_entry_t. */
#include "omv_rpc/v2.h"
#include "v2_internal.h"

#define V2_MEM_ENTRY 24u

omv_rpc_status omv_rpc_v2_get_memory(omv_rpc_v2 *v2, omv_rpc_v2_mem_pool *out, size_t max,
                                     size_t *count)
{
    uint8_t r[4 + 255 * V2_MEM_ENTRY];
    size_t got = 0, n;
    omv_rpc_status st;
    if (!v2 || !count || (max && !out)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    st = omvrpc_v2_command(v2, OMV_RPC_V2_SYS_MEMORY, 0, NULL, 0, r, sizeof r, &got);
    if (st != OMV_RPC_OK) {
        return st;
    }
    if (got < 4 || got < 4 + (size_t)r[0] * V2_MEM_ENTRY) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    n = r[0];
    *count = n;
    for (size_t i = 0; i < n && i < max; i++) {
        const uint8_t *e = r + 4 + i * V2_MEM_ENTRY;
        out[i].type = e[0];
        out[i].flags = omvrpc_v2_get16(e + 2);
        out[i].total = omvrpc_v2_get32(e + 4);
        out[i].used = omvrpc_v2_get32(e + 8);
        out[i].free = omvrpc_v2_get32(e + 12);
        out[i].persist = omvrpc_v2_get32(e + 16);
        out[i].peak = omvrpc_v2_get32(e + 20);
    }
    return OMV_RPC_OK;
}
