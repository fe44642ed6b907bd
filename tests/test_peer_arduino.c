/* Issue 17: OpenMV's Arduino library as a peer, on a cable paced at a
 * baud rate. Its master against our slave, our master against its slave:
 * every call succeeds, every callback runs once per call, every result is
 * right; and our master late with a data request (17.2) still gets its
 * result. Arguments: `baud=N` (default 115200) and `calls=N` (default
 * 40); `only=NAME` runs the one test of that name; `trace=1` prints our
 * side's log and each call that needed retries. Which runs CI makes, and
 * the full 1000-call runs (label `long`): peers.cmake. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/clock.h"
#include "peers.h"
#include "fake_peer.h"
#include "stall_link.h"
#include "test_support.h"

static uint32_t g_baud = 115200;
static int g_calls = 40;
static const char *g_only;
static int g_trace; /* `trace=1`: our side's log and each slow call, timed */
static uint32_t g_t0;

static uint32_t since_start(void)
{
    return omv_rpc_clock_ms(NULL) - g_t0;
}

/* Our endpoint's log on stderr, stamped with ms since the test began. */
static void trace_log(void *user, omv_rpc_log_level level, const char *message)
{
    (void)user;
    (void)level;
    fprintf(stderr, "%7u ms %s\n", (unsigned)(omv_rpc_clock_ms(NULL) % 10000000u), message);
}

/* The simulated peer's lines, stamped the same way. */
static void trace_peer(void *user, const char *message)
{
    trace_log(user, OMV_RPC_LOG_DEBUG, message);
}

static void trace_peer_if_asked(omvrpc_peer *p)
{
    if (g_trace) {
        p->trace = trace_peer;
    }
}

static omv_rpc_config traced_config(void)
{
    omv_rpc_config c;
    memset(&c, 0, sizeof c);
    if (g_trace) {
        c.log.fn = trace_log;
    }
    return c;
}

#define MAX_ARG 1024u
#define TIMEOUT_MS 1000u /* the Arduino library's defaults */

/* The Arduino master's own timeouts: its defaults at 115200 baud. At 9600
 * its short timeouts (3 ms, growing by 6/4 per attempt) must first grow
 * past the wire time of a header and of the 64 bytes its transmit buffer
 * holds (66 ms), and a 1 KB argument takes 1.07 s itself, so with 1000 ms
 * it gives up on large calls whatever the slave does. */
static uint32_t arduino_timeout_ms(void)
{
    return g_baud >= 115200 ? TIMEOUT_MS : 10000u;
}

/* The call's size: 0 and 1024 first, then spread over 0..1024. */
static size_t call_size(int i, uint32_t *rng)
{
    if (i == 0) {
        return 0;
    }
    if (i == 1) {
        return MAX_ARG;
    }
    return ts_rand(rng) % (MAX_ARG + 1);
}

/* Every callback answers its argument with each byte plus one. */
static void transform(const uint8_t *in, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = (uint8_t)(in[i] + 1u);
    }
}

/* Which call each callback run was for, by its argument (length and
 * bytes), in the order they ran: the i-th run must be call i's. A count of
 * runs alone would let one call run twice and another not at all. */
#define MAX_CALLS 4096

static uint64_t g_want[MAX_CALLS]; /* call i's argument, as the test made it */
static uint64_t g_ran[MAX_CALLS];  /* the argument of the k-th callback run */
static atomic_uint g_runs;

static uint64_t fingerprint(const uint8_t *arg, size_t len)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)len; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h = (h ^ arg[i]) * 1099511628211ull;
    }
    return h;
}

static void runs_reset(void)
{
    assert_true(g_calls <= MAX_CALLS);
    atomic_store(&g_runs, 0);
}

/* From the slave's thread. */
static void note_run(const uint8_t *arg, size_t len)
{
    unsigned k = atomic_fetch_add(&g_runs, 1);
    if (k < MAX_CALLS) {
        g_ran[k] = fingerprint(arg, len);
    }
}

/* Runs that were not the one expected at their place: a callback run
 * twice for one call (or one skipped) puts every later run out of place. */
static int runs_out_of_place(int calls)
{
    unsigned runs = atomic_load(&g_runs);
    int bad = 0;
    for (int k = 0; k < calls && (unsigned)k < runs && k < MAX_CALLS; k++) {
        bad += g_ran[k] != g_want[k];
    }
    return bad;
}

