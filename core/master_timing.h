/* The master's schedule: how long it waits for each answer, and what it
 * learns about its slave on the way. Internal to the core.
 *
 * Short answers (an ack, a result header) come a round trip of wire plus
 * the slave's turnaround after the request. OpenMV's camera slave and the
 * Arduino library's slave flush their input at the start of every attempt,
 * and the camera's does so only after its callback and a gc.collect(): a
 * request sent while the slave is busy is dropped, never answered. So the
 * master asks again on a short rhythm (answer_ms) while no answer comes;
 * those re-asks are polls, not retries: a camera's next flush drops them,
 * our slave answers the first and drops the rest. The rhythm must stay
 * longer than the slave's turnaround, or a re-ask reaches the slave while
 * it waits for the next packet of the sequence and breaks the attempt;
 * when that is seen (an answer that followed a poll, then no data or no
 * ack), answer_ms doubles and is kept, and it halves again after
 * relax_calls calls without such a sign: RELAX_MIN_CALLS at first, so
 * that a camera's stalls (a gc, a busy callback) cost only the calls
 * soon after them, doubled up to RELAX_CALLS whenever the relaxed rhythm
 * crosses again within that many calls (a slave slower than it on every
 * call), halved when a relaxation stands. After RHYTHM_ATTEMPTS polls the
 * waits grow by 4/3, as OpenMV's do, so that no slave can livelock them.
 * Where the link can wait in microseconds (link.h's ready_us) and round
 * trips take under a millisecond, a phase's first polls wait only a
 * fraction of a millisecond (fast_us) for their answer to start (a
 * camera's gc.collect() and flush take about that). A crossing seen
 * doubles fast_us (a PC that was late once, a slave a little slower than
 * the rhythm), and relax_calls clean calls halve it again; only when
 * it would pass FAST_MAX_US are fast polls turned off, for relax_calls
 * calls, before answer_ms grows. One crossing used to turn them off at
 * once: every later call then waited a millisecond tick per poll. On
 * such a link a crossing changes nothing unless another came within
 * CROSS_WINDOW calls: there a crossing is mostly a moment's stall of this
 * PC or of the slave's (another program's turn on the CPU, a few ms), which
 * no rhythm outwaits, and taken as a slow slave each made the rhythm
 * slower for hundreds of calls: after a few, answer_ms had grown to 8 ms,
 * which a camera's every call then cost (a 10 ms median at callback 0 on
 * a loaded PC, against 0.6 ms). A slave slower than the rhythm crosses in
 * every call, and the rhythm still slows at every second one.
 *
 * A data packet's ack comes after the slave has checked the whole packet:
 * the wait allows check_ns per byte, on the order of the slowest real
 * camera to begin with (a Cortex-M4 in software). An ack that does not
 * come in time doubles it for every later attempt (a slow slave costs a
 * couple of retries once); acks that come early bring it down towards
 * what the slave needs, so a corrupted packet is retried within a small
 * multiple of its wire and check time.
 *
 * On a link that does not know its pace (a USB-serial adapter opened with
 * no baud rate), the wire time of a data packet is estimated from what
 * the master has seen: a command header and its ack (16 bytes) answered
 * within so many milliseconds since the phase's first header, a data
 * packet and its ack within so many since the data started; each gives
 * an upper bound of the time per byte, and the smallest is kept. Short
 * waits use the shortest first-attempt header round trip. */
#ifndef OMV_RPC_MASTER_TIMING_H
#define OMV_RPC_MASTER_TIMING_H

#include "endpoint.h"

/* A camera's callback that outlasts the fast polls at the start of phase 2
 * (an image pass of 10 or 50 ms) was polled at the millisecond rhythm, so
 * its result header was asked for half a millisecond after it was ready,
 * on average (bench, callback 10 ms on UDP: 0.8 ms behind the ideal
 * master). A callback takes about as long from one call of a function to
 * the next: the master keeps, for the last few functions called, when the
 * result header came, and polls fast again in a window around that time
 * (omvrpc_timing_window_poll_us). A function not kept, or whose callback
 * took another time, is polled as before: the window only adds polls. */
#define OMVRPC_TURNAROUND_SLOTS 4

typedef struct omvrpc_turnaround {
    uint32_t command; /* the function's hash */
    uint32_t ms;      /* its result header came this long into phase 2; 0: slot free */
    uint32_t heard;   /* the turnaround_clock when it last came */
} omvrpc_turnaround;

typedef struct omvrpc_timing {
    uint32_t answer_ms;     /* the slave's turnaround allowed for a short answer */
    uint32_t check_ns;      /* per byte: the slave's check of a data packet */
    uint32_t clean_calls;   /* calls since answer_ms last grew */
    uint32_t rtt_min_ms;    /* shortest short round trip (UINT32_MAX: none) */
    uint32_t header_rtt_ms; /* shortest first header's own round trip (UINT32_MAX: none) */
    uint32_t pace_ns;       /* per byte, at most (UINT32_MAX: nothing known) */
    uint32_t pace_long_ns;  /* the same from exchanges of PACE_SURE_BYTES or more */
    int pace_known;         /* the link's transfer_ms grows with the length */
    int framed;             /* not a byte stream: each packet a transfer of its own */
    int fast;               /* the link waits in microseconds (ready_us) */
    int fast_off;           /* fast polls crossed answers at FAST_MAX_US: none for a while */
    uint32_t fast_us;       /* the rhythm of fast polls, in microseconds */
    uint32_t fast_clean;    /* calls since fast_us or fast_off last changed */
    uint32_t since_cross;   /* calls since the last crossing (saturating) */
    uint32_t relax_calls;   /* clean calls before answer_ms halves, fast polls return */
    uint32_t since_relax;   /* calls since either last did (UINT32_MAX: crossed since, or never) */
    omvrpc_turnaround turnaround[OMVRPC_TURNAROUND_SLOTS]; /* the last functions' headers */
    uint32_t turnaround_clock;                             /* counts the result headers kept */
} omvrpc_timing;

