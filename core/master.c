/* The master: drives a call in two phases (docs/protocol.md section 2).
 *
 * Waits are sized for what is in flight: a wait for an answer is the short
 * timeout (a rhythm of polls while the slave is busy, then growing as
 * OpenMV's does; master_timing.h) plus the wire time of the packets
 * involved, a wait for a data packet's ack adds the packet's wire time and
 * the slave's check of it, and a wait for a data packet allows
 * LONG_TIMEOUT_MS of silence plus its wire time once it has started. That
 * is why a 200 KB argument goes through on the first attempt where
 * OpenMV's desktop master, waiting a few milliseconds for the ack, fails. */
#include <string.h>

#include "endpoint.h"
#include "master_timing.h"

struct omv_rpc_master {
    omv_rpc_endpoint ep;
    uint32_t retries;
    uint32_t polls;       /* this call's unanswered polls: retries if it fails */
    omvrpc_timing timing; /* learned from the slave, kept for the master's life */
};

size_t omv_rpc_master_storage_size(void)
{
    return sizeof(omv_rpc_master);
}

/* Fails at compile time if the public storage bound is too small. */
_Static_assert(sizeof(omv_rpc_master) <= OMV_RPC_MASTER_STORAGE_SIZE,
               "OMV_RPC_MASTER_STORAGE_SIZE is too small for omv_rpc_master");

static omv_rpc_endpoint *master_setup(void *handle, const omv_rpc_link *link,
                                      const omv_rpc_config *config)
{
    omv_rpc_master *m = handle;
    memset(m, 0, sizeof *m);
    omvrpc_ep_init(&m->ep, link, config); /* the link was checked */
    omvrpc_ep_watch(&m->ep, OMV_RPC_ERR_ABORTED, 1);
    omvrpc_timing_init(&m->timing, &m->ep);
    return &m->ep;
}

static omv_rpc_status master_create(omv_rpc_master **out, void *storage, size_t storage_size,
                                    int storage_required, const omv_rpc_link *link,
                                    const omv_rpc_config *config)
{
    void *m = NULL;
    omv_rpc_status st = omvrpc_ep_create(&m, out != NULL, storage, storage_size, storage_required,
                                         sizeof(omv_rpc_master), link, config, master_setup);
    if (out) {
        *out = m;
    }
    return st;
}

omv_rpc_status omv_rpc_master_new(omv_rpc_master **out, const omv_rpc_link *link,
                                  const omv_rpc_config *config)
{
    return master_create(out, NULL, 0, 0, link, config);
}

/* Without storage nothing is allocated: the call is refused. */
omv_rpc_status omv_rpc_master_init(omv_rpc_master **out, void *storage, size_t storage_size,
                                   const omv_rpc_link *link, const omv_rpc_config *config)
{
    return master_create(out, storage, storage_size, 1, link, config);
}

void omv_rpc_master_free(omv_rpc_master *m)
{
    if (m) {
        omvrpc_ep_dispose(&m->ep, m);
    }
}

omv_rpc_link *omv_rpc_master_link(omv_rpc_master *m)
{
    return m ? &m->ep.link : NULL;
}

void omv_rpc_master_abort(omv_rpc_master *m)
{
    if (m) {
        omvrpc_ep_cancel(&m->ep);
    }
}

uint32_t omv_rpc_master_retries(const omv_rpc_master *m)
{
    return m ? m->retries : 0;
}

static void note_retry(omv_rpc_master *m, const char *what, int attempt, uint32_t wait_ms,
                       omv_rpc_status st)
{
    m->retries++;
    omvrpc_ep_logf(&m->ep, OMV_RPC_LOG_DEBUG,
                   "master: %s attempt %u failed (%s; short wait %u ms), starting over", what,
                   (unsigned)attempt + 1u, omv_rpc_status_name(st), (unsigned)wait_ms);
}

