/* The implementations behind omv_rpc_crc16 (crc16.c), exposed to the tests.
 * Internal: not installed, not API. Each takes and returns the running CRC,
 * as omv_rpc_crc16 does. */
#ifndef OMV_RPC_CRC16_IMPL_H
#define OMV_RPC_CRC16_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* 1 where the carry-less-multiply path (crc16_clmul.c) is compiled: x86-64,
 * hosted (freestanding x86 code such as a kernel may not touch vector
 * registers, and gcc's intrinsic headers include <stdlib.h>), C11 atomics
 * (the CPU check is cached in one), and gcc, clang or MSVC (intrinsics for
 * one function only). Elsewhere 0, and omv_rpc_crc16 is the table alone. */
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(_M_ARM64EC) &&             \
    defined(__STDC_HOSTED__) && __STDC_HOSTED__ && !defined(__STDC_NO_ATOMICS__) && \
    (defined(__GNUC__) || defined(__clang__) || defined(_MSC_VER))
#define OMV_RPC_CRC16_CLMUL 1
#else
#define OMV_RPC_CRC16_CLMUL 0
#endif

/* Shortest input omv_rpc_crc16 hands to the CLMUL path. Below it the fixed
 * cost (up to 15 bytes by table to reach 16-byte alignment, the final
 * reduction, the tail by table) outweighs the gain: measured with
 * tests/crc_speed.c (AMD Zen 5), both paths cost the same at about 80
 * bytes, CLMUL is ahead from 96 and 4x ahead from 1 KiB. */
#define OMV_RPC_CRC16_CLMUL_MIN 96

/* Slicing by 8 (crc16.c): any target, any length. */
uint16_t omvrpc_crc16_table_update(uint16_t crc, const void *data, size_t len);

/* 1 when the CLMUL path is compiled and this CPU has what it needs
 * (PCLMULQDQ, SSSE3). Asks CPUID once per process, then answers from a
 * cache. Thread-safe. */
int omvrpc_crc16_clmul_available(void);

#if OMV_RPC_CRC16_CLMUL
/* Carry-less-multiply folding (crc16_clmul.c): any length (short inputs
 * go to the table). Call only when omvrpc_crc16_clmul_available(). */
uint16_t omvrpc_crc16_clmul_update(uint16_t crc, const void *data, size_t len);
#endif

#endif
