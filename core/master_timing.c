/* The master's schedule and what it learns (master_timing.h says why). */
#include "master_timing.h"

/* The slave's turnaround allowed beyond the round trip, to begin with:
 * none (OpenMV's camera and our slave answer a request as they read it),
 * 1 ms after the first sign of a slower slave, doubling up to the max. */
#define ANSWER_START_MS 0u
#define ANSWER_MAX_MS 16u
/* Clean calls before a grown answer_ms halves, fast polls that were
 * turned off come back, or a doubled fast rhythm halves (relax_calls):
 * RELAX_MIN_CALLS to begin with, doubled (up to RELAX_CALLS) whenever the
 * relaxed rhythm is crossed again within that many calls (a slave
 * consistently slower than it), halved when a relaxation stands until
 * the next. Always RELAX_CALLS (32 for the fast rhythm), a camera that
 * stalled 30 ms every 3 calls for 30 calls (a gc, a busy callback) left
 * a short wait of 2 ms that every later call then paid for 256 calls
 * (pty, callback 0: 6.3 ms a call; now back to 0.5 ms within 70 calls).
 * A slave slower than the rhythm on every call crosses it a few more
 * times while the period doubles (3 ms turnaround: 15 retries in 768
 * calls instead of 7), then once per RELAX_CALLS calls, as before. */
#define RELAX_MIN_CALLS 8u
#define RELAX_CALLS 256u
#define RHYTHM_ATTEMPTS 64   /* polls at answer_ms before the waits grow */
#define CHECK_START_NS 5000u /* 5 us per byte: a Cortex-M4 checking in software */
#define CHECK_FLOOR_NS 100u  /* 10 MB/s: a PC under load or sanitizers */
#define CHECK_MAX_NS 1000000u
#define CHECK_CAP_MS 30000u   /* a silent slave after a large argument is given up */
#define CHECK_LEARN_MIN 4096u /* shorter packets' acks say too little in ms */
#define HEADER_RTT_BYTES 16u  /* a command header and its ack */
#define PACE_EXTRA_MAX_MS 2000u
#define PACE_SURE_BYTES 256u /* a pace sample this long is mostly wire */
/* The fast rhythm of polls: a few round trips of a link whose round trip
 * is well under a millisecond (a USB virtual COM port, a pseudo-terminal,
 * loopback: 50 us), and about what OpenMV's camera spends in a
 * gc.collect() and its flush before it listens again (a wait of 100 us
 * lasts about 150 on Linux, its timer slack added). Against 150 us, the
 * bench's camera-timed slave (a 100 us gc pause) answered a call at
 * callback 0 in 0.50 ms instead of 0.63 on a pseudo-terminal, 0.44
 * instead of 0.55 on UDP, with as few crossings. */
#define FAST_POLL_US 100u
/* After a crossing the rhythm doubles up to this (ready_us waits under a
 * millisecond); past it fast polls are off for relax_calls calls. */
#define FAST_MAX_US 800u
/* The span of a phase's fast polls before the rhythm goes back to
 * milliseconds: they cover a callback of a millisecond or two; a longer
 * one is polled at the millisecond rhythm for RHYTHM_ATTEMPTS more polls
 * (over 50 ms) before the waits grow. */
#define FAST_SPAN_US 2400u
/* On a fast link, a crossing that follows another within this many calls
 * is a slave slower than the rhythm; an isolated one, a stall. */
#define CROSS_WINDOW 16u
#define SLOW_WIRE_MS 4u /* a round trip's bytes this long get a turnaround allowance */
/* A result header that came this long into phase 2 or later is kept for
 * its function (master_timing.h): sooner, the fast polls at the phase's
 * start (FAST_SPAN_US, about 3 ms of real time) catch it. */
#define TURNAROUND_MIN_MS 3u
/* The window of fast polls opens this long before the time expected: the
 * clock's tick (a time read as T ms lies between T-1 and T+1) and a
 * callback a little quicker than the last. */