/* An attempt that got no answer to its first request: a poll of a busy
 * slave (not counted), or a retry. */
static void note_unanswered(omv_rpc_master *m, const char *what, int attempt, uint32_t wait_ms,
                            omv_rpc_status st)
{
    if (st != OMV_RPC_ERR_TIMEOUT || !omvrpc_timing_is_poll(&m->timing, attempt)) {
        note_retry(m, what, attempt, wait_ms, st);
        return;
    }
    /* A poll of a busy slave: counted as a retry only if the call fails. */
    m->polls++;
    omvrpc_ep_logf(&m->ep, OMV_RPC_LOG_DEBUG,
                   "master: %s attempt %u failed (%s; short wait %u ms), starting over", what,
                   (unsigned)attempt + 1u, omv_rpc_status_name(st), (unsigned)wait_ms);
}

/* A sign that a poll crossed the slave's answer (master_timing.h): the
 * schedule learns from it; the log says what the rhythm of polls is now. */
static void note_crossed(omv_rpc_master *m, const char *what)
{
    omvrpc_timing *t = &m->timing;
    omvrpc_timing_crossed(t);
    omvrpc_ep_logf(&m->ep, OMV_RPC_LOG_DEBUG,
                   "master: %s: a poll may have crossed the answer; polls now every %u us, "
                   "short wait %u ms",
                   what, omvrpc_timing_polling_fast(t) ? (unsigned)t->fast_us : 0u,
                   (unsigned)t->answer_ms);
}

/* A poll on a link that can wait in microseconds (master_timing.h), `us`
 * its fast rhythm (0: not a fast poll): 0 when no answer started within
 * it (the request is sent again at once, without a flush: what comes
 * later is an answer to one of the requests, as good as the next one's),
 * else 1 (and the answer gets its whole wait). */
static int answer_starting(omv_rpc_master *m, uint32_t us)
{
    return !us || !m->ep.t.ready_us || m->ep.t.ready_us(m->ep.t.ctx, us);
}

/* Slack in the wait for a data packet's ack beyond its wire and check
 * time (before the link's scale). Only a lost or corrupted packet waits it
 * out, but an ack missed because this PC stalled for a moment makes the
 * master send the call again, and a slave without our repeat detection
 * (OpenMV's, the Arduino library's) then runs its callback twice. */
#define DATA_ACK_SLACK_MS 50u

/* The most bytes of a packet cut by our flush that can come ahead of the
 * answer awaited next (the rest of a result header), slid over on a byte
 * stream. Without it a slow wire livelocked: at 9600 baud with the pace
 * not known yet, the first wait (14 ms) ended inside the header's ack
 * (16.7 ms for the header and its ack), the flush kept the ack's first
 * byte from its last three, those three and the next ack's first byte
 * read as a bad ack, whose rest the next flush cut again: every attempt
 * failed the same way, 14 ms apart, until the call timed out. */
#define CUT_TAIL_MAX 7u

