/* The CRC-16's carry-less-multiply path (crc16_clmul.c) against its table
 * path (crc16.c): lengths, misalignments, running values, pieces, and the
 * folding constants recomputed bit by bit. */
#include <stdlib.h>
#include <string.h>

#include "crc16_clmul_consts.h"
#include "crc16_impl.h"
#include "test_support.h"

/* Skips, saying why, where the CLMUL path cannot run: a test that compared
 * nothing must not pass. */
#define NEED_CLMUL()                                                             \
    do {                                                                         \
        if (!omvrpc_crc16_clmul_available()) {                                   \
            print_message("CLMUL CRC path %s: nothing to compare, skipped\n",    \
                          OMV_RPC_CRC16_CLMUL ? "unsupported by this CPU"        \
                                              : "not compiled for this target"); \
            skip();                                                              \
        }                                                                        \
    } while (0)

#if OMV_RPC_CRC16_CLMUL
#define CLMUL(crc, p, n) omvrpc_crc16_clmul_update(crc, p, n)
#else
#define CLMUL(crc, p, n) omvrpc_crc16_table_update(crc, p, n) /* never reached */
#endif

/* CRC-16/CCITT-FALSE one bit at a time, from its definition. */
static uint16_t crc_bitwise(uint16_t crc, const uint8_t *p, size_t len)
{
    while (len--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int b = 0; b < 8; b++) {
            crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        }
    }
    return crc;
}

/* x^k mod P, multiplying by x k times. */
static uint32_t xpow_mod(unsigned k)
{
    uint32_t r = 1;
    while (k--) {
        r <<= 1;
        if (r & 0x10000u) {
            r ^= OMV_RPC_CRC16_P;
        }
    }
    return r;
}

static void test_constants(void **state)
{
    (void)state;
    assert_int_equal(OMV_RPC_CRC16_P, 0x10000u | 0x1021u);
    assert_int_equal(OMV_RPC_CRC16_X80_MOD_P, xpow_mod(80));
    assert_int_equal(OMV_RPC_CRC16_X128_MOD_P, xpow_mod(128));
    assert_int_equal(OMV_RPC_CRC16_X192_MOD_P, xpow_mod(192));
    assert_int_equal(OMV_RPC_CRC16_X256_MOD_P, xpow_mod(256));
    assert_int_equal(OMV_RPC_CRC16_X320_MOD_P, xpow_mod(320));
    assert_int_equal(OMV_RPC_CRC16_X384_MOD_P, xpow_mod(384));
    assert_int_equal(OMV_RPC_CRC16_X448_MOD_P, xpow_mod(448));
    assert_int_equal(OMV_RPC_CRC16_X512_MOD_P, xpow_mod(512));
    assert_int_equal(OMV_RPC_CRC16_X576_MOD_P, xpow_mod(576));

    /* floor(x^80 / P) by long division: the remainder starts as x^80 (bit
     * 80 of an 81-bit number: rem_hi holds bits 64..80), and each quotient
     * bit k (64 down to 0) clears bit k+16 of the remainder. */
    uint32_t rem_hi = 1u << 16;
    uint64_t rem_lo = 0, quot_lo = 0;
    int quot_64 = 0;
    for (int k = 64; k >= 0; k--) {
        int bit = k + 16;
        int set = bit >= 64 ? (rem_hi >> (bit - 64)) & 1 : (int)((rem_lo >> bit) & 1);
        if (!set) {
            continue;
        }
        if (k == 64) {
            quot_64 = 1;
        } else {
            quot_lo |= (uint64_t)1 << k;
        }
        /* remainder ^= P * x^k, P = bits 0..16 */
        for (int i = 0; i <= 16; i++) {
            if ((OMV_RPC_CRC16_P >> i) & 1u) {
                int b = i + k;
                if (b >= 64) {
                    rem_hi ^= 1u << (b - 64);
                } else {
                    rem_lo ^= (uint64_t)1 << b;
                }
            }
        }
    }
    assert_int_equal(rem_hi, 0);
    assert_true(rem_lo < 0x10000u); /* the remainder has degree < 16 */
    assert_int_equal(quot_64, 1);   /* mu = x^64 + MU_LOW */
    assert_true(quot_lo == (uint64_t)OMV_RPC_CRC16_MU_LOW);
}

static void test_check_value(void **state)
{
    (void)state;
    const char *s = "123456789";
    assert_int_equal(omv_rpc_crc16(OMV_RPC_CRC16_INIT, s, 9), 0x29B1);
    assert_int_equal(omvrpc_crc16_table_update(OMV_RPC_CRC16_INIT, s, 9), 0x29B1);
    NEED_CLMUL();
    assert_int_equal(CLMUL(OMV_RPC_CRC16_INIT, s, 9), 0x29B1);
    /* The check string repeated: long enough for every CLMUL stage. */
    static uint8_t rep[9 * 100];
    for (size_t i = 0; i < sizeof rep; i += 9) {
        memcpy(rep + i, s, 9);
    }
    uint16_t want = crc_bitwise(OMV_RPC_CRC16_INIT, rep, sizeof rep);
    assert_int_equal(CLMUL(OMV_RPC_CRC16_INIT, rep, sizeof rep), want);
    assert_int_equal(omv_rpc_crc16(OMV_RPC_CRC16_INIT, rep, sizeof rep), want);
}