static void our_callback(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    note_run(arg, len);
    uint8_t *out = omv_rpc_slave_reply_buffer(s, len);
    transform(arg, len, out);
}

static uint8_t g_peer_result[MAX_ARG];

static void peer_callback(void *user, omvrpc_peer_call *call)
{
    (void)user;
    note_run(call->arg, call->arg_len);
    transform(call->arg, call->arg_len, g_peer_result);
    call->result = g_peer_result;
    call->result_len = call->arg_len;
}

static void *run_arduino_slave(void *arg)
{
    omvrpc_arduino_slave_run(arg);
    return NULL;
}

/* Counts calls and wrong results; fails the test at the end. */
typedef struct tally {
    int failed, wrong;
} tally;

static void check_result(tally *t, omv_rpc_status st, const uint8_t *arg, size_t len,
                         const uint8_t *res, size_t res_len)
{
    uint8_t want[MAX_ARG];
    if (st != OMV_RPC_OK) {
        t->failed++;
        return;
    }
    transform(arg, len, want);
    if (res_len != len || (len && memcmp(res, want, len) != 0)) {
        t->wrong++;
    }
}

/* With `trace=1`: a call that failed or needed retries, with its time. */
static void trace_call(int i, size_t len, omv_rpc_status st, uint32_t began, uint32_t retries)
{
    if (g_trace && (st != OMV_RPC_OK || retries)) {
        fprintf(stderr, "%7u ms call %d (%u bytes): %s after %u ms, %u retries\n",
                (unsigned)(omv_rpc_clock_ms(NULL) % 10000000u), i, (unsigned)len,
                omv_rpc_status_name(st), (unsigned)(since_start() - began), (unsigned)retries);
    }
}

/* `callbacks`: the slave's own count of runs, which must agree with the
 * log's. */
static void report(const char *what, const tally *t, uint32_t callbacks, int calls,
                   uint32_t retries, uint32_t began)
{
    const unsigned runs = atomic_load(&g_runs);
    const int out_of_place = runs_out_of_place(calls);
    printf("%s at %u baud: %d calls, %d failed, %d wrong, %u callbacks, %d out of place, "
           "%u master retries, %u s\n",
           what, (unsigned)g_baud, calls, t->failed, t->wrong, runs, out_of_place,
           (unsigned)retries, (unsigned)((since_start() - began + 500u) / 1000u));
    fflush(stdout);
    assert_int_equal(t->failed, 0);
    assert_int_equal(t->wrong, 0);
    assert_int_equal(callbacks, runs);
    assert_int_equal(runs, (unsigned)calls);
    assert_int_equal(out_of_place, 0);
}

static void paced(omv_rpc_link *a, omv_rpc_link *b, int a_knows, size_t a_tx, int b_knows,
                  size_t b_tx)
{
    omvrpc_paced_opts o = {g_baud, a_knows, b_knows, a_tx, b_tx};
    assert_int_equal(omvrpc_paced_pair_open(a, b, &o), OMV_RPC_OK);
}

/* The Arduino master (64-byte transmit buffer) calls our slave, which
 * knows the baud rate as `omv-rpc sim --uart DEV --baud N` does. */
static void test_arduino_master_our_slave(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    paced(&a, &b, 0, 64, 1, 0);
    omvrpc_peer master;
    assert_int_equal(omvrpc_peer_init(&master, &a, MAX_ARG + 4), OMV_RPC_OK);
    omv_rpc_slave *s;
    omv_rpc_config config = traced_config();
    assert_int_equal(omv_rpc_slave_new(&s, &b, &config), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_register_callback(s, "f", our_callback, NULL), OMV_RPC_OK);
    runs_reset();
    /* Our slave waits for the result request as long as this master may
     * take to send it: at 9600 baud, after a data ack it missed, its pause
     * (its short timeout, grown to seconds) outlasted the default 1 s and
     * the result was given up (1 call in 1900). */
    ts_slave_thread th = {0};
    th.send_timeout_ms = arduino_timeout_ms();
    ts_slave_thread_start(&th, s);

    const uint32_t began_all = since_start();
    uint32_t rng = 17;
    tally t = {0, 0};
    uint8_t arg[MAX_ARG];
    for (int i = 0; i < g_calls; i++) {
        size_t len = call_size(i, &rng);
        ts_fill_random(arg, len, (uint32_t)i + 1);
        g_want[i] = fingerprint(arg, len);
        const uint8_t *res = NULL;
        size_t res_len = 0;
        const uint32_t began = since_start(), failed_before = master.stats.failed_attempts;
        omv_rpc_status st = omvrpc_arduino_master_call(&master, "f", arg, len, &res, &res_len,
                                                       arduino_timeout_ms(), arduino_timeout_ms());
        check_result(&t, st, arg, len, res, res_len);
        trace_call(i, len, st, began, master.stats.failed_attempts - failed_before);
    }
    ts_slave_thread_stop(&th);
    /* Retries: the Arduino master's failed attempts. */
    report("Arduino master -> our slave", &t, atomic_load(&g_runs), g_calls,
           master.stats.failed_attempts, began_all);
    omv_rpc_slave_free(s);
    omvrpc_peer_free(&master);
}

