/* CRC-16/CCITT-FALSE. Table-driven, eight bytes per step (slicing by 8), so
 * that checking a packet costs far less than moving it; on x86-64 CPUs with
 * carry-less multiplication, long inputs take the faster CLMUL path
 * (crc16_clmul.c). */
#include "omv_rpc/rpc.h"
#include "crc16_impl.h"
#include "crc16_table.h"

uint16_t omvrpc_crc16_table_update(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    const uint16_t(*t)[256] = omvrpc_crc16_table;

    while (len >= 8) {
        /* The CRC's two bytes fold into the block's first two bytes. */
        uint8_t b0 = (uint8_t)(p[0] ^ (crc >> 8));
        uint8_t b1 = (uint8_t)(p[1] ^ (crc & 0xFF));
        crc = (uint16_t)(t[7][b0] ^ t[6][b1] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^ t[2][p[5]] ^
                         t[1][p[6]] ^ t[0][p[7]]);
        p += 8;
        len -= 8;
    }
    /* The last 0..7 bytes as 4, 2 and 1: three steps at most, not seven.
     * Table k serves a byte with k bytes after it in its block. */
    if (len & 4) {
        uint8_t b0 = (uint8_t)(p[0] ^ (crc >> 8));
        uint8_t b1 = (uint8_t)(p[1] ^ (crc & 0xFF));
        crc = (uint16_t)(t[3][b0] ^ t[2][b1] ^ t[1][p[2]] ^ t[0][p[3]]);
        p += 4;
    }
    if (len & 2) {
        crc = (uint16_t)(t[1][(uint8_t)(p[0] ^ (crc >> 8))] ^ t[0][(uint8_t)(p[1] ^ (crc & 0xFF))]);
        p += 2;
    }
    if (len & 1) {
        crc = (uint16_t)((crc << 8) ^ t[0][(uint8_t)((crc >> 8) ^ *p)]);
    }
    return crc;
}

uint16_t omv_rpc_crc16(uint16_t crc, const void *data, size_t len)
{
#if OMV_RPC_CRC16_CLMUL
    /* Length first: short packets never even read the cached CPU check. */
    if (len >= OMV_RPC_CRC16_CLMUL_MIN && omvrpc_crc16_clmul_available()) {
        return omvrpc_crc16_clmul_update(crc, data, len);
    }
#endif
    return omvrpc_crc16_table_update(crc, data, len);
}
