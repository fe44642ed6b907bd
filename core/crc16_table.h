/* The CRC-16/CCITT-FALSE slicing-by-8 tables (crc16_table.c). Internal. */
#ifndef OMV_RPC_CRC16_TABLE_H
#define OMV_RPC_CRC16_TABLE_H

#include <stdint.h>

extern const uint16_t omvrpc_crc16_table[8][256];

#endif