/* Our master against the Arduino slave (64-byte transmit buffer); the
 * master knows the baud rate (`--uart DEV --baud N`) or not (`--port`,
 * issue 17.3). */
static void our_master_arduino_slave(int master_knows_pace)
{
    omv_rpc_link a, b;
    paced(&a, &b, master_knows_pace, 0, 0, 64);
    omvrpc_peer slave;
    assert_int_equal(omvrpc_peer_init(&slave, &b, MAX_ARG + 4), OMV_RPC_OK);
    slave.fn = peer_callback;
    trace_peer_if_asked(&slave);
    omv_rpc_master *m;
    omv_rpc_config config = traced_config();
    assert_int_equal(omv_rpc_master_new(&m, &a, &config), OMV_RPC_OK);
    ts_thread th;
    runs_reset();
    ts_thread_start(&th, run_arduino_slave, &slave);

    const uint32_t began_all = since_start();
    uint32_t rng = 23;
    tally t = {0, 0};
    uint8_t arg[MAX_ARG];
    for (int i = 0; i < g_calls; i++) {
        size_t len = call_size(i, &rng);
        ts_fill_random(arg, len, (uint32_t)i + 7);
        g_want[i] = fingerprint(arg, len);
        const uint8_t *res = NULL;
        size_t res_len = 0;
        const uint32_t began = since_start(), retries_before = omv_rpc_master_retries(m);
        omv_rpc_status st =
            omv_rpc_master_call(m, "f", arg, len, &res, &res_len, TIMEOUT_MS, TIMEOUT_MS);
        check_result(&t, st, arg, len, res, res_len);
        trace_call(i, len, st, began, omv_rpc_master_retries(m) - retries_before);
    }
    omvrpc_peer_stop(&slave);
    ts_thread_join(&th);
    report(master_knows_pace == OMVRPC_PACE_KNOWN ? "our master -> Arduino slave"
                                                  : "our master (baud unknown) -> Arduino slave",
           &t, slave.stats.calls, g_calls, omv_rpc_master_retries(m), began_all);
    omv_rpc_master_free(m);
    omvrpc_peer_free(&slave);
}

static void test_our_master_arduino_slave(void **state)
{
    (void)state;
    our_master_arduino_slave(OMVRPC_PACE_KNOWN);
}

/* As `--port DEV` opens it: the link reports USB's pace, flagged as only
 * a floor. */
static void test_our_master_unknown_pace_arduino_slave(void **state)
{
    (void)state;
    our_master_arduino_slave(OMVRPC_PACE_USB_FLOOR);
}

/* Issue 17.2 (test_core_retry_races has it played by hand, without
 * threads' timing): our master late with its data request by more than the
 * Arduino slave's 2-3 ms window after the result header (a stall of this
 * PC), on every fourth call. The slave flushes and waits for a new
 * request, within its loop()'s 100 ms; the master must ask again while
 * that lasts instead of waiting out its whole data timeout, after which
 * the slave would have given the result up and the call failed. Every
 * call succeeds, each callback runs once, and every stall was missed by
 * the slave (it counted a failed attempt for each). */
#define DATA_REQUEST_MAGIC 0x1DBAu
#define STALL_US 10000u /* over three times the slave's window */

