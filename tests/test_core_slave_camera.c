/* The slave with OpenMV's camera timing (omv_rpc_slave_set_timing,
 * core/slave_camera.c), played by hand on a link whose clock moves only
 * when a read waits for nothing: every attempt of both phases flushes
 * first (a request sent before the flush is dropped and never answered),
 * its short waits are 2, 3, 4... ms (x10 with the network's scale), the
 * command data gets the 5 s long timeout, and the same scripts against
 * our default timing show the difference. Then our master against it on
 * an in-process pair, at callback times of 0, 1 and 10 ms and with a
 * cut-through after the call: right results, one callback per call. No
 * timing is asserted there. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fake_peer.h"
#include "flat_link.h"
#include "test_support.h"

#define MAX_READS 64

/* The link: bytes the scripted master sent wait in `in`; a read that
 * finds too few takes nothing and moves the clock by its timeout. */
typedef struct cam_link {
    uint32_t clock;
    uint8_t in[512];
    size_t in_len;
    uint8_t out[4096]; /* everything the slave sent */
    size_t out_len;
    /* Every read: its length, its timeout, whether it found its bytes. */
    size_t read_len[MAX_READS];
    uint32_t read_ms[MAX_READS];
    int read_ok[MAX_READS];
    size_t reads;
    unsigned flushes;
    size_t flushed_bytes;
    /* The scripted master, told after each flush and each send. */
    void (*on_flush)(struct cam_link *l);
    void (*on_send)(struct cam_link *l, const uint8_t *sent, size_t len);
    int step;
    int ask_again; /* the call's script: ask for the result after a flush */
} cam_link;

static void push(cam_link *l, const uint8_t *p, size_t len)
{
    assert_true(l->in_len + len <= sizeof l->in);
    memcpy(l->in + l->in_len, p, len);
    l->in_len += len;
}

static void push_packet(cam_link *l, uint16_t magic, const void *payload, size_t len)
{
    uint8_t pkt[64];
    push(l, pkt, ts_packet(pkt, magic, payload, len));
}

static omv_rpc_status cl_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    cam_link *l = ctx;
    assert_true(l->reads < MAX_READS);
    size_t r = l->reads++;
    l->read_len[r] = len;
    l->read_ms[r] = timeout_ms;
    l->read_ok[r] = l->in_len >= len;
    if (!l->read_ok[r]) {
        l->clock += timeout_ms; /* time passes while nothing comes */
        return OMV_RPC_ERR_TIMEOUT;
    }
    memcpy(buf, l->in, len);
    memmove(l->in, l->in + len, l->in_len - len);
    l->in_len -= len;
    return OMV_RPC_OK;
}

static omv_rpc_status cl_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    cam_link *l = ctx;
    assert_true(l->out_len + len <= sizeof l->out);
    memcpy(l->out + l->out_len, buf, len);
    l->out_len += len;
    if (l->on_send) {
        l->on_send(l, buf, len);
    }
    return OMV_RPC_OK;
}

static void cl_flush(void *ctx)
{
    cam_link *l = ctx;
    l->flushes++;
    l->flushed_bytes += l->in_len;
    l->in_len = 0;
    if (l->on_flush) {
        l->on_flush(l);
    }
}

static uint32_t cl_now(void *ctx)
{
    return ((cam_link *)ctx)->clock;
}

TS_FLAT_OPS(cam_ops, cl_get, cl_put)

static const omv_rpc_link_ops cam_link_ops = {.size = sizeof(omv_rpc_link_ops),
                                              .recv = cam_ops_recv,
                                              .send = cam_ops_send,
                                              .flush = cl_flush,
                                              .now_ms = cl_now};

static unsigned g_attempts;
static void count_attempt(omv_rpc_slave *s, void *user)
{
    (void)s;
    (void)user;
    g_attempts++;
}

