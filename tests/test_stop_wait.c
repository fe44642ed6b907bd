/* Waits are for progress, and stop means stop (issue 19, parts 1 and 2),
 * over an in-process pair (given a pace of 1 MB/s, as a USB port has), a
 * pseudo-terminal and the loopback network:
 * - a peer that announces 64 MiB (a result, an argument, a stream frame)
 *   and goes silent is given up in about the phase's silence allowance,
 *   not the 64 MiB's wire time (67 s at 1 MB/s, 134 s on the network);
 *   so is a cut-through read that nothing feeds;
 * - omv_rpc_master_abort (from another thread or a signal handler) ends a
 *   call, a stream or a cut-through read in progress with
 *   OMV_RPC_ERR_ABORTED, once; omv_rpc_slave_stop ends the loop while it
 *   waits, while it receives, and a stream writer whose frames keep
 *   coming.
 * Bounds are generous (several times what is expected) for a loaded
 * machine; what they tell apart is seconds from a minute or more. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "liar_link.h"
#include "pty_pair.h"
#include "test_net_support.h"
#include "test_support.h"

#define MIB (1024u * 1024u)
#define ANNOUNCED (64u * MIB)
/* A wait that would be the whole test's undoing if it were not stopped. */
#define LONG_WAIT_MS 20000u
/* When another thread or a timer asks to stop. */
#define STOP_AFTER_MS 200u
/* What a stop may take at most here: 100 ms expected, a loaded machine. */
#define STOP_BOUND_MS 1500u

typedef enum kind { PAIR, PTY, NET } kind;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The master's end and the slave's end of a new link of `k`. The pair
 * gets a pace (a wrapper that lies about nothing). */
static void open_links(kind k, omv_rpc_link *m, omv_rpc_link *s)
{
    if (k == PAIR) {
        omv_rpc_link a, b;
        const liar_opts paced = {0, 0, 0, 1000};
        assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
        liar_wrap(m, &a, &paced);
        liar_wrap(s, &b, &paced);
    } else if (k == PTY) {
        pty_pair p;
        pty_pair_open(&p);
        /* Baud rate 0: a USB virtual COM port, paced at 1 MB/s. */
        assert_int_equal(omv_rpc_serial_open(m, p.path, 0, NULL), OMV_RPC_OK);
        assert_int_equal(omv_rpc_serial_open_fd(s, pty_pair_take_controller(&p), "pty", 0, NULL),
                         OMV_RPC_OK);
        pty_pair_close(&p);
    } else {
        uint16_t port = tn_free_port();
        assert_int_equal(omv_rpc_net_master_open(m, TN_SLAVE_IP, TN_MASTER_IP, port, NULL),
                         OMV_RPC_OK);
        assert_int_equal(omv_rpc_net_slave_open(s, TN_SLAVE_IP, port, NULL, 0, NULL), OMV_RPC_OK);
    }
}

/* A link that lies about the header `magic` (its length at `offset`),
 * then goes silent. */
static void lie_on(omv_rpc_link *link, uint16_t magic, size_t offset)
{
    omv_rpc_link inner = *link;
    const liar_opts lie = {magic, offset, ANNOUNCED, 0};
    liar_wrap(link, &inner, &lie);
}

typedef struct ends {
    omv_rpc_master *master;
    omv_rpc_slave *slave;
} ends;

static void open_ends(kind k, ends *e, uint16_t master_lies, size_t moff, uint16_t slave_lies,
                      size_t soff)
{
    omv_rpc_link m, s;
    open_links(k, &m, &s);
    if (master_lies) {
        lie_on(&m, master_lies, moff);
    }
    if (slave_lies) {
        lie_on(&s, slave_lies, soff);
    }
    omv_rpc_config cfg = ts_logged_config();
    assert_int_equal(omv_rpc_master_new(&e->master, &m, &cfg), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_new(&e->slave, &s, &cfg), OMV_RPC_OK);
    ts_register_standard_callbacks(e->slave);
}

/* One call served, so that a network slave knows its master (it connects
 * to it for a stream's TCP); the slave is left ready to serve again. */