/* Phase 1: command header, ack, command data, ack. */
static omv_rpc_status put_command(omv_rpc_master *m, uint32_t command, const uint8_t *arg,
                                  size_t arg_len, uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &m->ep;
    omvrpc_timing *t = &m->timing;
    uint8_t header[8], none[1];
    put_le32(header, command);
    put_le32(header + 4, (uint32_t)arg_len);

    const uint32_t scale = omvrpc_ep_short_scale(ep);
    uint32_t round_trip = omvrpc_timing_round_trip(t, ep, 12, 4);
    uint32_t short_ms = omvrpc_timing_first_short(t);
    int after_poll = 0;       /* the previous attempt's header went unanswered */
    int keep_input = 0;       /* it was a fast poll: nothing read, nothing partial */
    uint32_t answered_ms = 0; /* when the ack came, from the phase's first header */
    const uint32_t start = omvrpc_ep_now(ep);

    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && (uint32_t)(omvrpc_ep_now(ep) - start) >= timeout_ms) {
            return OMV_RPC_ERR_SEND_TIMEOUT;
        }
        round_trip = omvrpc_timing_round_trip(t, ep, 12, 4); /* learned as it goes */
        uint32_t wait = omvrpc_timing_answer_wait(t, short_ms, attempt, scale, round_trip);
        if (!keep_input) {
            omvrpc_ep_flush(ep);
        }
        keep_input = 0;
        const uint32_t sent = omvrpc_ep_now(ep);
        omv_rpc_status st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_HEADER, header, 8, wait, 0);
        if (st == OMV_RPC_OK && !answer_starting(m, omvrpc_timing_poll_us(t, attempt, short_ms))) {
            st = OMV_RPC_ERR_TIMEOUT;
            keep_input = 1;
        } else if (st == OMV_RPC_OK) {
            st = omvrpc_ep_recv_packet_skipping(ep, MAGIC_COMMAND_HEADER, none, 0, wait, NULL, 0,
                                                CUT_TAIL_MAX, NULL);
        }
        if (st != OMV_RPC_OK) {
            if (is_link_failure(st)) {
                return st;
            }
            note_unanswered(m, "command", attempt, wait, st);
            after_poll = st == OMV_RPC_ERR_TIMEOUT;
            short_ms = omvrpc_timing_next_short(t, short_ms, attempt, timeout_ms);
            continue;
        }
        const uint32_t data_start = omvrpc_ep_now(ep);
        answered_ms = data_start - start;
        /* Only the first header's ack is surely its own; later ones came
         * within the time since the first header. */
        omvrpc_timing_header_rtt(t, data_start - (attempt ? start : sent), attempt == 0);
        /* The ack can only come once the whole argument has crossed the
         * wire and the slave has checked it, and put_bytes returns as soon
         * as the bytes are queued. Allow an eighth more than the nominal
         * wire time: a UART's clock may be off by a few percent and
         * adapters add their own pauses; at 9600 baud a 1 KB argument
         * takes 1.07 s, so without slack a wire 3% slow misses the wait
         * and the default 1000 ms send timeout leaves no retry. */
        const uint32_t wire = omvrpc_timing_wire_ms(t, ep, arg_len + 4 + 4); /* and the ack */
        const uint32_t data_time =
            omvrpc_sat_add(omvrpc_sat_add(wire, wire / 8u), omvrpc_timing_check_ms(t, arg_len));
        /* Anything still queued is a stale answer to an earlier header. */
        omvrpc_ep_flush(ep);
        st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_DATA, arg, arg_len,
                                   omvrpc_sat_add(LONG_TIMEOUT_MS, data_time), 0);
        if (st == OMV_RPC_OK) {
            /* Skipping the slave's extra acks of a command header it
             * received twice (our retry crossed its first ack). The wait
             * counts from the start of the data: on a link that blocks
             * while it sends, that time is spent already. */
            static const ep_stale header_ack = {MAGIC_COMMAND_HEADER, 0};
            uint32_t spent = omvrpc_ep_now(ep) - data_start;
            uint32_t ack_wait = omvrpc_sat_add(
                (short_ms > DATA_ACK_SLACK_MS ? short_ms : DATA_ACK_SLACK_MS) * scale, round_trip);
            ack_wait = omvrpc_sat_add(ack_wait, data_time > spent ? data_time - spent : 0u);
            st = omvrpc_ep_recv_packet_skipping(ep, MAGIC_COMMAND_DATA, none, 0, ack_wait,
                                                &header_ack, 1, 0, NULL);
            if (st == OMV_RPC_OK) {
                uint32_t took = omvrpc_ep_now(ep) - data_start;
                omvrpc_timing_ack_on_time(t, arg_len, took);
                if (arg_len <= 8) {
                    /* A short packet and its ack, never repeated: a round
                     * trip as clean as a first header's. */
                    omvrpc_timing_short_rtt(t, arg_len + 8u, took);
                }
                return OMV_RPC_OK;
            }
            if (st == OMV_RPC_ERR_TIMEOUT) {
                /* Late, or never coming (a corrupted packet): allow the
                 * next attempt twice the check time. An ack that answered
                 * a poll may have been late for it, and our next header
                 * then reached the slave in place of the data. */
                omvrpc_timing_ack_late(t);
                if (after_poll) {
                    note_crossed(m, "command");
                }
            }
        }
        if (is_link_failure(st) || st == OMV_RPC_ERR_NO_MEMORY || st == OMV_RPC_ERR_TOO_LARGE) {
            return st;
        }
        note_retry(m, "command", attempt, wait, st);
        short_ms =
            omvrpc_timing_after_retry(t, short_ms, attempt, timeout_ms,
                                      st == OMV_RPC_ERR_TIMEOUT && after_poll, answered_ms, scale);
        after_poll = 0;
    }
}

