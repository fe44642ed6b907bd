/* CRC-16/CCITT-FALSE by carry-less multiplication (PCLMULQDQ) on x86-64:
 * a few multiplies per 16 bytes instead of a table look-up per byte, several
 * times the speed of slicing by 8 on long inputs.
 *
 * The method is folding, from Intel's white paper "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ Instruction" (Gopal et al., 2009),
 * here for a 16-bit CRC without bit reflection. Polynomials are over GF(2);
 * P = x^16 + x^12 + x^5 + 1. Read the input as one polynomial M, first byte
 * highest, each byte's most significant bit highest (a byte-swapped 16-byte
 * load gives 128 coefficients, bit i = x^i). With the running CRC xored
 * into the first two bytes (as the table code does), the new CRC is
 * M * x^16 mod P.
 *
 * Folding: a 128-bit piece A = H * x^64 + L that lies D bits before another
 * piece contributes A * x^D == H * (x^(D+64) mod P) + L * (x^D mod P)
 * (mod P): two 64 x 16-bit carry-less products of at most 79 bits, so the
 * sum fits in 128 bits and is simply xored onto that later piece. Four
 * accumulators 64 bytes apart keep four chains of multiplies in flight
 * (one chain waits on each multiply's latency), then merge.
 *
 * Final reduction of the last piece A (degree <= 127): A * x^16 ==
 * H * (x^80 mod P) + L * x^16 = R, degree <= 79 (mod P). Then Barrett: with
 * mu = floor(x^80 / P) (degree 64) and R1 = floor(R / x^16), the quotient
 * floor(R / P) is exactly q = floor(R1 * mu / x^64) for any R of degree
 * <= 80, and the CRC is the low 16 bits of R + q * P. mu = x^64 + MU_LOW,
 * so q = R1 xor (high half of R1 * MU_LOW): one multiply, not two.
 *
 * Constants: crc16_clmul_consts.h, written by gen_crc16_clmul.py and
 * checked bit by bit by tests/test_core_crc.c.
 */
#include "crc16_impl.h"

#if OMV_RPC_CRC16_CLMUL

#include <stdatomic.h>

#if defined(__GNUC__) || defined(__clang__)
#include <cpuid.h>
/* Only these functions may use PCLMULQDQ and PSHUFB (SSSE3): the rest of
 * the library stays baseline x86-64 and runs on any x86-64 CPU. */
#define CLMUL_TARGET __attribute__((target("pclmul,ssse3")))
#else
#include <intrin.h> /* MSVC: intrinsics need no per-function target */
#define CLMUL_TARGET
#endif
#include <emmintrin.h>
#include <tmmintrin.h>
#include <wmmintrin.h>

#include "crc16_clmul_consts.h"

/* CPUID leaf 1, ECX. No OS support check (XGETBV) is needed: these
 * instructions use only the XMM registers every x86-64 OS saves. */
#define CPUID1_ECX_PCLMULQDQ (1u << 1)
#define CPUID1_ECX_SSSE3 (1u << 9)

static int cpu_has_clmul(void)
{
    unsigned int ecx;
#if defined(__GNUC__) || defined(__clang__)
    unsigned int eax, ebx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
#else
    int r[4];
    __cpuid(r, 0);
    if (r[0] < 1) {
        return 0;
    }
    __cpuid(r, 1);
    ecx = (unsigned int)r[2];
#endif
    const unsigned int need = CPUID1_ECX_PCLMULQDQ | CPUID1_ECX_SSSE3;
    return (ecx & need) == need;
}

/* 0: not asked yet, 1: no, 2: yes. CPUID can trap to a hypervisor, so it
 * runs once, not per call. Relaxed is enough: every thread computes the
 * same answer, so a race only means asking twice. */
static _Atomic int clmul_state;

int omvrpc_crc16_clmul_available(void)
{
    int s = atomic_load_explicit(&clmul_state, memory_order_relaxed);
    if (s == 0) {
        s = cpu_has_clmul() ? 2 : 1;
        atomic_store_explicit(&clmul_state, s, memory_order_relaxed);
    }
    return s == 2;
}

/* 16 bytes from a 16-byte-aligned address, byte-swapped so that the first
 * byte holds the highest coefficients. */
