/* The baseline: each link's physical limit measured with its own
 * get_bytes / put_bytes and no protocol, on the very ends the protocol
 * runs on next: the round trip of a 12-byte ping and a 4-byte pong (the
 * sizes of a command header and its ack), and one-way throughput. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench_raw.h"

static uint32_t wait_ms(const omv_rpc_link *link, size_t len)
{
    uint32_t wire = link->ops->transfer_ms ? link->ops->transfer_ms(link->ctx, len) : 0;
    return 5000u + wire;
}

/* A well-formed command header (12 bytes): a network slave learns its
 * master from one, so every first message of a baseline is one. */
static void make_ping(uint8_t ping[12])
{
    memset(ping, 0, 12);
    ping[0] = 0x09;
    ping[1] = 0x12;
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, ping, 10);
    ping[10] = (uint8_t)crc;
    ping[11] = (uint8_t)(crc >> 8);
}

typedef struct raw_peer {
    omv_rpc_link *link;
    size_t iters; /* round trips to answer */
    uint8_t *buf; /* bytes to send (throughput) */
    size_t len;
    omv_rpc_status st;
} raw_peer;

static void *pong_run(void *arg)
{
    raw_peer *p = arg;
    bench_pin_end(BENCH_SLAVE_END);
    uint8_t ping[12], pong[4] = {1, 2, 3, 4};
    p->st = OMV_RPC_OK;
    for (size_t i = 0; i < p->iters && p->st == OMV_RPC_OK; i++) {
        p->st = omv_rpc_link_read(p->link, ping, sizeof ping, wait_ms(p->link, 12));
        if (p->st == OMV_RPC_OK) {
            p->st = omv_rpc_link_write(p->link, pong, sizeof pong, wait_ms(p->link, 4));
        }
    }
    return NULL;
}

omv_rpc_status bench_raw_rtt_samples(omv_rpc_link *master, omv_rpc_link *slave, size_t iters,
                                     double *t)
{
    raw_peer peer = {slave, iters, NULL, 0, OMV_RPC_OK};
    pthread_t th;
    if (pthread_create(&th, NULL, pong_run, &peer) != 0) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    uint8_t ping[12], pong[4];
    make_ping(ping);
    omv_rpc_status st = OMV_RPC_OK;
    size_t done = 0;
    for (; done < iters && st == OMV_RPC_OK; done++) {
        double t0 = bench_now_s();
        st = omv_rpc_link_write(master, ping, sizeof ping, wait_ms(master, 12));
        if (st == OMV_RPC_OK) {
            st = omv_rpc_link_read(master, pong, sizeof pong, wait_ms(master, 4));
        }
        t[done] = bench_now_s() - t0;
    }
    pthread_join(th, NULL);
    return st == OMV_RPC_OK ? peer.st : st;
}

omv_rpc_status bench_raw_rtt(omv_rpc_link *master, omv_rpc_link *slave, size_t iters,
                             double *median_s, double *p99_s)
{
    double *t = calloc(iters, sizeof *t);
    if (!t) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_status st = bench_raw_rtt_samples(master, slave, iters, t);
    if (st == OMV_RPC_OK) {
        *median_s = bench_median(t, iters);
        *p99_s = bench_percentile(t, iters, 99);
    }
    free(t);
    return st;
}

static void *send_run(void *arg)
{
    raw_peer *p = arg;
    bench_pin_end(BENCH_SLAVE_END);
    uint8_t go[12];
    p->st = omv_rpc_link_read(p->link, go, sizeof go, wait_ms(p->link, 12));
    if (p->st == OMV_RPC_OK) {
        p->st = omv_rpc_link_write(p->link, p->buf, p->len, wait_ms(p->link, p->len));
    }
    return NULL;
}

static omv_rpc_status raw_transfer(omv_rpc_link *master, omv_rpc_link *slave, uint8_t *src,
                                   uint8_t *dst, size_t len, double *bytes_per_s, double *cpu_s)
{
    raw_peer peer = {slave, 0, src, len, OMV_RPC_OK};
    pthread_t th;
    if (pthread_create(&th, NULL, send_run, &peer) != 0) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    uint8_t go[12];
    make_ping(go);
    double c0 = bench_cpu_s(), t0 = bench_now_s();
    omv_rpc_status st = omv_rpc_link_write(master, go, sizeof go, wait_ms(master, 12));
    if (st == OMV_RPC_OK) {
        st = omv_rpc_link_read(master, dst, len, wait_ms(master, len));
    }
    double t1 = bench_now_s();
    pthread_join(th, NULL);
    double c1 = bench_cpu_s();
    if (st == OMV_RPC_OK) {
        st = peer.st;
    }
    if (st == OMV_RPC_OK && memcmp(src, dst, len) != 0) {
        st = OMV_RPC_ERR_BAD_PACKET;
    }
    *bytes_per_s = (double)len / (t1 - t0);
    *cpu_s = c1 - c0;
    return st;
}

omv_rpc_status bench_raw_throughput(omv_rpc_link *master, omv_rpc_link *slave, uint8_t *src,
                                    uint8_t *dst, size_t len, int repeats, double *bytes_per_s,
                                    double *cpu_s)
{
    /* A short untimed transfer first: the network link sets up its TCP
     * connection on the first large transfer, and the protocol's figures
     * that follow find it open. */
    size_t warm = len < 16384 ? len : 16384;
    omv_rpc_status st = raw_transfer(master, slave, src, dst, warm, bytes_per_s, cpu_s);
    if (st != OMV_RPC_OK) {
        return st;
    }
    /* Best of `repeats`: other work on the machine only ever slows a run. */
    *bytes_per_s = 0;
    for (int i = 0; i < repeats && st == OMV_RPC_OK; i++) {
        double bps = 0, cpu = 0;
        st = raw_transfer(master, slave, src, dst, len, &bps, &cpu);
        if (st == OMV_RPC_OK && bps > *bytes_per_s) {
            *bytes_per_s = bps;
            *cpu_s = cpu;
        }
    }
    return st;
}