/* Where phase 2 puts the result. */
typedef struct result_sink {
    uint8_t *fixed; /* caller's buffer, or NULL for the master's */
    size_t fixed_size;
    uint8_t *data; /* out */
    size_t len;    /* out */
} result_sink;

/* How long the first bytes of a result of `len` bytes may take after the
 * data request: the short wait and the slave's check time (a slave may
 * build the packet only now). Where they do not come, the slave did not
 * take the request (the Arduino library's slave allows 2-3 ms for it,
 * then flushes and waits for a new header request, all within 100 ms):
 * ask again while time remains instead of waiting for data that will
 * never come. On a byte stream the wait is at least
 * STREAM_DATA_START_MS: a slave that took the request but was slow to
 * start (a camera's hiccup, a PC's stall) is asked again only then, and
 * its data is still taken if it comes after that request (get_result);
 * but the request is then left in the slave's input, where it would spoil
 * a stream or cut-through transfer that follows the call. On other links (datagrams, CAN frames, I2C and SPI transactions) it
 * cannot tell a new request from a stale one, so there the wait is at
 * least FRAMED_DATA_START_MS, and where the data travels apart from the
 * requests (the network link's TCP, whose connection may take its own
 * time) the whole wait. Except after polls (`after_poll`): the header may
 * then answer the poll before the last, and OpenMV's camera, reading the
 * last where it awaited our data request, is starting over and sends no
 * data; scaled, FRAMED_DATA_START_MS would be the whole of a default
 * phase on UDP (1 s) and fail the call, so there the wait is
 * STREAM_DATA_START_MS (scaled: 200 ms on UDP), after fast polls too. It
 * used to be 20 ms there, unscaled, to make a crossing cheap; but a
 * datagram link cannot take data that comes after we asked again (its
 * length is not a header's: the link drops it), and a camera whose result
 * was delayed past 20 ms (a network's hiccup) had sent it and moved on to
 * the next call, which left the call to fail after its whole phase
 * (test_peer_openmv's test_udp_result_delayed: 7 of 60 calls). A lost
 * call costs more than a slower recovery from a crossing. */
#define FRAMED_DATA_START_MS 100u /* before the link's scale: a loaded PC's stall */
#define STREAM_DATA_START_MS 20u  /* well past the Arduino slave's 2-3 ms window */