CLMUL_TARGET static inline __m128i load_poly(const uint8_t *p, __m128i swap)
{
    return _mm_shuffle_epi8(_mm_load_si128((const __m128i *)(const void *)p), swap);
}

/* a * x^D (mod P), k = {x^D mod P, x^(D+64) mod P} (low, high lane). */
CLMUL_TARGET static inline __m128i fold(__m128i a, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x11), _mm_clmulepi64_si128(a, k, 0x00));
}

/* a * x^16 mod P: the CRC of everything folded into a. */
CLMUL_TARGET static inline uint16_t reduce(__m128i a)
{
    const __m128i k = _mm_set_epi64x(OMV_RPC_CRC16_P, OMV_RPC_CRC16_X80_MOD_P);
    const __m128i mu = _mm_set_epi64x(0, (long long)OMV_RPC_CRC16_MU_LOW);
    /* R = H * (x^80 mod P) + L * x^16 (a 2-byte shift of L alone). */
    __m128i r =
        _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x01), _mm_slli_si128(_mm_move_epi64(a), 2));
    __m128i r1 = _mm_srli_si128(r, 2); /* floor(R / x^16), <= 64 bits */
    __m128i q = _mm_xor_si128(r1, _mm_srli_si128(_mm_clmulepi64_si128(r1, mu, 0x00), 8));
    __m128i qp = _mm_clmulepi64_si128(q, k, 0x10); /* q * P */
    return (uint16_t)(_mm_cvtsi128_si32(r) ^ _mm_cvtsi128_si32(qp));
}

CLMUL_TARGET uint16_t omvrpc_crc16_clmul_update(uint16_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    /* Table up to a 16-byte boundary, so that every load below is aligned
     * and never splits a cache line. Too short for one aligned block: all
     * by table. */
    size_t head = (size_t)(-(uintptr_t)p & 15);
    if (len < head + 16) {
        return omvrpc_crc16_table_update(crc, p, len);
    }
    crc = omvrpc_crc16_table_update(crc, p, head);
    p += head;
    len -= head;

    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i k128 = _mm_set_epi64x(OMV_RPC_CRC16_X192_MOD_P, OMV_RPC_CRC16_X128_MOD_P);
    size_t blocks = len / 16;
    /* The running CRC goes onto the first two bytes: coefficients 127..112. */
    __m128i acc = _mm_xor_si128(load_poly(p, swap), _mm_insert_epi16(_mm_setzero_si128(), crc, 7));
    p += 16;
    blocks--;

    if (blocks >= 3) {
        const __m128i k256 = _mm_set_epi64x(OMV_RPC_CRC16_X320_MOD_P, OMV_RPC_CRC16_X256_MOD_P);
        const __m128i k384 = _mm_set_epi64x(OMV_RPC_CRC16_X448_MOD_P, OMV_RPC_CRC16_X384_MOD_P);
        const __m128i k512 = _mm_set_epi64x(OMV_RPC_CRC16_X576_MOD_P, OMV_RPC_CRC16_X512_MOD_P);
        __m128i a0 = acc;
        __m128i a1 = load_poly(p, swap);
        __m128i a2 = load_poly(p + 16, swap);
        __m128i a3 = load_poly(p + 32, swap);
        p += 48;
        blocks -= 3;
        while (blocks >= 4) {
            a0 = _mm_xor_si128(fold(a0, k512), load_poly(p, swap));
            a1 = _mm_xor_si128(fold(a1, k512), load_poly(p + 16, swap));
            a2 = _mm_xor_si128(fold(a2, k512), load_poly(p + 32, swap));
            a3 = _mm_xor_si128(fold(a3, k512), load_poly(p + 48, swap));
            p += 64;
            blocks -= 4;
        }
        /* Merge: a0 * x^384 + a1 * x^256 + a2 * x^128 + a3, side by side. */
        acc = _mm_xor_si128(_mm_xor_si128(fold(a0, k384), fold(a1, k256)),
                            _mm_xor_si128(fold(a2, k128), a3));
    }
    while (blocks--) {
        acc = _mm_xor_si128(fold(acc, k128), load_poly(p, swap));
        p += 16;
    }
    return omvrpc_crc16_table_update(reduce(acc), p, len & 15);
}

#else

int omvrpc_crc16_clmul_available(void)
{
    return 0;
}

#endif