/* A slave on `l` in `timing`, its attempts counted. */
static omv_rpc_slave *slave_on(cam_link *l, uint32_t scale, omv_rpc_slave_timing timing)
{
    omv_rpc_link link = {.ops = &cam_link_ops,
                         .ctx = l,
                         .flags = OMV_RPC_LINK_BYTE_STREAM,
                         .short_timeout_scale = scale};
    omv_rpc_slave *s;
    omv_rpc_config cfg = ts_logged_config();
    assert_int_equal(omv_rpc_slave_new(&s, &link, &cfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_set_timing(s, timing), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_get_timing(s), timing);
    omv_rpc_slave_set_attempt_callback(s, count_attempt, NULL);
    g_attempts = 0;
    return s;
}

static void push_command_header(cam_link *l, const char *name, uint32_t len)
{
    uint8_t hdr[8];
    uint32_t cmd = omv_rpc_hash_str(name);
    for (int i = 0; i < 4; i++) {
        hdr[i] = (uint8_t)(cmd >> (8 * i));
        hdr[4 + i] = (uint8_t)(len >> (8 * i));
    }
    push_packet(l, 0x1209, hdr, 8);
}

/* A command header that came before the slave's first attempt is flushed
 * and never acked; the attempts wait 2, 3, 4, 5, 6 ms (x scale) and fill
 * the receive timeout. */
static void check_early_command_dropped(uint32_t scale)
{
    cam_link l;
    memset(&l, 0, sizeof l);
    push_command_header(&l, "echo", 0);
    omv_rpc_slave *s = slave_on(&l, scale, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA);
    assert_int_equal(omv_rpc_slave_loop_once(s, 20 * scale, 1000), OMV_RPC_ERR_TIMEOUT);
    assert_int_equal(l.flushed_bytes, 12);
    assert_int_equal(l.out_len, 0); /* not acked */
    assert_int_equal(l.reads, 5);
    for (size_t i = 0; i < l.reads; i++) {
        assert_int_equal(l.read_len[i], 12);
        assert_int_equal(l.read_ms[i], (2 + i) * scale);
        assert_false(l.read_ok[i]);
    }
    assert_int_equal(l.flushes, 5);
    assert_int_equal(g_attempts, 5);
    omv_rpc_slave_free(s);
}

static void test_camera_drops_a_command_sent_before_its_flush(void **state)
{
    (void)state;
    check_early_command_dropped(1);
}

static void test_camera_short_timeouts_scaled_by_the_link(void **state)
{
    (void)state;
    check_early_command_dropped(10);
}

/* Our own timing takes the same early header (and acks it). */
static void test_default_timing_takes_the_early_command(void **state)
{
    (void)state;
    cam_link l;
    memset(&l, 0, sizeof l);
    push_command_header(&l, "echo", 0);
    omv_rpc_slave *s = slave_on(&l, 1, OMV_RPC_SLAVE_TIMING_OMVRPC);
    (void)omv_rpc_slave_loop_once(s, 20, 1000);
    uint8_t ack[4];
    ts_packet(ack, 0x1209, NULL, 0);
    assert_true(l.out_len >= 4);
    assert_memory_equal(l.out, ack, 4);
    assert_int_equal(g_attempts, 0); /* the attempt callback is the camera's */
    omv_rpc_slave_free(s);
}

/* --------------------------------------------------------- a whole call */

/* The master of a whole call of "echo" with "abc": the command header
 * after the slave's first flush, the data after its ack; the result
 * header request while the callback runs (before put_result's first
 * flush), again after put_result's second flush; the data request after
 * the result header. */
static void call_on_flush(cam_link *l)
{
    if (l->step == 0) {
        push_command_header(l, "echo", 3);
        l->step = 1;
    } else if (l->step == 3 && l->ask_again && l->flushes >= 3) {
        push_packet(l, 0x9021, NULL, 0); /* asked again, after the flush */
        l->step = 4;
    }
}

static void call_on_send(cam_link *l, const uint8_t *sent, size_t len)
{
    uint16_t magic = (uint16_t)(sent[0] | (sent[1] << 8));
    if (l->step == 1 && len == 4 && magic == 0x1209) {
        push_packet(l, 0xABD1, "abc", 3);
        l->step = 2;
    } else if ((l->step == 3 || l->step == 4) && len == 8 && magic == 0x9021) {
        push_packet(l, 0x1DBA, NULL, 0);
        l->step = 5;
    }
}

static void echo_busy(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    cam_link *l = user;
    /* The master's first result request, sent at once after the data
     * ack, arrives while the callback runs. */
    push_packet(l, 0x9021, NULL, 0);
    l->step = 3;
    omv_rpc_slave_reply_copy(s, arg, len);
}

/* The bytes the slave sends for a whole echo call of "abc". */
static size_t expected_answers(uint8_t *out)
{
    uint8_t len_le[4] = {3, 0, 0, 0};
    size_t n = ts_packet(out, 0x1209, NULL, 0);
    n += ts_packet(out + n, 0xABD1, NULL, 0);
    n += ts_packet(out + n, 0x9021, len_le, 4);
    n += ts_packet(out + n, 0x1DBA, "abc", 3);
    return n;
}

static void run_call(cam_link *l, omv_rpc_slave_timing timing)
{
    memset(l, 0, sizeof *l);
    l->on_flush = call_on_flush;
    l->on_send = call_on_send;
    l->ask_again = timing == OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA;
    omv_rpc_slave *s = slave_on(l, 1, timing);
    assert_int_equal(omv_rpc_slave_register_callback(s, "echo", echo_busy, l), OMV_RPC_OK);
    if (timing == OMV_RPC_SLAVE_TIMING_OMVRPC) {
        /* Our slave flushes only after a packet: nothing starts the
         * script but the header itself. */
        call_on_flush(l);
    }
    assert_int_equal(omv_rpc_slave_loop_once(s, 100, 100), OMV_RPC_OK);
    uint8_t want[64];
    size_t want_len = expected_answers(want);
    assert_int_equal(l->out_len, want_len); /* the result header once */
    assert_memory_equal(l->out, want, want_len);
    assert_int_equal(omv_rpc_slave_calls_served(s), 1);
    omv_rpc_slave_free(s);
}

static void test_camera_drops_a_request_sent_while_busy(void **state)
{
    (void)state;
    cam_link l;
    run_call(&l, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA);
    /* Reads: the header (2 ms), the data (the long timeout), then the
     * result header request: dropped by the first flush, so 2 ms of
     * silence; the second attempt (3 ms) finds the new one, and its data
     * request (3 ms). */
    static const size_t lens[] = {12, 7, 4, 4, 4};
    static const uint32_t ms[] = {2, 5000, 2, 3, 3};
    static const int ok[] = {1, 1, 0, 1, 1};
    assert_int_equal(l.reads, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(l.read_len[i], lens[i]);
        assert_int_equal(l.read_ms[i], ms[i]);
        assert_int_equal(l.read_ok[i], ok[i]);
    }
    assert_int_equal(l.flushes, 3); /* one per attempt */
    assert_int_equal(g_attempts, 3);
    assert_int_equal(l.flushed_bytes, 4); /* the request sent while busy */
}

static void test_default_timing_answers_the_request_sent_while_busy(void **state)
{
    (void)state;
    cam_link l;
    run_call(&l, OMV_RPC_SLAVE_TIMING_OMVRPC);
    for (size_t i = 0; i < l.reads; i++) {
        assert_true(l.read_ok[i]); /* never a wait for nothing */
    }
    assert_int_equal(l.flushed_bytes, 0);
}

static void test_set_timing_refuses_bad_values(void **state)
{
    (void)state;
    cam_link l;
    memset(&l, 0, sizeof l);
    omv_rpc_slave *s = slave_on(&l, 1, OMV_RPC_SLAVE_TIMING_OMVRPC);
    assert_int_equal(omv_rpc_slave_set_timing(s, (omv_rpc_slave_timing)7), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_slave_set_timing(NULL, OMV_RPC_SLAVE_TIMING_OMVRPC),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_slave_get_timing(s), OMV_RPC_SLAVE_TIMING_OMVRPC);
    omv_rpc_slave_free(s);
}

/* ------------------------------------------- our master against it */

static void sleep_us(uint32_t us)
{
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&ts, NULL);
}