static uint32_t data_start_ms(omv_rpc_master *m, uint32_t wait, uint32_t len, uint32_t whole,
                              int after_poll)
{
    omv_rpc_endpoint *ep = &m->ep;
    int apart = 0; /* the data travels apart from the requests */
    if (!ep->t.byte_stream) {
        /* Data over the link's other channel (the network link's TCP) gets
         * the whole allowance, except after polls: as with a datagram, the
         * camera may have read our last poll where it awaited the data
         * request and started over, sending no data. Waiting the whole
         * allowance then used up a default 1 s phase (the virtual camera
         * with --openmv-timeouts on loopback UDP, machine loaded: 14 of 60
         * jpeg_snapshot calls failed); asked again sooner, the camera
         * answers its new attempt's header request. */
        apart = ep->t.split_min && (size_t)len + 4 > ep->t.split_min;
        if (apart && !after_poll) {
            return whole;
        }
        const uint32_t least =
            (after_poll ? STREAM_DATA_START_MS : FRAMED_DATA_START_MS) * omvrpc_ep_short_scale(ep);
        wait = wait > least ? wait : least;
        /* One transfer: the whole packet must come in the wait. */
        wait = omvrpc_sat_add(wait, omvrpc_timing_wire_ms(&m->timing, ep, (size_t)len + 4));
    } else {
        /* On a slow wire at least two round trips of the requests: the
         * Arduino library's slave at 9600 baud cannot take a data request
         * until its short timeouts, 1 ms longer after each failed attempt,
         * have outgrown its own header's wire time (8 ms), and gives up the
         * result 100 ms after the callback. Asked again at once, it spent
         * three of our attempts growing and sometimes ran out of time (1
         * call in 150 failed); left alone for two round trips, it grows
         * while it waits and takes the second. */
        uint32_t least = 2u * omvrpc_timing_round_trip(&m->timing, ep, 4, 8);
        least = least > STREAM_DATA_START_MS ? least : STREAM_DATA_START_MS;
        wait = wait > least ? wait : least;
    }
    uint32_t check = omvrpc_timing_check_ms(&m->timing, len);
    wait = omvrpc_sat_add(wait, check < LONG_TIMEOUT_MS ? check : LONG_TIMEOUT_MS);
    return apart && wait > whole ? whole : wait;
}

/* On a slow byte stream (a UART at 9600 baud, where a result header takes
 * 8 ms to cross) the data request goes out as soon as the header's first
 * byte is in, while the rest of it is still on the wire: a slave that has
 * sent that byte has written its whole header and awaits the request. The
 * Arduino library's slave waits for it only its short timeout, 2-3 ms at
 * first and 1 ms more after each failed attempt, from when it wrote the
 * header, and gives the result up 100 ms after its callback: asked once
 * the whole header was in, it took the request only when that timeout had
 * outgrown the header's wire time, at about 75 of its 100 ms and with a
 * millisecond to spare, so a stall of either side failed the call (issue
 * 17: 8 calls in 1000 at 9600 baud). Only where the wire is surely slow
 * (the link knows its pace, a UART opened with its baud rate, or a long
 * exchange measured it, master_timing.h): a slow short round trip may be
 * latency. The cost: a result that turns out too large for the limit or
 * the caller's buffer comes all the same, and the next call's flushes
 * drop it. The result header's wire time from which this is done: */
#define EARLY_REQUEST_WIRE_MS 2u /* 57600 baud and slower */

static int early_data_request(omv_rpc_master *m)
{
    return m->ep.t.byte_stream &&
           omvrpc_timing_sure_wire_ms(&m->timing, &m->ep, 8) >= EARLY_REQUEST_WIRE_MS;
}

/* The result header (its 4-byte payload into `header`), and where
 * early_data_request says so, the data request sent once its first byte
 * has come (*asked = 1 then). */