static void introduce(ends *e)
{
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, e->slave);
    assert_int_equal(omv_rpc_master_call(e->master, "echo", "hi", 2, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    ts_slave_thread_stop(&t);
    omv_rpc_slave_clear_stop(e->slave);
}

static void close_ends(ends *e)
{
    omv_rpc_master_free(e->master);
    omv_rpc_slave_free(e->slave);
}

/* ----------------------------------------------------- helper threads */

/* The slave's loop (or one of its streams) on a thread. */
typedef struct runner {
    ts_thread thread;
    omv_rpc_slave *slave;
    omv_rpc_master *master;
    uint32_t timeout_ms;
    omv_rpc_status result;
    double took_ms; /* from start to return */
    volatile int frames;
} runner;

static void *run_loop(void *arg)
{
    runner *r = arg;
    double t0 = now_ms();
    r->result = omv_rpc_slave_loop(r->slave, r->timeout_ms, r->timeout_ms);
    r->took_ms = now_ms() - t0;
    return NULL;
}

static void *run_call(void *arg)
{
    runner *r = arg;
    uint8_t four[4] = {0};
    r->result =
        omv_rpc_master_call(r->master, "echo", four, 4, NULL, NULL, r->timeout_ms, r->timeout_ms);
    return NULL;
}

static uint8_t frame_bytes[16];

static int keep_writing(void *user, const uint8_t **frame, size_t *len)
{
    runner *r = user;
    r->frames++;
    *frame = frame_bytes;
    *len = sizeof frame_bytes;
    return 0;
}

static void *run_slave_writer(void *arg)
{
    runner *r = arg;
    double t0 = now_ms();
    r->result = omv_rpc_slave_stream_writer(r->slave, keep_writing, r, r->timeout_ms);
    r->took_ms = now_ms() - t0;
    return NULL;
}

static int keep_reading(void *user, const uint8_t *frame, size_t len)
{
    (void)frame;
    (void)len;
    ((runner *)user)->frames++;
    return 0;
}

static void *run_master_reader(void *arg)
{
    runner *r = arg;
    r->result = omv_rpc_master_stream_reader(r->master, keep_reading, r, 8, r->timeout_ms);
    return NULL;
}

/* Abort the master or stop the slave after STOP_AFTER_MS. */
typedef struct stopper {
    ts_thread thread;
    omv_rpc_master *master;
    omv_rpc_slave *slave;
} stopper;

static void *stop_later(void *arg)
{
    stopper *s = arg;
    sleep_ms(STOP_AFTER_MS);
    if (s->master) {
        omv_rpc_master_abort(s->master);
    }
    if (s->slave) {
        omv_rpc_slave_stop(s->slave);
    }
    return NULL;
}

static void stop_from_thread(stopper *s, omv_rpc_master *m, omv_rpc_slave *sl)
{
    s->master = m;
    s->slave = sl;
    ts_thread_start(&s->thread, stop_later, s);
}

/* The same from a signal handler (SIGALRM, on whatever thread). */
static omv_rpc_master *volatile alarm_master;
static omv_rpc_slave *volatile alarm_slave;

static void on_alarm(int sig)
{
    (void)sig;
    omv_rpc_master_abort(alarm_master); /* NULL: no-op */
    omv_rpc_slave_stop(alarm_slave);
}

static void stop_from_signal(omv_rpc_master *m, omv_rpc_slave *s)
{
    alarm_master = m;
    alarm_slave = s;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval t = {{0, 0}, {0, (suseconds_t)STOP_AFTER_MS * 1000}};
    assert_int_equal(setitimer(ITIMER_REAL, &t, NULL), 0);
}

static void signal_done(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    alarm_master = NULL;
    alarm_slave = NULL;
}

static kind kind_of(void **state)
{
    return (kind)(intptr_t)*state;
}

/* ------------------------------------------------ part 1: progress */

/* Magics and where the length sits in the header's payload. */
#define COMMAND_HEADER 0x1209u
#define COMMAND_DATA 0xABD1u
#define RESULT_HEADER 0x9021u
#define STREAM_FRAME 0x542Eu

/* The slave answers with a result header announcing 64 MiB and goes
 * silent: the call fails in about its data silence allowance (the long
 * timeout plus the peer's time to check, at most 2 s), not 67 s or 134 s. */
static void test_silent_result(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, RESULT_HEADER, 0);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, e.slave);
    uint8_t four[4] = {0};
    double t0 = now_ms();
    omv_rpc_status st = omv_rpc_master_call(e.master, "echo", four, 4, NULL, NULL, 1000, 1000);
    double took = now_ms() - t0;
    assert_int_equal(st, OMV_RPC_ERR_RECV_TIMEOUT);
    assert_true(took < 6000.0);
    ts_slave_thread_stop(&t);
    close_ends(&e);
}

/* The master announces a 64 MiB argument and goes silent: the slave's
 * loop_once is back in about its 1 s data silence allowance. */