static void test_our_master_late_data_request(void **state)
{
    (void)state;
    omv_rpc_link a, b, late;
    paced(&a, &b, 1, 0, 0, 64);
    static stall_link stall;
    stall_link_wrap(&late, &stall, &a, DATA_REQUEST_MAGIC, STALL_US);
    omvrpc_peer slave;
    assert_int_equal(omvrpc_peer_init(&slave, &b, MAX_ARG + 4), OMV_RPC_OK);
    slave.fn = peer_callback;
    trace_peer_if_asked(&slave);
    omv_rpc_master *m;
    omv_rpc_config config = traced_config();
    assert_int_equal(omv_rpc_master_new(&m, &late, &config), OMV_RPC_OK);
    ts_thread th;
    runs_reset();
    ts_thread_start(&th, run_arduino_slave, &slave);

    const uint32_t began_all = since_start();
    uint32_t rng = 29, armed = 0, missed = 0;
    tally t = {0, 0};
    uint8_t arg[MAX_ARG];
    for (int i = 0; i < g_calls; i++) {
        size_t len = call_size(i, &rng);
        ts_fill_random(arg, len, (uint32_t)i + 11);
        g_want[i] = fingerprint(arg, len);
        const uint8_t *res = NULL;
        size_t res_len = 0;
        const int stall_this = i % 4 == 3;
        const uint32_t slave_failed = slave.stats.failed_attempts;
        if (stall_this) {
            atomic_store(&stall.armed, 1);
            armed++;
        }
        const uint32_t began = since_start(), retries_before = omv_rpc_master_retries(m);
        omv_rpc_status st =
            omv_rpc_master_call(m, "f", arg, len, &res, &res_len, TIMEOUT_MS, TIMEOUT_MS);
        check_result(&t, st, arg, len, res, res_len);
        trace_call(i, len, st, began, omv_rpc_master_retries(m) - retries_before);
        if (stall_this && slave.stats.failed_attempts > slave_failed) {
            missed++;
        }
    }
    omvrpc_peer_stop(&slave);
    ts_thread_join(&th);
    report("our master (late data requests) -> Arduino slave", &t, slave.stats.calls, g_calls,
           omv_rpc_master_retries(m), began_all);
    assert_int_equal(atomic_load(&stall.stalls), armed);
    assert_int_equal(missed, armed);
    omv_rpc_master_free(m);
    omvrpc_peer_free(&slave);
}

/* The early data request itself, played by hand at 9600 baud (whatever
 * `baud=` says): the slave sends only the first byte of its result header
 * and the rest only once the data request has come. A master that asks for
 * the data only after the whole header (as ours did, and as it still does
 * on fast links) never gets the rest and the call fails. */
#define PLAY_WAIT_MS 2000u
/* With the baud rate unknown, an argument this long measures the pace (its
 * data packet and ack take 320 ms at 9600 baud): the master asks early in
 * the same call. */
#define EARLY_ARG_LEN 300u

static size_t g_play_arg_len;

/* The played slave's steps: each 1 when done as expected (no cmocka
 * assertions off the test's thread). */
static int play_get(omv_rpc_link *link, uint8_t *buf, size_t len)
{
    return omv_rpc_link_read(link, buf, len, PLAY_WAIT_MS) == OMV_RPC_OK;
}

static int play_put(omv_rpc_link *link, const uint8_t *buf, size_t len)
{
    return omv_rpc_link_write(link, buf, len, PLAY_WAIT_MS) == OMV_RPC_OK;
}

static int play_packet(omv_rpc_link *link, uint16_t magic, const void *payload, size_t len)
{
    uint8_t pkt[16];
    return play_put(link, pkt, ts_packet(pkt, magic, payload, len));
}

/* Phase 1 for an argument of `arg_len` bytes; a header is acked each time
 * it comes (a retry of a master that missed the ack on a loaded machine). */
static int play_command(omv_rpc_link *link, size_t arg_len)
{
    uint8_t buf[16 + EARLY_ARG_LEN];
    for (;;) {
        if (!play_get(link, buf, 2)) {
            return 0;
        }
        if (!ts_has_magic(buf, 0x1209)) {
            break;
        }
        if (!play_get(link, buf + 2, 10) || !play_packet(link, 0x1209, NULL, 0)) {
            return 0;
        }
    }
    return ts_has_magic(buf, 0xABD1) && play_get(link, buf + 2, arg_len + 2) && /* and the CRC */
           play_packet(link, 0xABD1, NULL, 0);
}