static omv_rpc_status recv_result_header(omv_rpc_master *m, uint8_t *header, uint32_t wait,
                                         int *asked)
{
    omv_rpc_endpoint *ep = &m->ep;
    *asked = 0;
    if (!early_data_request(m)) {
        return omvrpc_ep_recv_packet_skipping(ep, MAGIC_RESULT_HEADER, header, 4, wait, NULL, 0,
                                              CUT_TAIL_MAX, NULL);
    }
    uint8_t pkt[8];
    omv_rpc_status st = omvrpc_ep_get(ep, pkt, 1, wait, 0);
    if (st != OMV_RPC_OK || pkt[0] != (uint8_t)MAGIC_RESULT_HEADER) {
        return st != OMV_RPC_OK ? st : OMV_RPC_ERR_BAD_PACKET;
    }
    st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_DATA, NULL, 0, wait, 0);
    if (st != OMV_RPC_OK) {
        return st;
    }
    *asked = 1;
    st = omvrpc_ep_get(ep, pkt + 1, 7, wait, 0);
    if (st != OMV_RPC_OK) {
        return st;
    }
    uint8_t want[8]; /* the header as it must be, with what came as its payload */
    omvrpc_ep_encode_packet(want, MAGIC_RESULT_HEADER, pkt + 2, 4);
    if (memcmp(pkt, want, 8) != 0) {
        return OMV_RPC_ERR_BAD_PACKET;
    }
    memcpy(header, pkt + 2, 4);
    return OMV_RPC_OK;
}

/* Phase 2 of a call of `command`: request, result header, request,
 * result data. */
