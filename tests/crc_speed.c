/* CRC-16 throughput by hand, not a test: `crc_speed [MiB]` prints GB/s of
 * the table path, the CLMUL path, omv_rpc_crc16 and memcpy over one buffer
 * (64 MiB by default), then the cost per call of short inputs for both paths
 * (how OMV_RPC_CRC16_CLMUL_MIN was chosen). Build Release for figures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crc16_impl.h"
#include "omv_rpc/rpc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef uint16_t (*crc_fn)(uint16_t, const void *, size_t);

static volatile uint16_t sink;

/* Best of `reps` passes over len bytes, in GB/s. */
static double gbps(crc_fn f, const uint8_t *buf, size_t len, int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t = now();
        sink = f(OMV_RPC_CRC16_INIT, buf, len);
        t = now() - t;
        best = t < best ? t : best;
    }
    return (double)len / best / 1e9;
}

/* Nanoseconds per call on `len` bytes, start offsets cycling through 0..15. */
static double ns_per_call(crc_fn f, const uint8_t *buf, size_t len)
{
    enum { CALLS = 200000 };
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        uint16_t crc = OMV_RPC_CRC16_INIT;
        double t = now();
        for (int i = 0; i < CALLS; i++) {
            crc = f(crc, buf + (i & 15), len);
        }
        t = now() - t;
        sink = crc;
        best = t < best ? t : best;
    }
    return best / CALLS * 1e9;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
    size_t len = mib << 20;
    uint8_t *src = malloc(len + 16), *dst = malloc(len + 16);
    if (!src || !dst || !len) {
        fprintf(stderr, "usage: crc_speed [MiB > 0]\n");
        return 2;
    }
    for (size_t i = 0; i < len + 16; i++) {
        src[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    memset(dst, 0, len + 16); /* fault the pages in before timing */

    double mc = 1e30;
    for (int r = 0; r < 5; r++) {
        double t = now();
        memcpy(dst, src, len);
        t = now() - t;
        sink = dst[len / 2];
        mc = t < mc ? t : mc;
    }
    int have = omvrpc_crc16_clmul_available();
    printf("%zu MiB: memcpy %.2f GB/s, table %.2f GB/s", mib, (double)len / mc / 1e9,
           gbps(omvrpc_crc16_table_update, src, len, 5));
#if OMV_RPC_CRC16_CLMUL
    if (have) {
        printf(", clmul %.2f GB/s", gbps(omvrpc_crc16_clmul_update, src, len, 5));
    }
#endif
    printf(", omv_rpc_crc16 %.2f GB/s%s\n", gbps(omv_rpc_crc16, src, len, 5),
           have ? "" : " (no CLMUL here)");

    printf("bytes  table ns  clmul ns   (per call, start offset 0..15)\n");
    static const size_t sizes[] = {16,  32,  48,  64,  80,  96,   112,
                                   128, 160, 192, 256, 512, 1024, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        printf("%5zu  %8.1f", sizes[i], ns_per_call(omvrpc_crc16_table_update, src, sizes[i]));
#if OMV_RPC_CRC16_CLMUL
        if (have) {
            printf("  %8.1f", ns_per_call(omvrpc_crc16_clmul_update, src, sizes[i]));
        }
#endif
        printf("\n");
    }
    free(src);
    free(dst);
    return 0;
}