#define WINDOW_LEAD_MS 2u

void omvrpc_timing_init(omvrpc_timing *t, omv_rpc_endpoint *ep)
{
    t->answer_ms = ANSWER_START_MS;
    t->check_ns = CHECK_START_NS;
    t->clean_calls = 0;
    t->rtt_min_ms = 0xFFFFFFFFu;
    t->header_rtt_ms = 0xFFFFFFFFu;
    t->pace_ns = 0xFFFFFFFFu;
    t->pace_long_ns = 0xFFFFFFFFu;
    /* A link's figure that grows with the length is its pace, unless the
     * link says it only guessed it. */
    t->pace_known =
        !ep->t.pace_floor && omvrpc_ep_transfer_ms(ep, 65536) > omvrpc_ep_transfer_ms(ep, 16);
    t->framed = !ep->t.byte_stream;
    t->fast = ep->t.ready_us != NULL;
    t->fast_off = 0;
    t->fast_us = FAST_POLL_US;
    t->fast_clean = 0;
    t->since_cross = 0xFFFFFFFFu;
    t->relax_calls = RELAX_MIN_CALLS;
    t->since_relax = 0xFFFFFFFFu;
    for (int i = 0; i < OMVRPC_TURNAROUND_SLOTS; i++) {
        t->turnaround[i].command = 0;
        t->turnaround[i].ms = 0;
        t->turnaround[i].heard = 0;
    }
    t->turnaround_clock = 0;
}

/* Before anything is known of a link that does not know its pace (it may
 * be a UART at 9600 baud, where a header takes 12.5 ms to cross), polls
 * at the rhythm would queue header after header on the wire: wait as
 * OpenMV's master does until the first answer tells the pace. */
static int pace_unknown_yet(const omvrpc_timing *t)
{
    return !t->pace_known && t->pace_ns == 0xFFFFFFFFu;
}

/* How many fast polls a phase starts with. */
static int fast_polls(const omvrpc_timing *t)
{
    return omvrpc_timing_polling_fast(t) ? (int)(FAST_SPAN_US / t->fast_us) : 0;
}

/* Polls before the waits grow: the fast ones do not shorten the
 * millisecond rhythm's span. */
static int rhythm_attempts(const omvrpc_timing *t)
{
    return RHYTHM_ATTEMPTS + fast_polls(t);
}

uint32_t omvrpc_timing_first_short(const omvrpc_timing *t)
{
    return pace_unknown_yet(t) && t->answer_ms < SHORT_TIMEOUT_START_MS ? SHORT_TIMEOUT_START_MS
                                                                        : t->answer_ms;
}

uint32_t omvrpc_timing_next_short(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                  uint32_t cap)
{
    if (attempt + 1 < rhythm_attempts(t) && !pace_unknown_yet(t)) {
        return short_ms;
    }
    /* By 4/3 (OpenMV's rule, which cannot livelock with a slave whose
     * timeouts grow by 1 ms), capped at the phase's timeout. */
    uint32_t next = short_ms + short_ms / 3u + 1u;
    if (cap < short_ms) {
        cap = short_ms;
    }
    return next < cap ? next : cap;
}

uint32_t omvrpc_timing_after_retry(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                   uint32_t cap, int crossed, uint32_t answered_ms, uint32_t scale)
{
    uint32_t first = omvrpc_timing_first_short(t); /* answer_ms may have grown just now */
    uint32_t next = omvrpc_timing_next_short(t, short_ms, attempt, cap);
    if (crossed) {
        /* Our poll crossed the slave's answer: within this call, waits
         * grow by 4/3 from here, so that a slave slower to answer than
         * any rhythm (a camera that takes 20 ms to ack a header) is
         * outwaited in a few attempts instead of crossed on every one. */
        uint32_t from = short_ms > first ? short_ms : first;
        next = from + from / 3u + 1u;
        /* The answer that crossed our poll took at most answered_ms: the
         * next attempt waits that long, so that a slave slow only in this
         * call (a camera's stall of 30 ms against polls 1 ms apart) is
         * outwaited at the second attempt, not after several (on UDP each
         * crossing costs the wait for an ack that never comes). */
        uint32_t took = scale > 1u ? (answered_ms + scale - 1u) / scale : answered_ms;
        next = next > took ? next : took;
        next = next < cap ? next : (cap > from ? cap : from);
    }
    return next > first ? next : first;
}

