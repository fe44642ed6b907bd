/* The ideal master: the protocol's real bytes, each request written the
 * moment the OpenMV-timed slave says it listens (its listening hook),
 * and never before, so nothing it sends is flushed and no attempt of the
 * slave runs out. Its calls are the least time that slave lets any
 * master take. It waits by spinning (yielding the core) on an atomic
 * word: a sleep would add a wake-up no master that knew would pay. */
#include <sched.h>
#include <string.h>

#include "bench_ideal.h"
#include "peers.h"

#define MAGIC_HEADER 0x1209u
#define MAGIC_DATA 0xABD1u
#define MAGIC_RESULT_HEADER 0x9021u
#define MAGIC_RESULT_DATA 0x1DBAu
#define MAX_PAYLOAD 256u
/* How long an answer may take. A resend only follows an answer that is
 * lost or bad, so this can be generous; a short one could send a request
 * while the slave still reads the last, breaking its sequence. */
#define ANSWER_MS 100u

void bench_ideal_init(bench_ideal *im, omv_rpc_link *link)
{
    im->link = link;
    atomic_init(&im->listening, 0u);
    im->answered = 0;
    im->resends = 0;
    im->lapsed = 0;
}

void bench_ideal_forget(bench_ideal *im)
{
    im->answered = atomic_load_explicit(&im->listening, memory_order_acquire);
}

void bench_ideal_listening(void *user, int phase)
{
    bench_ideal *im = user;
    unsigned now = atomic_load_explicit(&im->listening, memory_order_relaxed);
    atomic_store_explicit(&im->listening, ((now >> 2) + 1u) << 2 | ((unsigned)phase & 3u),
                          memory_order_release);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* Until an attempt of `phase` has begun that no request went to yet;
 * 0 when `deadline` (bench_now_s) passed first. */
static int await_listening(bench_ideal *im, int phase, double deadline)
{
    for (;;) {
        unsigned now = atomic_load_explicit(&im->listening, memory_order_acquire);
        if (now != im->answered && (int)(now & 3u) == phase) {
            /* Each attempt posts once: any between the last one answered
             * and this one ran out unanswered. */
            im->lapsed += (now >> 2) - (im->answered >> 2) - 1u;
            im->answered = now;
            return 1;
        }
        if (bench_now_s() > deadline) {
            return 0;
        }
        sched_yield();
    }
}

/* Write `pkt` and read `len` bytes of answer into `in`, valid with `magic`. */
static int exchange(bench_ideal *im, const uint8_t *pkt, size_t pkt_len, uint8_t *in, size_t len,
                    uint16_t magic)
{
    return omv_rpc_link_write(im->link, pkt, pkt_len, ANSWER_MS) == OMV_RPC_OK &&
           omv_rpc_link_read(im->link, in, len, ANSWER_MS) == OMV_RPC_OK &&
           omvrpc_peer_valid(in, len, magic);
}

/* A lost or bad answer: drop what came, and wait for the next attempt. */
static void resend_later(bench_ideal *im)
{
    im->resends++;
    im->link->ops->flush(im->link->ctx);
}

static omv_rpc_status put_command(bench_ideal *im, uint32_t command, const uint8_t *arg, size_t len,
                                  double deadline)
{
    uint8_t header[12], data[MAX_PAYLOAD + 4], ack[4], fields[8];
    put_u32(fields, command);
    put_u32(fields + 4, (uint32_t)len);
    omvrpc_peer_packet(header, MAGIC_HEADER, fields, 8);
    size_t data_len = omvrpc_peer_packet(data, MAGIC_DATA, arg, len);
    while (await_listening(im, 1, deadline)) {
        if (exchange(im, header, 12, ack, 4, MAGIC_HEADER) &&
            exchange(im, data, data_len, ack, 4, MAGIC_DATA)) {
            return OMV_RPC_OK;
        }
        resend_later(im);
    }
    return OMV_RPC_ERR_SEND_TIMEOUT;
}

static omv_rpc_status get_result(bench_ideal *im, uint8_t *res, size_t res_size, size_t *res_len,
                                 double deadline)
{
    uint8_t header_req[4], data_req[4], header[8], data[MAX_PAYLOAD + 4];
    omvrpc_peer_packet(header_req, MAGIC_RESULT_HEADER, NULL, 0);
    omvrpc_peer_packet(data_req, MAGIC_RESULT_DATA, NULL, 0);
    while (await_listening(im, 2, deadline)) {
        if (exchange(im, header_req, 4, header, 8, MAGIC_RESULT_HEADER)) {
            size_t len = (size_t)header[2] | (size_t)header[3] << 8 | (size_t)header[4] << 16 |
                         (size_t)header[5] << 24;
            if (len > res_size || len > MAX_PAYLOAD) {
                return OMV_RPC_ERR_TOO_LARGE;
            }
            if (exchange(im, data_req, 4, data, len + 4, MAGIC_RESULT_DATA)) {
                memcpy(res, data + 2, len);
                *res_len = len;
                return OMV_RPC_OK;
            }
        }
        resend_later(im);
    }
    return OMV_RPC_ERR_RECV_TIMEOUT;
}

omv_rpc_status bench_ideal_call(bench_ideal *im, uint32_t command, const uint8_t *arg, size_t len,
                                uint8_t *res, size_t res_size, size_t *res_len, uint32_t timeout_ms)
{
    if (len > MAX_PAYLOAD) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st = put_command(im, command, arg, len, bench_now_s() + timeout_ms * 1e-3);
    if (st == OMV_RPC_OK) {
        st = get_result(im, res, res_size, res_len, bench_now_s() + timeout_ms * 1e-3);
    }
    return st;
}