static void test_silent_argument(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, COMMAND_HEADER, 4, 0, 0);
    runner caller = {.master = e.master, .timeout_ms = 300};
    ts_thread_start(&caller.thread, run_call, &caller);
    double t0 = now_ms();
    omv_rpc_status st;
    do { /* a pass that saw nothing, then the one that took the header */
        st = omv_rpc_slave_loop_once(e.slave, 2000, 1000);
    } while (st == OMV_RPC_ERR_TIMEOUT && now_ms() - t0 < 4000.0 &&
             omv_rpc_slave_packets_refused(e.slave) == 0);
    double took = now_ms() - t0;
    assert_true(omv_rpc_slave_packets_refused(e.slave) >= 1);
    assert_true(took < 6000.0);
    ts_thread_join(&caller.thread);
    close_ends(&e);
}

/* A master (played by hand) announces a 64 MiB argument; then, as the
 * next master that comes along does, sends a command (header and empty
 * data packet, the data taken for the start of the 64 MiB) and repeats
 * it every 100 ms while it waits for an ack: bytes, so no silence, but
 * far from the link's pace. The slave gives the argument up in about
 * 3 s (its first 1 MiB piece's time at half pace), not 67 s, nor the
 * 135 s of the whole transfer's bound. Byte streams only: the network's
 * large transfers go over TCP, where a retry's datagram never lands. */
typedef struct dribbler {
    ts_thread thread;
    omv_rpc_link link;
    volatile int stop;
} dribbler;

static void *dribble(void *arg)
{
    dribbler *d = arg;
    uint8_t header[8], packet[12], ack[4];
    uint32_t cmd = omv_rpc_hash_str("echo"), len = ANNOUNCED;
    memcpy(header, &cmd, 4); /* little-endian hosts, as the tests run on */
    memcpy(header + 4, &len, 4);
    size_t n = ts_packet(packet, COMMAND_HEADER, header, 8);
    uint8_t data[4];
    size_t data_len = ts_packet(data, COMMAND_DATA, NULL, 0);
    assert_int_equal(omv_rpc_link_write(&d->link, packet, n, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_link_read(&d->link, ack, 4, 5000), OMV_RPC_OK);
    omv_rpc_link_write(&d->link, data, data_len, 1000);
    while (!d->stop) {
        sleep_ms(100);
        omv_rpc_link_write(&d->link, packet, n, 1000);
    }
    return NULL;
}

static void test_dribbled_argument(void **state)
{
    kind k = kind_of(state);
    if (k == NET) {
        skip();
    }
    dribbler d = {0};
    omv_rpc_link s;
    open_links(k, &d.link, &s);
    omv_rpc_slave *slave;
    omv_rpc_config cfg = ts_logged_config();
    assert_int_equal(omv_rpc_slave_new(&slave, &s, &cfg), OMV_RPC_OK);
    ts_thread_start(&d.thread, dribble, &d);
    double t0 = now_ms();
    while (omv_rpc_slave_packets_refused(slave) == 0 && now_ms() - t0 < 20000.0) {
        omv_rpc_slave_loop_once(slave, 200, 200);
    }
    double took = now_ms() - t0;
    d.stop = 1;
    ts_thread_join(&d.thread);
    assert_true(omv_rpc_slave_packets_refused(slave) >= 1);
    assert_true(took < 9000.0);
    omv_rpc_slave_free(slave);
    omv_rpc_link_close(&d.link);
}

/* A stream writer announces a 64 MiB frame and goes silent: the reader
 * ends in about its read timeout (500 ms: before the writer itself gives
 * up waiting for an ack, 1 s, which on the network closes the TCP). */
static void test_silent_frame(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, STREAM_FRAME, 0);
    introduce(&e);
    runner writer = {.slave = e.slave, .timeout_ms = 1000};
    ts_thread_start(&writer.thread, run_slave_writer, &writer);
    runner reader = {.master = e.master, .timeout_ms = 500};
    double t0 = now_ms();
    run_master_reader(&reader);
    double took = now_ms() - t0;
    assert_int_equal(reader.result, OMV_RPC_ERR_TIMEOUT);
    assert_true(took < 3000.0);
    omv_rpc_slave_stop(e.slave);
    ts_thread_join(&writer.thread);
    close_ends(&e);
}

/* A cut-through read of 64 MiB that nothing feeds ends in its timeout. */
static void test_silent_cut_through(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    uint8_t *buf = malloc(ANNOUNCED);
    assert_non_null(buf);
    double t0 = now_ms();
    omv_rpc_status st = omv_rpc_get_bytes(omv_rpc_master_link(e.master), buf, ANNOUNCED, 1000);
    double took = now_ms() - t0;
    assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
    assert_true(took < 4000.0);
    free(buf);
    close_ends(&e);
}