static omv_rpc_status get_result(omv_rpc_master *m, uint32_t command, result_sink *sink,
                                 uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &m->ep;
    omvrpc_timing *t = &m->timing;
    uint8_t header[4];
    const uint32_t scale = omvrpc_ep_short_scale(ep);
    uint32_t round_trip = omvrpc_timing_round_trip(t, ep, 4, 8);
    uint32_t short_ms = omvrpc_timing_first_short(t);
    int after_poll = 0;       /* the previous attempt's request went unanswered */
    int keep_input = 0;       /* it was a fast poll: nothing read, nothing partial */
    uint32_t answered_ms = 0; /* when the header came, from the phase's first request */
    /* A result whose data did not start in time, and may still come: a
     * slave that took the data request late (a camera busy for a moment)
     * sends it after we asked again. Read as the next header, it would be
     * dropped, and the slave, done with the call, would never answer. */
    uint8_t *late_dest = NULL;
    uint32_t late_len = 0, late_whole = 0;
    /* When this function's last result header came (master_timing.h), and
     * the fast polls made so far in the window around that time: extra
     * polls, which the schedule's count of attempts (`step`) leaves out. */
    const uint32_t expected = omvrpc_timing_result_expected(t, command);
    int window_polls = 0;
    const uint32_t start = omvrpc_ep_now(ep);

    for (int attempt = 0;; attempt++) {
        const uint32_t elapsed = omvrpc_ep_now(ep) - start;
        if (attempt > 0 && elapsed >= timeout_ms) {
            return OMV_RPC_ERR_RECV_TIMEOUT;
        }
        const int step = attempt - window_polls;
        int asked_early = 0; /* the data request went out with the header's first byte */
        round_trip = omvrpc_timing_round_trip(t, ep, 4, 8);
        uint32_t wait = omvrpc_timing_answer_wait(t, short_ms, step, scale, round_trip);
        uint32_t fast_us = omvrpc_timing_poll_us(t, step, short_ms);
        int in_window = 0;
        if (!fast_us) {
            fast_us = omvrpc_timing_window_poll_us(t, expected, elapsed, window_polls, short_ms);
            in_window = fast_us != 0;
        }
        if (!late_dest && !keep_input) {
            omvrpc_ep_flush(ep); /* else it would drop the late data's first bytes */
        }
        keep_input = 0;
        omv_rpc_status st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_HEADER, NULL, 0, wait, 0);
        if (st == OMV_RPC_OK && !late_dest && !answer_starting(m, fast_us)) {
            st = OMV_RPC_ERR_TIMEOUT;
            keep_input = 1;
            window_polls += in_window;
        } else if (st == OMV_RPC_OK && late_dest) {
            int late = 0;
            st = omvrpc_ep_recv_packet_or_late(ep, MAGIC_RESULT_HEADER, header, 4, wait,
                                               MAGIC_RESULT_DATA, late_dest, late_len, late_whole,
                                               &late);
            if (st == OMV_RPC_OK && late) {
                omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG, "master: the result data came late");
                sink->data = late_dest;
                sink->len = late_len;
                return OMV_RPC_OK;
            }
        } else if (st == OMV_RPC_OK) {
            st = recv_result_header(m, header, wait, &asked_early);
        }
        if (st != OMV_RPC_OK) {
            if (is_link_failure(st)) {
                return st;
            }
            note_unanswered(m, "result", step, wait, st);
            after_poll = st == OMV_RPC_ERR_TIMEOUT;
            short_ms = omvrpc_timing_next_short(t, short_ms, step, timeout_ms);
            continue;
        }
        uint32_t len = get_le32(header);
        answered_ms = omvrpc_ep_now(ep) - start;
        omvrpc_timing_result_came(t, command, answered_ms);
        uint8_t *dest;
        if (len > ep->max_payload) {
            omvrpc_ep_logf(ep, OMV_RPC_LOG_WARNING,
                           "master: result of %u bytes is over the limit of %u bytes", len,
                           ep->max_payload);
            sink->len = len;
            return OMV_RPC_ERR_TOO_LARGE;
        }
        if (sink->fixed) {
            if (len > sink->fixed_size) {
                sink->len = len;
                return OMV_RPC_ERR_BUFFER_TOO_SMALL;
            }
            dest = sink->fixed;
        } else {
            st = omvrpc_ep_reserve(ep, &ep->rx, len ? len : 1);
            if (st != OMV_RPC_OK) {
                sink->len = len;
                return st;
            }
            dest = ep->rx.data;
        }
        if (!asked_early) {
            omvrpc_ep_flush(ep); /* drop stale duplicates of the header */
        }
        const uint32_t asked = omvrpc_ep_now(ep);
        /* The check of a result before it is sent: at most
         * LONG_TIMEOUT_MS, so that a slave that announced a huge length
         * and went silent is given up in about 2 s. */
        uint32_t check = omvrpc_timing_check_ms(t, len);
        check = check < LONG_TIMEOUT_MS ? check : LONG_TIMEOUT_MS;
        const uint32_t whole = omvrpc_sat_add(omvrpc_sat_add(LONG_TIMEOUT_MS + check, round_trip),
                                              omvrpc_timing_wire_ms(t, ep, (size_t)len + 4));
        st = asked_early ? OMV_RPC_OK
                         : omvrpc_ep_send_packet(ep, MAGIC_RESULT_DATA, NULL, 0, wait, 0);
        if (st == OMV_RPC_OK) {
            /* Skipping the slave's extra result headers, answers to our
             * requests that crossed its first one: on a slow UART they
             * are still on the wire after our flush. */
            static const ep_stale result_header = {MAGIC_RESULT_HEADER, 4};
            st = omvrpc_ep_recv_packet_starting(ep, MAGIC_RESULT_DATA, dest, len, whole,
                                                data_start_ms(m, wait, len, whole, after_poll),
                                                &result_header, 1, 0, NULL);
        }
        if (st == OMV_RPC_OK) {
            if (len <= 8 && !asked_early) {
                /* (Asked early, the time also covers most of the header.) */
                omvrpc_timing_short_rtt(t, (size_t)len + 8u, omvrpc_ep_now(ep) - asked);
            }
            sink->data = dest;
            sink->len = len;
            return OMV_RPC_OK;
        }
        if (is_link_failure(st)) {
            return st;
        }
        /* Not started (or cut short): it may yet come, in place of the
         * answer to our next request. */
        late_dest = st == OMV_RPC_ERR_TIMEOUT ? dest : NULL;
        late_len = len;
        late_whole = whole;
        if (st == OMV_RPC_ERR_TIMEOUT && after_poll) {
            /* The header may have answered the request before the last:
             * the last then reached the slave in place of our data request. */
            note_crossed(m, "result");
        }
        note_retry(m, "result", step, wait, st);
        short_ms =
            omvrpc_timing_after_retry(t, short_ms, step, timeout_ms,
                                      st == OMV_RPC_ERR_TIMEOUT && after_poll, answered_ms, scale);
        after_poll = 0;
    }
}