int omvrpc_timing_is_poll(const omvrpc_timing *t, int attempt)
{
    return attempt < rhythm_attempts(t) && !pace_unknown_yet(t);
}

/* Whether a first header was answered, never within the clock's tick. */
static int header_takes_ticks(const omvrpc_timing *t)
{
    return t->header_rtt_ms != 0xFFFFFFFFu && t->header_rtt_ms > 0u;
}

/* Whether fast polls are in use (rtt_min_ms 0: first requests answered
 * within the clock's tick; not where a header never was, as on a UART:
 * polls 100 us apart would queue headers on its wire). */
int omvrpc_timing_polling_fast(const omvrpc_timing *t)
{
    return t->fast && !t->fast_off && t->answer_ms == 0u && t->rtt_min_ms == 0u &&
           !header_takes_ticks(t);
}

uint32_t omvrpc_timing_poll_us(const omvrpc_timing *t, int attempt, uint32_t short_ms)
{
    return attempt < fast_polls(t) && omvrpc_timing_is_poll(t, attempt) && short_ms == 0u
               ? t->fast_us
               : 0u;
}

uint32_t omvrpc_timing_result_expected(const omvrpc_timing *t, uint32_t command)
{
    for (int i = 0; i < OMVRPC_TURNAROUND_SLOTS; i++) {
        if (t->turnaround[i].ms && t->turnaround[i].command == command) {
            return t->turnaround[i].ms;
        }
    }
    return 0;
}

void omvrpc_timing_result_came(omvrpc_timing *t, uint32_t command, uint32_t ms)
{
    /* A quick answer leaves the slot as it was: a function whose callback
     * is now quick, now long (an image pass that sometimes finds nothing)
     * keeps its window for the long ones, and a window past the answer
     * costs nothing. */
    if (ms < TURNAROUND_MIN_MS) {
        return;
    }
    omvrpc_turnaround *slot = NULL;
    for (int i = 0; i < OMVRPC_TURNAROUND_SLOTS && !slot; i++) {
        if (t->turnaround[i].ms && t->turnaround[i].command == command) {
            slot = &t->turnaround[i];
        }
    }
    if (!slot) {
        /* A free slot, else the one heard from longest ago. */
        slot = &t->turnaround[0];
        for (int i = 0; i < OMVRPC_TURNAROUND_SLOTS && slot->ms; i++) {
            const omvrpc_turnaround *other = &t->turnaround[i];
            if (!other->ms ||
                t->turnaround_clock - other->heard > t->turnaround_clock - slot->heard) {
                slot = &t->turnaround[i];
            }
        }
    }
    slot->command = command;
    slot->ms = ms;
    slot->heard = ++t->turnaround_clock;
}

uint32_t omvrpc_timing_window_poll_us(const omvrpc_timing *t, uint32_t expected_ms,
                                      uint32_t elapsed_ms, int window_polls, uint32_t short_ms)
{
    if (!expected_ms || short_ms != 0u || !omvrpc_timing_polling_fast(t) ||
        window_polls >= 2 * fast_polls(t) || elapsed_ms + WINDOW_LEAD_MS < expected_ms) {
        return 0;
    }
    return t->fast_us;
}