/* --------------------------------------------- part 2: master abort */

/* Nobody serves: the call would retry its command for LONG_WAIT_MS. */
static void test_abort_call_from_thread(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    stopper s;
    stop_from_thread(&s, e.master, NULL);
    double t0 = now_ms();
    omv_rpc_status st =
        omv_rpc_master_call(e.master, "echo", NULL, 0, NULL, NULL, LONG_WAIT_MS, LONG_WAIT_MS);
    double took = now_ms() - t0;
    ts_thread_join(&s.thread);
    assert_int_equal(st, OMV_RPC_ERR_ABORTED);
    assert_true(took < STOP_AFTER_MS + STOP_BOUND_MS);
    /* The abort was used up: the next call runs (and times out). */
    assert_int_equal(omv_rpc_master_call(e.master, "echo", NULL, 0, NULL, NULL, 100, 100),
                     OMV_RPC_ERR_SEND_TIMEOUT);
    close_ends(&e);
}

/* An abort with nothing running ends the next call at once, only it. */
static void test_abort_before_call(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, e.slave);
    omv_rpc_master_abort(e.master);
    double t0 = now_ms();
    assert_int_equal(
        omv_rpc_master_call(e.master, "echo", NULL, 0, NULL, NULL, LONG_WAIT_MS, LONG_WAIT_MS),
        OMV_RPC_ERR_ABORTED);
    assert_true(now_ms() - t0 < STOP_BOUND_MS);
    const uint8_t *res = NULL;
    size_t len = 0;
    assert_int_equal(omv_rpc_master_call(e.master, "echo", "hi", 2, &res, &len, 1000, 1000),
                     OMV_RPC_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(res, "hi", 2);
    assert_int_equal(ts_slave_thread_stop(&t), OMV_RPC_ERR_STOPPED);
    close_ends(&e);
}

/* From a signal handler (nobody serves, as above). */
static void test_abort_call_from_signal(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    stop_from_signal(e.master, NULL);
    double t0 = now_ms();
    omv_rpc_status st =
        omv_rpc_master_call(e.master, "echo", NULL, 0, NULL, NULL, LONG_WAIT_MS, LONG_WAIT_MS);
    double took = now_ms() - t0;
    signal_done();
    assert_int_equal(st, OMV_RPC_ERR_ABORTED);
    assert_true(took < STOP_AFTER_MS + STOP_BOUND_MS);
    close_ends(&e);
}

/* A stream reader waiting for the rest of a frame (announced 64 MiB). */
static void test_abort_stream(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, STREAM_FRAME, 0);
    introduce(&e);
    runner writer = {.slave = e.slave, .timeout_ms = 1000};
    ts_thread_start(&writer.thread, run_slave_writer, &writer);
    stopper s;
    stop_from_thread(&s, e.master, NULL);
    runner reader = {.master = e.master, .timeout_ms = LONG_WAIT_MS};
    double t0 = now_ms();
    run_master_reader(&reader);
    double took = now_ms() - t0;
    ts_thread_join(&s.thread);
    assert_int_equal(reader.result, OMV_RPC_ERR_ABORTED);
    assert_true(took < STOP_AFTER_MS + STOP_BOUND_MS);
    omv_rpc_slave_stop(e.slave);
    ts_thread_join(&writer.thread);
    close_ends(&e);
}

/* A cut-through read on the master's link, from a thread and a signal. */
static void abort_cut_through(kind k, int by_signal)
{
    ends e;
    open_ends(k, &e, 0, 0, 0, 0);
    uint8_t *buf = malloc(MIB);
    assert_non_null(buf);
    stopper s;
    if (by_signal) {
        stop_from_signal(e.master, NULL);
    } else {
        stop_from_thread(&s, e.master, NULL);
    }
    double t0 = now_ms();
    omv_rpc_status st = omv_rpc_get_bytes(omv_rpc_master_link(e.master), buf, MIB, LONG_WAIT_MS);
    double took = now_ms() - t0;
    if (by_signal) {
        signal_done();
    } else {
        ts_thread_join(&s.thread);
    }
    assert_int_equal(st, OMV_RPC_ERR_ABORTED);
    assert_true(took < STOP_AFTER_MS + STOP_BOUND_MS);
    free(buf);
    close_ends(&e);
}

static void test_abort_cut_through_from_thread(void **state)
{
    abort_cut_through(kind_of(state), 0);
}