static omv_rpc_status do_call(omv_rpc_master *m, uint32_t command, const void *arg, size_t arg_len,
                              result_sink *sink, uint32_t send_timeout_ms, uint32_t recv_timeout_ms)
{
    if (!m || (!arg && arg_len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (arg_len > m->ep.max_payload) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    static const uint8_t empty[1] = {0};
    m->polls = 0;
    omv_rpc_status st =
        put_command(m, command, arg ? (const uint8_t *)arg : empty, arg_len, send_timeout_ms);
    if (st == OMV_RPC_OK) {
        st = get_result(m, command, sink, recv_timeout_ms);
    }
    if (st == OMV_RPC_OK) {
        omvrpc_timing_call_done(&m->timing);
    } else {
        m->retries += m->polls;
    }
    return st;
}

omv_rpc_status omv_rpc_master_call_hash(omv_rpc_master *m, uint32_t command, const void *arg,
                                        size_t arg_len, const uint8_t **result, size_t *result_len,
                                        uint32_t send_timeout_ms, uint32_t recv_timeout_ms)
{
    result_sink sink = {NULL, 0, NULL, 0};
    if (result) {
        *result = NULL;
    }
    if (result_len) {
        *result_len = 0;
    }
    omv_rpc_status st = do_call(m, command, arg, arg_len, &sink, send_timeout_ms, recv_timeout_ms);
    if (st == OMV_RPC_OK) {
        if (result) {
            *result = sink.data;
        }
        if (result_len) {
            *result_len = sink.len;
        }
    }
    return st;
}

omv_rpc_status omv_rpc_master_call(omv_rpc_master *m, const char *name, const void *arg,
                                   size_t arg_len, const uint8_t **result, size_t *result_len,
                                   uint32_t send_timeout_ms, uint32_t recv_timeout_ms)
{
    if (!name) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return omv_rpc_master_call_hash(m, omv_rpc_hash_str(name), arg, arg_len, result, result_len,
                                    send_timeout_ms, recv_timeout_ms);
}

omv_rpc_status omv_rpc_master_call_into(omv_rpc_master *m, const char *name, const void *arg,
                                        size_t arg_len, uint8_t *buf, size_t buf_size,
                                        size_t *result_len, uint32_t send_timeout_ms,
                                        uint32_t recv_timeout_ms)
{
    static uint8_t nowhere[1];
    result_sink sink = {buf ? buf : nowhere, buf ? buf_size : 0, NULL, 0};
    if (result_len) {
        *result_len = 0;
    }
    if (!name) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st =
        do_call(m, omv_rpc_hash_str(name), arg, arg_len, &sink, send_timeout_ms, recv_timeout_ms);
    if (result_len &&
        (st == OMV_RPC_OK || st == OMV_RPC_ERR_BUFFER_TOO_SMALL || st == OMV_RPC_ERR_TOO_LARGE)) {
        *result_len = sink.len;
    }
    return st;
}

omv_rpc_status omv_rpc_master_stream_reader(omv_rpc_master *m, omv_rpc_stream_read_fn fn,
                                            void *user_data, uint32_t queue_depth,
                                            uint32_t read_timeout_ms)
{
    if (!m) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return omvrpc_ep_stream_reader(&m->ep, fn, user_data, queue_depth, read_timeout_ms);
}

omv_rpc_status omv_rpc_master_stream_writer(omv_rpc_master *m, omv_rpc_stream_write_fn fn,
                                            void *user_data, uint32_t write_timeout_ms)
{
    if (!m) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    return omvrpc_ep_stream_writer(&m->ep, fn, user_data, write_timeout_ms);
}