uint32_t omvrpc_timing_answer_wait(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                   uint32_t scale, uint32_t round_trip)
{
    /* The rhythm of polls is not scaled with the link's short timeouts: it
     * only has to exceed a round trip and the slave's turnaround, and it
     * must stay well inside the slave's listening window (which is scaled:
     * OpenMV's camera listens 20 ms at a time on UDP). Scaled, every
     * dropped request on UDP cost ten times the rhythm. The waits that
     * grow after the rhythm are scaled, as OpenMV's are. Never 0: a link
     * that reports no wire time must not be polled in a busy loop. On
     * links that are not byte streams (UDP, CAN, I2C, SPI) a poll that
     * crosses the slave's answer makes the slave answer twice, each
     * answer a transfer of its own: the master skips the one it did not
     * need where it waits for the next packet (packet.c), so there too a
     * crossing costs no call with our slave. A camera, though, reads a
     * poll queued behind its late answer where it awaits our data, and
     * that attempt is lost (a long wait for an ack that never comes): on
     * such links the rhythm is fast only while no crossing has been seen
     * (answer_ms 0), and once one has, answer_ms is scaled as the
     * camera's own windows are, which outwaits a camera that takes its
     * time (a hiccup of tens of ms on a network) instead of crossing it
     * on every call. Waits that are not polls keep at least 1 ms of
     * turnaround, scaled. */
    uint32_t ms;
    if (omvrpc_timing_is_poll(t, attempt) && short_ms <= t->answer_ms &&
        (!t->framed || short_ms == 0u)) {
        ms = omvrpc_sat_add(short_ms, round_trip);
    } else if (t->framed) {
        ms = omvrpc_sat_add((short_ms ? short_ms : 1u) * scale, round_trip);
    } else {
        ms = omvrpc_sat_add(short_ms * scale, round_trip);
    }
    return ms ? ms : 1u;
}

uint32_t omvrpc_timing_wire_ms(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t len)
{
    uint32_t known = omvrpc_ep_transfer_ms(ep, len);
    if (t->pace_known || t->pace_ns == 0xFFFFFFFFu) {
        return known;
    }
    /* Bounded, so that a slow first sample (a busy slave, a loaded PC)
     * does not make a failed attempt wait for long. */
    uint64_t est = ((uint64_t)len * t->pace_ns + 999999u) / 1000000u;
    if (est > PACE_EXTRA_MAX_MS) {
        est = PACE_EXTRA_MAX_MS;
    }
    return (uint32_t)est > known ? (uint32_t)est : known;
}

uint32_t omvrpc_timing_sure_wire_ms(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t len)
{
    if (t->pace_known) {
        const uint32_t wire = omvrpc_ep_transfer_ms(ep, len), fixed = omvrpc_ep_transfer_ms(ep, 0);
        return wire > fixed ? wire - fixed : 0u;
    }
    /* Apart from pace_ns: a header's quick answer can give a lower figure
     * than a long packet queued behind a repeated header (16 bytes in 16
     * ms at 9600 baud, against 320 in 340), and must not hide it. */
    if (t->pace_long_ns == 0xFFFFFFFFu) {
        return 0u;
    }
    /* The estimate alone: the link's figure is then only its padding (a
     * USB-serial adapter's latency timer). */
    const uint64_t est = ((uint64_t)len * t->pace_long_ns + 999999u) / 1000000u;
    return est < PACE_EXTRA_MAX_MS ? (uint32_t)est : PACE_EXTRA_MAX_MS;
}