void omvrpc_timing_init(omvrpc_timing *t, omv_rpc_endpoint *ep);

/* The first short wait of a phase (before the link's short_timeout_scale),
 * and the next one after attempt `attempt` (0-based) went unanswered,
 * capped by the phase's timeout. */
uint32_t omvrpc_timing_first_short(const omvrpc_timing *t);
uint32_t omvrpc_timing_next_short(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                  uint32_t cap);
/* The short timeout after attempt `attempt` got an answer but failed
 * later (`crossed`: a sign that its poll crossed the slave's answer, which
 * came `answered_ms` after the phase's first request; the link's short
 * timeouts are scaled by `scale`). */
uint32_t omvrpc_timing_after_retry(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                   uint32_t cap, int crossed, uint32_t answered_ms, uint32_t scale);
/* Whether attempt `attempt`, which got no answer to its first request, was
 * a poll of a busy slave rather than a retry. */
int omvrpc_timing_is_poll(const omvrpc_timing *t, int attempt);

/* Where the link can wait in microseconds (link.h's ready_us): how long
 * attempt `attempt`, a poll with short timeout `short_ms`, waits for its
 * answer to start before it asks again, in microseconds; 0 when it waits
 * the whole answer_wait (not a poll, a round trip of a millisecond or
 * more, a crossing seen lately). */
uint32_t omvrpc_timing_poll_us(const omvrpc_timing *t, int attempt, uint32_t short_ms);

/* Phase 2 of a call of `command`: how long into the phase its last call's
 * result header came, where that was after the fast polls at the phase's
 * start; 0 when not kept. */
uint32_t omvrpc_timing_result_expected(const omvrpc_timing *t, uint32_t command);
/* A result header of `command` came `ms` into phase 2 (under 3 ms: the
 * fast polls at the phase's start caught it, and what was kept stays). */
void omvrpc_timing_result_came(omvrpc_timing *t, uint32_t command, uint32_t ms);
/* Whether a poll of phase 2 `elapsed_ms` into the phase, after
 * `window_polls` fast polls around `expected_ms` (result_expected; 0:
 * none) and with short timeout `short_ms`, is one of those fast polls:
 * how long it waits for its answer to start, in microseconds, or 0. The
 * window opens WINDOW_LEAD_MS before the time expected and lasts twice
 * the fast polls at the phase's start. */
uint32_t omvrpc_timing_window_poll_us(const omvrpc_timing *t, uint32_t expected_ms,
                                      uint32_t elapsed_ms, int window_polls, uint32_t short_ms);

/* Whether the polls of a phase are fast ones (they wait fast_us). */
int omvrpc_timing_polling_fast(const omvrpc_timing *t);

/* How long attempt `attempt` waits for a short answer: its short timeout
 * `short_ms` (scaled by the link's `scale` once the polls are over) plus
 * the exchange's `round_trip`; at least 1 ms. */
uint32_t omvrpc_timing_answer_wait(const omvrpc_timing *t, uint32_t short_ms, int attempt,
                                   uint32_t scale, uint32_t round_trip);

/* One-way wire time of `len` bytes: the link's figure, or on a link that
 * does not know its pace, at least the estimate from the measured round
 * trip. */
uint32_t omvrpc_timing_wire_ms(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t len);
/* The wire time of `len` bytes where it is surely wire, not latency: the
 * link's figure beyond its fixed part where it knows its pace, else the
 * estimate from exchanges of at least PACE_SURE_BYTES alone (a
 * round trip that long is mostly wire, a short one may be latency); 0
 * when nothing is sure. */
uint32_t omvrpc_timing_sure_wire_ms(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t len);
/* The wire round trip of a short exchange, `out` bytes and `back` bytes:
 * the link's figure, or on a link that does not know its pace, at least
 * the estimate and the shortest measured one. */
uint32_t omvrpc_timing_round_trip(const omvrpc_timing *t, omv_rpc_endpoint *ep, size_t out,
                                  size_t back);
/* The slave's check time allowed for a data packet of `len` bytes. */
uint32_t omvrpc_timing_check_ms(const omvrpc_timing *t, size_t len);

/* What the master saw: a command header answered `ms` after the phase's
 * first one was sent (`first`: the attempt was the first);
 * a data packet of `len` bytes acked `ms` after it started; an ack that
 * did not come; a sign that a poll crossed an answer; a call completed. */
void omvrpc_timing_header_rtt(omvrpc_timing *t, uint32_t ms, int first);
/* A short exchange of `bytes` in all (a data packet of at most 8 bytes
 * and its answer) took `ms`, never repeated: as clean a round trip as a
 * first header's, and a pace sample of its own length (counted as a
 * header's 16 bytes, an empty call's 8 made a 9600-baud wire look twice
 * as fast as it is, and every wait for a result header missed it). */
void omvrpc_timing_short_rtt(omvrpc_timing *t, size_t bytes, uint32_t ms);
void omvrpc_timing_ack_on_time(omvrpc_timing *t, size_t len, uint32_t ms);
void omvrpc_timing_ack_late(omvrpc_timing *t);
void omvrpc_timing_crossed(omvrpc_timing *t);
void omvrpc_timing_call_done(omvrpc_timing *t);

#endif