static atomic_int g_asked_early; /* the data request came after one header byte */

static void *slave_wanting_early_data_request(void *arg)
{
    omv_rpc_link *link = arg;
    uint8_t buf[4], header[8];
    const uint8_t len[4] = {3, 0, 0, 0};
    ts_packet(header, 0x9021, len, 4);
    if (play_command(link, g_play_arg_len) && play_get(link, buf, 4) && ts_has_magic(buf, 0x9021) &&
        play_put(link, header, 1) && play_get(link, buf, 4) && ts_has_magic(buf, 0x1DBA)) {
        atomic_store(&g_asked_early, 1);
        play_put(link, header + 1, 7);
        play_packet(link, 0x1DBA, "abc", 3);
    }
    return NULL;
}

/* `knows_pace` (OMVRPC_PACE_*): the master's link reports the wire time
 * (`--uart DEV --baud 9600`), or USB's figure as a floor (`--port DEV`),
 * or nothing (a user's link); in the last two it measures the pace. */
static void asks_for_data_early(int knows_pace, size_t arg_len)
{
    omv_rpc_link a, b;
    omvrpc_paced_opts o = {9600, knows_pace, 0, 0, 0};
    assert_int_equal(omvrpc_paced_pair_open(&a, &b, &o), OMV_RPC_OK);
    omv_rpc_master *m;
    omv_rpc_config config = traced_config();
    assert_int_equal(omv_rpc_master_new(&m, &a, &config), OMV_RPC_OK);
    atomic_store(&g_asked_early, 0);
    g_play_arg_len = arg_len;
    ts_thread th;
    ts_thread_start(&th, slave_wanting_early_data_request, &b);
    uint8_t arg[EARLY_ARG_LEN];
    ts_fill_random(arg, arg_len, 5);
    const uint8_t *res = NULL;
    size_t res_len = 0;
    omv_rpc_status st =
        omv_rpc_master_call(m, "f", arg, arg_len, &res, &res_len, TIMEOUT_MS, TIMEOUT_MS);
    ts_thread_join(&th);
    assert_int_equal(atomic_load(&g_asked_early), 1);
    assert_int_equal(st, OMV_RPC_OK);
    assert_int_equal(res_len, 3);
    assert_memory_equal(res, "abc", 3);
    omv_rpc_master_free(m);
    omv_rpc_link_close(&b);
}

static void test_our_master_asks_for_data_early(void **state)
{
    (void)state;
    asks_for_data_early(OMVRPC_PACE_KNOWN, 4);
}

static void test_our_master_measures_pace_asks_early(void **state)
{
    (void)state;
    asks_for_data_early(OMVRPC_PACE_NONE, EARLY_ARG_LEN);
}

/* Issue 17.3: a port opened with no baud rate reports USB's pace; before
 * OMV_RPC_LINK_PACE_FLOOR the master took it as known, never measured, and
 * polled headers every few ms on a 9600-baud wire. */
static void test_our_master_usb_floor_measures_pace_asks_early(void **state)
{
    (void)state;
    asks_for_data_early(OMVRPC_PACE_USB_FLOOR, EARLY_ARG_LEN);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "baud=", 5) == 0) {
            g_baud = (uint32_t)strtoul(argv[i] + 5, NULL, 10);
        } else if (strncmp(argv[i], "calls=", 6) == 0) {
            g_calls = atoi(argv[i] + 6);
        } else if (strncmp(argv[i], "trace=", 6) == 0) {
            g_trace = atoi(argv[i] + 6);
        } else if (strncmp(argv[i], "only=", 5) == 0) {
            g_only = argv[i] + 5;
        }
    }
    g_t0 = omv_rpc_clock_ms(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arduino_master_our_slave),
        cmocka_unit_test(test_our_master_arduino_slave),
        cmocka_unit_test(test_our_master_unknown_pace_arduino_slave),
        cmocka_unit_test(test_our_master_late_data_request),
        cmocka_unit_test(test_our_master_asks_for_data_early),
        cmocka_unit_test(test_our_master_measures_pace_asks_early),
        cmocka_unit_test(test_our_master_usb_floor_measures_pace_asks_early),
    };
    if (g_only) {
        cmocka_set_test_filter(g_only);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