uint32_t omvrpc_timing_round_trip(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t out,
                                  size_t back)
{
    uint32_t link = omvrpc_ep_transfer_ms(ep, out) + omvrpc_ep_transfer_ms(ep, back);
    uint32_t wire = omvrpc_timing_wire_ms(t, ep, out + back);
    link = wire > link ? wire : link;
    /* What the link adds to every transfer whatever its length (a serial
     * link's 1 ms allowance, a network's latency) is padding, not wire. */
    const uint32_t fixed = omvrpc_ep_transfer_ms(ep, 0);
    const uint32_t bytes_ms = omvrpc_ep_transfer_ms(ep, out + back) - fixed;
    /* A slow byte stream (a UART at 9600 baud: 17 ms for a command header
     * and its ack), known or measured: half its time again for the slave's
     * turnaround and this PC's latency. Without it a wait missed the
     * answer by a millisecond whenever either was late; the master then
     * flushed the answer's first bytes and asked again while the Arduino
     * library's slave, which allows 2-3 ms for the next request, read the
     * request as the one it awaited, or its repeated headers as the
     * argument (issue 17: 12 calls in 768 failed at 9600 baud). */
    const uint32_t wire_bytes = wire > fixed ? wire - fixed : 0u;
    const uint32_t slow = wire_bytes > bytes_ms ? wire_bytes : bytes_ms;
    if (!t->framed && slow >= SLOW_WIRE_MS) {
        return omvrpc_sat_add(link, slow / 2u);
    }
    if (t->rtt_min_ms == 0xFFFFFFFFu || bytes_ms > 1u) {
        return link; /* no sample, or a wire slow enough to count */
    }
    /* A fast wire (a USB virtual COM port, a network): the measured round
     * trip, at most one tick more than the clock saw. The link pads its
     * figure (each transfer rounded up to the next millisecond, plus its
     * fixed allowance twice), which would make every poll of a busy slave
     * sit out the slave's whole listening window. */
    uint32_t seen = t->rtt_min_ms + 1u;
    if (!t->framed && header_takes_ticks(t)) {
        /* A byte stream whose header is never answered within a tick (a
         * UART at 115200 baud behind a port opened with no baud rate: 1.4
         * ms for a header and its ack; its 0-byte call's data and ack, 8
         * bytes, cross within one and set rtt_min_ms to 0): seen in whole
         * ticks, the header's round trip may last almost one more, and
         * the slave's turnaround comes on top: one more tick, whatever
         * the link's figure. Waited rtt_min_ms + 1, the ack came just
         * late, our next header reached the Arduino library's slave as
         * the argument it awaited, and the polls that followed fed it
         * until the call timed out (2 or 3 calls in 30). */
        const uint32_t header = t->header_rtt_ms + 2u;
        return header > seen ? header : seen;
    }
    return seen < link ? seen : link;
}

uint32_t omvrpc_timing_check_ms(const omvrpc_timing *t, size_t len)
{
    uint64_t ms = ((uint64_t)len * t->check_ns + 999999u) / 1000000u + 1u;
    return ms > CHECK_CAP_MS ? CHECK_CAP_MS : (uint32_t)ms;
}

/* `bytes` crossed the wire (both ways) within `ms` of a millisecond clock,
 * the slave's turnaround included: at most (ms + 1) / bytes per byte. */
static void pace_sample(omvrpc_timing *t, size_t bytes, uint32_t ms)
{
    uint64_t ns = ((uint64_t)ms + 1u) * 1000000u / bytes;
    if (t->pace_known) {
        return;
    }
    if (ns < t->pace_ns) {
        t->pace_ns = (uint32_t)ns;
    }
    if (bytes >= PACE_SURE_BYTES && ns < t->pace_long_ns) {
        t->pace_long_ns = (uint32_t)ns;
    }
}

void omvrpc_timing_header_rtt(omvrpc_timing *t, uint32_t ms, int first)
{
    if (first && ms < t->rtt_min_ms) {
        t->rtt_min_ms = ms;
    }
    if (first && ms < t->header_rtt_ms) {
        t->header_rtt_ms = ms;
    }
    pace_sample(t, HEADER_RTT_BYTES, ms);
}

void omvrpc_timing_short_rtt(omvrpc_timing *t, size_t bytes, uint32_t ms)
{
    if (ms < t->rtt_min_ms) {
        t->rtt_min_ms = ms;
    }
    pace_sample(t, bytes, ms);
}