static uint32_t g_callback_us;
static unsigned g_callbacks;

/* The camera's callback: its argument reversed, after its own time. */
static void reverse(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    g_callbacks++;
    sleep_us(g_callback_us);
    uint8_t *out = omv_rpc_slave_reply_buffer(s, len);
    for (size_t i = 0; out && i < len; i++) {
        out[i] = arg[len - 1 - i];
    }
}

#define CUT_LEN 3000u
static uint8_t g_cut[CUT_LEN];
static void send_cut(omv_rpc_slave *s, void *user)
{
    (void)user;
    omv_rpc_put_bytes(omv_rpc_slave_link(s), g_cut, CUT_LEN, 1000);
}
static void cut(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    (void)user;
    omv_rpc_slave_schedule_callback(s, send_cut, NULL);
}

static void gc_pause(omv_rpc_slave *s, void *user)
{
    (void)s;
    (void)user;
    sleep_us(100);
}

static void run_pair(uint32_t callback_us, int calls)
{
    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    omv_rpc_slave *s;
    omv_rpc_config cfg = ts_logged_config();
    assert_int_equal(omv_rpc_master_new(&m, &a, &cfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&s, &b, &cfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_set_timing(s, OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA), OMV_RPC_OK);
    omv_rpc_slave_set_attempt_callback(s, gc_pause, NULL);
    assert_int_equal(omv_rpc_slave_register_callback(s, "f", reverse, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_register_callback(s, "cut", cut, NULL), OMV_RPC_OK);
    g_callback_us = callback_us;
    g_callbacks = 0;
    ts_fill_random(g_cut, CUT_LEN, 99);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, s);

    uint32_t rng = 11;
    int failed = 0, wrong = 0;
    uint8_t arg[64], want[64];
    for (int i = 0; i < calls; i++) {
        size_t len = ts_rand(&rng) % (sizeof arg + 1);
        ts_fill_random(arg, len, (uint32_t)i + 7);
        for (size_t k = 0; k < len; k++) {
            want[k] = arg[len - 1 - k];
        }
        const uint8_t *res = NULL;
        size_t res_len = 0;
        omv_rpc_status st = omv_rpc_master_call(m, "f", arg, len, &res, &res_len, 1000, 1000);
        if (st != OMV_RPC_OK) {
            printf("call %d (%zu bytes): %s\n", i, len, omv_rpc_status_name(st));
            failed++;
        } else if (res_len != len || (len && memcmp(res, want, len) != 0)) {
            wrong++;
        }
    }
    /* A cut-through after a call still lines up. */
    uint8_t got[CUT_LEN];
    assert_int_equal(omv_rpc_master_call(m, "cut", NULL, 0, NULL, NULL, 1000, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(m), got, CUT_LEN, 1000), OMV_RPC_OK);
    assert_memory_equal(got, g_cut, CUT_LEN);
    assert_int_equal(omv_rpc_master_call(m, "f", "xy", 2, NULL, NULL, 1000, 1000), OMV_RPC_OK);

    ts_slave_thread_stop(&t);
    printf("callback %u us: %d calls, %d failed, %d wrong, %u callbacks, %u master retries\n",
           (unsigned)callback_us, calls, failed, wrong, g_callbacks,
           (unsigned)omv_rpc_master_retries(m));
    assert_int_equal(failed, 0);
    assert_int_equal(wrong, 0);
    assert_int_equal(g_callbacks, (unsigned)calls + 1);
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
}

static void test_master_against_camera_callback_0_ms(void **state)
{
    (void)state;
    run_pair(0, 200);
}

static void test_master_against_camera_callback_1_ms(void **state)
{
    (void)state;
    run_pair(1000, 100);
}

static void test_master_against_camera_callback_10_ms(void **state)
{
    (void)state;
    run_pair(10000, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camera_drops_a_command_sent_before_its_flush),
        cmocka_unit_test(test_camera_short_timeouts_scaled_by_the_link),
        cmocka_unit_test(test_default_timing_takes_the_early_command),
        cmocka_unit_test(test_camera_drops_a_request_sent_while_busy),
        cmocka_unit_test(test_default_timing_answers_the_request_sent_while_busy),
        cmocka_unit_test(test_set_timing_refuses_bad_values),
        cmocka_unit_test(test_master_against_camera_callback_0_ms),
        cmocka_unit_test(test_master_against_camera_callback_1_ms),
        cmocka_unit_test(test_master_against_camera_callback_10_ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
