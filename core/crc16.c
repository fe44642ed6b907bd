/* CRC-16/CCITT-FALSE, table-driven, eight bytes per step (slicing by 8) so
 * that checking a packet costs far less than moving it. */
#include "omv_rpc/rpc.h"
#include "crc16_table.h"

uint16_t omv_rpc_crc16(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    const uint16_t(*t)[256] = omv_rpc_crc16_table;

    while (len >= 8) {
        /* The CRC's two bytes fold into the block's first two bytes. */
        uint8_t b0 = (uint8_t)(p[0] ^ (crc >> 8));
        uint8_t b1 = (uint8_t)(p[1] ^ (crc & 0xFF));
        crc = (uint16_t)(t[7][b0] ^ t[6][b1] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^
                         t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]);
        p += 8;
        len -= 8;
    }
    while (len--) {
        crc = (uint16_t)((crc << 8) ^ t[0][(uint8_t)((crc >> 8) ^ *p++)]);
    }
    return crc;
}