static void test_abort_cut_through_from_signal(void **state)
{
    abort_cut_through(kind_of(state), 1);
}

/* ---------------------------------------------- part 2: slave stop */

/* The loop waits for a command for LONG_WAIT_MS. */
static void test_stop_waiting_slave(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    runner loop = {.slave = e.slave, .timeout_ms = LONG_WAIT_MS};
    ts_thread_start(&loop.thread, run_loop, &loop);
    sleep_ms(STOP_AFTER_MS);
    double t0 = now_ms();
    omv_rpc_slave_stop(e.slave);
    ts_thread_join(&loop.thread);
    assert_int_equal(loop.result, OMV_RPC_ERR_STOPPED);
    assert_true(now_ms() - t0 < STOP_BOUND_MS);
    close_ends(&e);
}

/* From a signal handler, on the loop's own thread. */
static void test_stop_slave_from_signal(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    stop_from_signal(NULL, e.slave);
    runner loop = {.slave = e.slave, .timeout_ms = LONG_WAIT_MS};
    run_loop(&loop);
    signal_done();
    assert_int_equal(loop.result, OMV_RPC_ERR_STOPPED);
    assert_true(loop.took_ms < STOP_AFTER_MS + STOP_BOUND_MS);
    close_ends(&e);
}

/* While it receives an argument the master announced as 64 MiB and never
 * sends: the loop (recv timeout LONG_WAIT_MS) stops within the bound. */
static void test_stop_receiving_slave(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, COMMAND_HEADER, 4, 0, 0);
    runner loop = {.slave = e.slave, .timeout_ms = LONG_WAIT_MS};
    ts_thread_start(&loop.thread, run_loop, &loop);
    runner caller = {.master = e.master, .timeout_ms = 300};
    run_call(&caller);
    assert_true(liar_lied(omv_rpc_master_link(e.master)));
    double t0 = now_ms();
    omv_rpc_slave_stop(e.slave);
    ts_thread_join(&loop.thread);
    assert_int_equal(loop.result, OMV_RPC_ERR_STOPPED);
    assert_true(now_ms() - t0 < STOP_BOUND_MS);
    close_ends(&e);
}

/* A stream writer whose frames keep coming and a reader that takes them:
 * only the stop ends it. */
static void test_stop_streaming_slave(void **state)
{
    ends e;
    open_ends(kind_of(state), &e, 0, 0, 0, 0);
    introduce(&e);
    runner writer = {.slave = e.slave, .timeout_ms = 1000};
    ts_thread_start(&writer.thread, run_slave_writer, &writer);
    runner reader = {.master = e.master, .timeout_ms = 1000};
    ts_thread_start(&reader.thread, run_master_reader, &reader);
    while (reader.frames < 50 && writer.took_ms == 0) {
        sleep_ms(10);
    }
    double t0 = now_ms();
    omv_rpc_slave_stop(e.slave);
    ts_thread_join(&writer.thread);
    assert_int_equal(writer.result, OMV_RPC_ERR_STOPPED);
    assert_true(now_ms() - t0 < STOP_BOUND_MS);
    ts_thread_join(&reader.thread); /* the writer is gone: a timeout */
    assert_true(reader.frames >= 50);
    close_ends(&e);
}

#define FOR_EACH_LINK(fn)                                     \
    cmocka_unit_test_prestate(fn, (void *)(intptr_t)PAIR),    \
        cmocka_unit_test_prestate(fn, (void *)(intptr_t)PTY), \
        cmocka_unit_test_prestate(fn, (void *)(intptr_t)NET)

int main(void)
{
    static const struct CMUnitTest tests[] = {
        FOR_EACH_LINK(test_silent_result),
        FOR_EACH_LINK(test_silent_argument),
        FOR_EACH_LINK(test_dribbled_argument),
        FOR_EACH_LINK(test_silent_frame),
        FOR_EACH_LINK(test_silent_cut_through),
        FOR_EACH_LINK(test_abort_call_from_thread),
        FOR_EACH_LINK(test_abort_before_call),
        FOR_EACH_LINK(test_abort_call_from_signal),
        FOR_EACH_LINK(test_abort_stream),
        FOR_EACH_LINK(test_abort_cut_through_from_thread),
        FOR_EACH_LINK(test_abort_cut_through_from_signal),
        FOR_EACH_LINK(test_stop_waiting_slave),
        FOR_EACH_LINK(test_stop_slave_from_signal),
        FOR_EACH_LINK(test_stop_receiving_slave),
        FOR_EACH_LINK(test_stop_streaming_slave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