/* Every length 0..600 at every misalignment 0..15, random running values. */
static void test_every_length_and_alignment(void **state)
{
    (void)state;
    NEED_CLMUL();
    enum { MAX_LEN = 600 };
    uint8_t *mem = malloc(MAX_LEN + 32);
    assert_non_null(mem);
    ts_fill_random(mem, MAX_LEN + 32, 11);
    /* Offsets count from a 16-byte boundary. */
    uint8_t *buf = mem + (-(uintptr_t)mem & 15);
    uint32_t rng = 12345;
    for (size_t off = 0; off < 16; off++) {
        for (size_t len = 0; len <= MAX_LEN; len++) {
            uint16_t init = (uint16_t)ts_rand(&rng);
            uint16_t want = omvrpc_crc16_table_update(init, buf + off, len);
            assert_int_equal(CLMUL(init, buf + off, len), want);
            assert_int_equal(omv_rpc_crc16(init, buf + off, len), want);
        }
    }
    /* The table itself against the definition: every short length (each
     * way of ending after the 8-byte steps), then some long ones. */
    for (size_t len = 0; len <= MAX_LEN; len += len < 64 ? 1 : 37) {
        assert_int_equal(omvrpc_crc16_table_update(0x1D0F, buf + 3, len),
                         crc_bitwise(0x1D0F, buf + 3, len));
    }
    free(mem);
}

/* Random lengths up to 4 MiB at random offsets. */
static void test_random_long(void **state)
{
    (void)state;
    NEED_CLMUL();
    enum { MAX_LEN = 4 << 20 };
    uint8_t *buf = malloc(MAX_LEN + 16);
    assert_non_null(buf);
    ts_fill_random(buf, MAX_LEN + 16, 23);
    uint32_t rng = 777;
    for (int i = 0; i < 12; i++) {
        size_t len = ts_rand(&rng) % (MAX_LEN + 1);
        size_t off = ts_rand(&rng) % 16;
        uint16_t init = (uint16_t)ts_rand(&rng);
        uint16_t want = omvrpc_crc16_table_update(init, buf + off, len);
        assert_int_equal(CLMUL(init, buf + off, len), want);
        assert_int_equal(omv_rpc_crc16(init, buf + off, len), want);
    }
    /* The whole buffer, once by definition. */
    assert_int_equal(CLMUL(OMV_RPC_CRC16_INIT, buf, MAX_LEN),
                     crc_bitwise(OMV_RPC_CRC16_INIT, buf, MAX_LEN));
    free(buf);
}

/* One buffer fed in pieces cut at random points, short and long, gives
 * the CRC of the whole. */
static void test_chained_pieces(void **state)
{
    (void)state;
    NEED_CLMUL();
    enum { LEN = 1 << 20 };
    uint8_t *buf = malloc(LEN);
    assert_non_null(buf);
    ts_fill_random(buf, LEN, 31);
    uint32_t rng = 4242;
    for (int round = 0; round < 8; round++) {
        uint16_t init = (uint16_t)ts_rand(&rng);
        uint16_t want = omvrpc_crc16_table_update(init, buf, LEN);
        uint16_t a = init, b = init;
        size_t at = 0;
        while (at < LEN) {
            uint32_t r = ts_rand(&rng);
            /* Mostly short pieces (about the threshold), sometimes long. */
            size_t n = (r & 7) == 0 ? r % 200000 : r % 300;
            if (n > LEN - at) {
                n = LEN - at;
            }
            a = CLMUL(a, buf + at, n);
            b = omv_rpc_crc16(b, buf + at, n);
            at += n;
        }
        assert_int_equal(a, want);
        assert_int_equal(b, want);
    }
    free(buf);
}

/* All-zero and all-0xFF inputs, from running values 0, 0xFFFF and others. */
static void test_uniform_buffers(void **state)
{
    (void)state;
    NEED_CLMUL();
    enum { LEN = (1 << 20) + 7 };
    static const size_t lens[] = {0,   1,   15,  16,  17,  63,   64,   65,    127,
                                  128, 129, 255, 256, 257, 1000, 4096, 65537, LEN - 1};
    static const uint16_t inits[] = {0x0000, 0xFFFF, 0x1D0F, 0x8000, 0x0001};
    uint8_t *buf = malloc(LEN);
    assert_non_null(buf);
    for (int fill = 0; fill < 2; fill++) {
        memset(buf, fill ? 0xFF : 0x00, LEN);
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            for (size_t j = 0; j < sizeof inits / sizeof inits[0]; j++) {
                for (size_t off = 0; off <= 1; off++) {
                    size_t n = lens[i];
                    uint16_t want = omvrpc_crc16_table_update(inits[j], buf + off, n);
                    assert_int_equal(CLMUL(inits[j], buf + off, n), want);
                    assert_int_equal(omv_rpc_crc16(inits[j], buf + off, n), want);
                }
            }
        }
        /* A zero CRC over zeros stays zero: the folding adds nothing. */
        if (!fill) {
            assert_int_equal(CLMUL(0, buf, LEN - 1), 0);
        }
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_every_length_and_alignment),
        cmocka_unit_test(test_random_long),
        cmocka_unit_test(test_chained_pieces),
        cmocka_unit_test(test_uniform_buffers),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* 77: ctest reports the test as skipped (SKIP_RETURN_CODE, core.cmake)
     * when there was no CLMUL path to compare. */
    return failed == 0 && !omvrpc_crc16_clmul_available() ? 77 : failed;
}