void omvrpc_timing_ack_on_time(omvrpc_timing *t, size_t len, uint32_t ms)
{
    pace_sample(t, len + 8u, ms); /* the data packet and its ack */
    if (len < CHECK_LEARN_MIN) {
        return;
    }
    /* `ms` covers the wire and the check: an upper bound of the check. Come
     * down towards four times it, by halves, never below the floor. */
    uint64_t seen = ((uint64_t)ms + 1u) * 1000000u / len;
    uint64_t want = seen * 4u;
    if (want < CHECK_FLOOR_NS) {
        want = CHECK_FLOOR_NS;
    }
    if (want < t->check_ns) {
        uint32_t half = t->check_ns / 2u;
        t->check_ns = want > half ? (uint32_t)want : half;
        if (t->check_ns < CHECK_FLOOR_NS) {
            t->check_ns = CHECK_FLOOR_NS;
        }
    }
}

void omvrpc_timing_ack_late(omvrpc_timing *t)
{
    t->check_ns = t->check_ns > CHECK_MAX_NS / 2u ? CHECK_MAX_NS : t->check_ns * 2u;
}

/* A crossing that slows the rhythm (any that is not isolated): if it came
 * soon after the rhythm was last relaxed (within the period, or within
 * CROSS_WINDOW calls), the relaxed one was too fast for this slave, and
 * the next relaxation waits twice as long. CROSS_WINDOW: a camera that
 * stalls every 10 calls was crossed at each relaxation, and each crossing
 * (a retry, about 100 ms on a pty) cost more than the grown rhythm saved
 * (about 6 ms a call). */
static void relaxed_too_soon(omvrpc_timing *t)
{
    const uint32_t soon = t->relax_calls > CROSS_WINDOW ? t->relax_calls : CROSS_WINDOW;
    if (t->since_relax < soon && t->relax_calls < RELAX_CALLS) {
        t->relax_calls *= 2u;
    }
    t->since_relax = 0xFFFFFFFFu;
}

/* A relaxation of the rhythm: if the last one stood (no crossing since),
 * the next comes sooner. */
static void relaxing(omvrpc_timing *t)
{
    if (t->since_relax != 0xFFFFFFFFu && t->relax_calls > RELAX_MIN_CALLS) {
        t->relax_calls /= 2u;
    }
    t->since_relax = 0;
}

void omvrpc_timing_crossed(omvrpc_timing *t)
{
    const int isolated = t->since_cross >= CROSS_WINDOW;
    t->since_cross = 0;
    if (isolated && t->fast && t->rtt_min_ms == 0u) {
        return; /* a stall, most likely (CROSS_WINDOW) */
    }
    relaxed_too_soon(t);
    if (omvrpc_timing_polling_fast(t)) {
        /* First a slower fast rhythm (a PC late for a moment, a slave a
         * little slower than the rhythm), then the millisecond rhythm,
         * not a slower one yet. */
        t->fast_clean = 0;
        if (t->fast_us * 2u <= FAST_MAX_US) {
            t->fast_us *= 2u;
        } else {
            t->fast_off = 1;
        }
        return;
    }
    t->answer_ms = t->answer_ms == 0u                   ? 1u
                   : t->answer_ms >= ANSWER_MAX_MS / 2u ? ANSWER_MAX_MS
                                                        : t->answer_ms * 2u;
    t->clean_calls = 0;
}

void omvrpc_timing_call_done(omvrpc_timing *t)
{
    if (t->since_cross < 0xFFFFFFFFu) {
        t->since_cross++;
    }
    if (t->since_relax < 0xFFFFFFFFu) {
        t->since_relax++;
    }
    if (t->answer_ms > ANSWER_START_MS) {
        if (++t->clean_calls >= t->relax_calls) {
            t->answer_ms /= 2u;
            t->clean_calls = 0;
            relaxing(t);
        }
        return;
    }
    /* Fast polls back on (at the slowest fast rhythm), or a doubled
     * rhythm halved, after relax_calls clean calls. */
    if ((!t->fast_off && t->fast_us <= FAST_POLL_US) || ++t->fast_clean < t->relax_calls) {
        return;
    }
    t->fast_clean = 0;
    relaxing(t);
    if (t->fast_off) {
        t->fast_off = 0;
    } else {
        t->fast_us /= 2u;
    }
}
