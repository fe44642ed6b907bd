/* The slave: waits for a command, runs its callback, serves the result
 * (docs/protocol.md section 2).
 *
 * Unlike OpenMV's slave, it waits for a command without polling in 2 ms
 * slices (a slice that ends mid-packet loses the packet), flushes only
 * after it has taken a packet (so anything older is dropped and nothing
 * newer can be), and answers a repeated request for the result header
 * while it waits for the data request: a master whose first request went
 * unanswered because the callback was still running recovers at once.
 * OpenMV's camera timing, for those who want to meet it, is
 * slave_camera.c (omv_rpc_slave_set_timing). */
#include <string.h>

#include "slave.h"

/* Fails at compile time if the public storage bound is too small. */
_Static_assert(sizeof(omv_rpc_slave) <= OMV_RPC_SLAVE_STORAGE_SIZE,
               "OMV_RPC_SLAVE_STORAGE_SIZE is too small for omv_rpc_slave");

size_t omv_rpc_slave_storage_size(void)
{
    return sizeof(omv_rpc_slave);
}

static omv_rpc_endpoint *slave_setup(void *handle, const omv_rpc_link *link,
                                     const omv_rpc_config *config)
{
    omv_rpc_slave *s = handle;
    memset(s, 0, sizeof *s);
    omvrpc_ep_init(&s->ep, link, config); /* the link was checked */
    /* A stop ends the wait in progress and every later one until cleared. */
    omvrpc_ep_watch(&s->ep, OMV_RPC_ERR_STOPPED, 0);
    return &s->ep;
}

static omv_rpc_status slave_create(omv_rpc_slave **out, void *storage, size_t storage_size,
                                   int storage_required, const omv_rpc_link *link,
                                   const omv_rpc_config *config)
{
    void *s = NULL;
    omv_rpc_status st = omvrpc_ep_create(&s, out != NULL, storage, storage_size, storage_required,
                                         sizeof(omv_rpc_slave), link, config, slave_setup);
    if (out) {
        *out = s;
    }
    return st;
}

omv_rpc_status omv_rpc_slave_new(omv_rpc_slave **out, const omv_rpc_link *link,
                                 const omv_rpc_config *config)
{
    return slave_create(out, NULL, 0, 0, link, config);
}

/* Without storage nothing is allocated: the call is refused. */
omv_rpc_status omv_rpc_slave_init(omv_rpc_slave **out, void *storage, size_t storage_size,
                                  const omv_rpc_link *link, const omv_rpc_config *config)
{
    return slave_create(out, storage, storage_size, 1, link, config);
}

void omv_rpc_slave_free(omv_rpc_slave *s)
{
    if (s) {
        omvrpc_ep_dispose(&s->ep, s);
    }
}

omv_rpc_link *omv_rpc_slave_link(omv_rpc_slave *s)
{
    return s ? &s->ep.link : NULL;
}

/* ------------------------------------------------------------- callbacks */

static callback_entry *find_callback(omv_rpc_slave *s, uint32_t command)
{
    for (size_t i = 0; i < s->callback_count; i++) {
        if (s->callbacks[i].command == command) {
            return &s->callbacks[i];
        }
    }
    return NULL;
}

omv_rpc_status omv_rpc_slave_register_callback(omv_rpc_slave *s, const char *name,
                                               omv_rpc_callback fn, void *user_data)
{
    if (!s || !name || !fn) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    uint32_t command = omv_rpc_hash_str(name);
    callback_entry *e = find_callback(s, command);
    if (!e) {
        if (s->callback_count >= OMV_RPC_SLAVE_MAX_CALLBACKS) {
            return OMV_RPC_ERR_FULL;
        }
        e = &s->callbacks[s->callback_count++];
    }
    e->command = command;
    e->fn = fn;
    e->user_data = user_data;
    return OMV_RPC_OK;
}

void omv_rpc_slave_unregister_callback(omv_rpc_slave *s, const char *name)
{
    if (!s || !name) {
        return;
    }
    callback_entry *e = find_callback(s, omv_rpc_hash_str(name));
    if (e) {
        *e = s->callbacks[--s->callback_count];
    }
}

omv_rpc_status omv_rpc_slave_reply(omv_rpc_slave *s, const void *data, size_t len)
{
    if (!s || (!data && len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (len > s->ep.max_payload) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    s->result = (const uint8_t *)data;
    s->result_len = len;
    return OMV_RPC_OK;
}

uint8_t *omv_rpc_slave_reply_buffer(omv_rpc_slave *s, size_t len)
{
    if (!s) {
        return NULL;
    }
    s->result = NULL;
    s->result_len = 0;
    if (len > s->ep.max_payload || omvrpc_ep_reserve(&s->ep, &s->ep.tx, len + 4) != OMV_RPC_OK) {
        omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_WARNING, "slave: no room for a result of %u bytes",
                       (unsigned)len);
        return NULL;
    }
    s->result = s->ep.tx.data + 2;
    s->result_len = len;
    return s->ep.tx.data + 2;
}

omv_rpc_status omv_rpc_slave_reply_copy(omv_rpc_slave *s, const void *data, size_t len)
{
    if (!s || (!data && len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    /* `data` may live in the tx buffer itself (an earlier reply). */
    if (s->ep.tx.data && (const uint8_t *)data >= s->ep.tx.data &&
        (const uint8_t *)data < s->ep.tx.data + s->ep.tx.size) {
        if ((const uint8_t *)data + len > s->ep.tx.data + s->ep.tx.size - 2) {
            return OMV_RPC_ERR_INVALID_ARG;
        }
        memmove(s->ep.tx.data + 2, data, len);
        s->result = s->ep.tx.data + 2;
        s->result_len = len;
        return OMV_RPC_OK;
    }
    uint8_t *buf = omv_rpc_slave_reply_buffer(s, len);
    if (!buf) {
        return len > s->ep.max_payload ? OMV_RPC_ERR_TOO_LARGE : OMV_RPC_ERR_NO_MEMORY;
    }
    if (len) {
        memcpy(buf, data, len);
    }
    return OMV_RPC_OK;
}

void omv_rpc_slave_schedule_callback(omv_rpc_slave *s, omv_rpc_task fn, void *user_data)
{
    if (s) {
        s->scheduled = fn;
        s->scheduled_data = user_data;
    }
}

void omv_rpc_slave_setup_loop_callback(omv_rpc_slave *s, omv_rpc_task fn, void *user_data)
{
    if (s) {
        s->loop_fn = fn;
        s->loop_data = user_data;
    }
}

void omv_rpc_slave_stop(omv_rpc_slave *s)
{
    if (s) {
        omvrpc_ep_cancel(&s->ep);
    }
}

void omv_rpc_slave_clear_stop(omv_rpc_slave *s)
{
    if (s) {
        omvrpc_ep_clear_cancel(&s->ep);
    }
}

omv_rpc_status omv_rpc_slave_set_timing(omv_rpc_slave *s, omv_rpc_slave_timing timing)
{
    if (!s || s->ep.busy || s->in_callback ||
        (timing != OMV_RPC_SLAVE_TIMING_OMVRPC && timing != OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    s->camera_timing = timing == OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA;
    /* What our own timing remembers between calls means nothing to the
     * other: forget it either way. */
    s->offered = 0;
    s->offer_header_sent = 0;
    s->has_pending_header = 0;
    s->repeat_expected = 0;
    return OMV_RPC_OK;
}

omv_rpc_slave_timing omv_rpc_slave_get_timing(const omv_rpc_slave *s)
{
    return s && s->camera_timing ? OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA : OMV_RPC_SLAVE_TIMING_OMVRPC;
}

void omv_rpc_slave_set_attempt_callback(omv_rpc_slave *s, omv_rpc_task fn, void *user_data)
{
    if (s) {
        s->attempt_fn = fn;
        s->attempt_data = user_data;
    }
}

uint32_t omv_rpc_slave_calls_served(const omv_rpc_slave *s)
{
    return s ? s->served : 0;
}

uint32_t omv_rpc_slave_packets_refused(const omv_rpc_slave *s)
{
    return s ? s->refused : 0;
}

/* -------------------------------------------------------------- the call */

static void refuse(omv_rpc_slave *s, const char *what, omv_rpc_status st)
{
    s->refused++;
    omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG, "slave: %s refused (%s)", what,
                   omv_rpc_status_name(st));
    omvrpc_ep_flush(&s->ep);
}

/* Stray bytes slid over while looking for a command header: a stream
 * writer stops reading acks once its callback ends the stream, leaving
 * up to half its queue depth of them. */
#define COMMAND_HUNT_BYTES 256u

/* How long sending a short answer of `len` bytes may take. */
static uint32_t answer_ms(omv_rpc_endpoint *ep, size_t len)
{
    return omvrpc_sat_add(SHORT_TIMEOUT_START_MS * omvrpc_ep_short_scale(ep),
                          omvrpc_ep_transfer_ms(ep, len));
}

/* The command header was acked: note when the ack is off the wire. */
static void header_acked(omv_rpc_slave *s)
{
    s->header_acked_ms = omvrpc_ep_now(&s->ep) + omvrpc_ep_transfer_ms(&s->ep, 4);
}

/* Quiet a master must have kept before a repeat of its request is
 * answered again, beyond the first repeat. */
#define REPEAT_QUIET_MS 2u

/* Whether a repeat of a request of `len` bytes, just read, is answered
 * again; `answered_ms` is when our last answer to it was off the wire.
 * Masters flush their input before each attempt (OpenMV's, the Arduino
 * library's, ours), so a repeat sent before our answer had wholly arrived
 * means the master will still see that answer, or its tail: whole, it
 * takes it for the repeat's, and a second answer would wait in its input
 * in front of the next one (the data ack, the result data); cut by the
 * flush, its next read starts with the tail, and a second answer right
 * behind it misframes that read. The Arduino library's master resends at
 * once after a misframed read, so on a slow UART (a header takes 8-12 ms
 * at 9600 baud) answering each resend kept it misframed for the whole
 * call (issue 17). Left unanswered, its read gets the rest of our answer
 * or the tail and times out, it waits, flushes an empty line, and its next
 * repeat is answered. A repeat sent after our answer arrived means the
 * master dropped it (late for its wait): answered, the first at once,
 * later ones only after a few ms of quiet (a master that resends on a
 * rhythm faster than the wire keeps crossing us). */
static int answer_repeat(omv_rpc_endpoint *ep, uint32_t *repeats, uint32_t answered_ms, size_t len)
{
    /* When the repeat started to arrive, against our last answer's end. */
    int32_t quiet = (int32_t)(omvrpc_ep_now(ep) - omvrpc_ep_transfer_ms(ep, len) - answered_ms);
    int32_t need = *repeats ? (int32_t)(REPEAT_QUIET_MS * omvrpc_ep_short_scale(ep)) : 0;
    (*repeats)++;
    return quiet >= need;
}

/* A repeat of the command header while its data is awaited: the master's
 * retry crossed our ack, or our ack came too late for its wait. Acked
 * again as answer_repeat says. */
static void ack_header_again(omv_rpc_endpoint *ep, uint16_t magic)
{
    omv_rpc_slave *s = (omv_rpc_slave *)(void *)ep; /* ep is the slave's first member */
    (void)magic;
    if (answer_repeat(ep, &s->header_repeats, s->header_acked_ms, 12)) {
        (void)omvrpc_ep_send_packet(ep, MAGIC_COMMAND_HEADER, NULL, 0, answer_ms(ep, 4), 0);
        header_acked(s);
    } else {
        omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG,
                       "slave: a quick repeat of the command header left unanswered");
    }
}

/* A result request while we wait for a command: the master did not get
 * the result we sent (it gave up waiting for its first bytes, or they
 * were corrupted) and asks again, as it would have before we sent it.
 * The result is still valid (until the next callback starts), so it is
 * sent again: the call completes instead of failing. Requests cannot be
 * stale here: a master sends none between its data request and the end
 * of the result. */
static void offer_again(omv_rpc_endpoint *ep, uint16_t magic)
{
    omv_rpc_slave *s = (omv_rpc_slave *)(void *)ep; /* ep is the slave's first member */
    static const uint8_t empty[1] = {0};
    if (!s->offered) {
        return;
    }
    if (magic == MAGIC_RESULT_HEADER) {
        uint8_t header[4];
        put_le32(header, (uint32_t)s->result_len);
        s->offer_header_sent = omvrpc_ep_send_packet(ep, MAGIC_RESULT_HEADER, header, 4,
                                                     answer_ms(ep, 8), 0) == OMV_RPC_OK;
    } else if (magic == MAGIC_RESULT_DATA && s->offer_header_sent) {
        omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG, "slave: the master asked again; result sent again");
        (void)omvrpc_ep_send_packet(
            ep, MAGIC_RESULT_DATA, s->result ? s->result : empty, s->result_len,
            omvrpc_sat_add(LONG_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, s->result_len + 4)), 0);
        s->offer_header_sent = 0;
    }
}

omv_rpc_status omvrpc_slave_room_for_arg(omv_rpc_endpoint *ep, uint32_t len)
{
    omv_rpc_status st = len > ep->max_payload ? OMV_RPC_ERR_TOO_LARGE
                                              : omvrpc_ep_reserve(ep, &ep->rx, len ? len : 1);
    if (st != OMV_RPC_OK) {
        /* Not acked: the master's call fails with a send timeout. */
        omvrpc_ep_logf(ep, OMV_RPC_LOG_WARNING, "slave: refused a %u-byte argument (%s)", len,
                       omv_rpc_status_name(st));
    }
    return st;
}

/* Phase 1 seen from the slave. On success the argument is in ep.rx. */
static omv_rpc_status get_command(omv_rpc_slave *s, uint32_t timeout_ms, uint32_t *command,
                                  size_t *arg_len)
{
    omv_rpc_endpoint *ep = &s->ep;
    const uint32_t deadline = omvrpc_ep_now(ep) + timeout_ms;
    const uint32_t answer = answer_ms(ep, 4);
    uint8_t header[8];

    while (!omvrpc_ep_cancel_pending(ep)) {
        uint32_t left = omvrpc_ep_remaining(ep, deadline);
        if (left == 0) {
            return OMV_RPC_ERR_TIMEOUT;
        }
        omv_rpc_status st;
        if (s->has_pending_header) {
            memcpy(header, s->pending_header, 8);
            s->has_pending_header = 0;
            st = OMV_RPC_OK;
        } else {
            /* Ahead of the next command may be result requests the master
             * repeated in the last call (their answers crossed), and ack
             * bytes of a stream whose writer we were, left unread. */
            static const ep_stale requests[2] = {{MAGIC_RESULT_HEADER, 0}, {MAGIC_RESULT_DATA, 0}};
            st = omvrpc_ep_recv_packet_skipping(ep, MAGIC_COMMAND_HEADER, header, 8, left, requests,
                                                2, COMMAND_HUNT_BYTES, offer_again);
            if (ep->stray_bytes) {
                /* Counted as one refused packet, as a flush would have. */
                s->refused++;
                omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG,
                               "slave: skipped %u stray bytes before a command",
                               (unsigned)ep->stray_bytes);
                ep->stray_bytes = 0;
            }
        }
        if (st == OMV_RPC_ERR_TIMEOUT || is_link_failure(st)) {
            return st;
        }
        if (st != OMV_RPC_OK) {
            refuse(s, "command header", st);
            continue;
        }
        s->offered = 0; /* a new call: the last result is no longer asked for */
        uint32_t len = get_le32(header + 4);
        st = omvrpc_slave_room_for_arg(ep, len);
        if (st != OMV_RPC_OK) {
            refuse(s, "command header", st);
            continue;
        }
        omvrpc_ep_flush(ep); /* older bytes are stale; the data comes after our ack */
        st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_HEADER, NULL, 0, answer, 0);
        header_acked(s);
        s->header_repeats = 0;
        if (st == OMV_RPC_OK) {
            /* A repeat of the header (the master's retry crossed our ack)
             * is skipped, and acked again as ack_header_again says. */
            static const ep_stale command_header = {MAGIC_COMMAND_HEADER, 8};
            st = omvrpc_ep_recv_packet_skipping(
                ep, MAGIC_COMMAND_DATA, ep->rx.data, len,
                omvrpc_sat_add(LONG_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, (size_t)len + 4)),
                &command_header, 1, 0, ack_header_again);
        }
        if (st == OMV_RPC_OK) {
            omvrpc_ep_flush(ep);
            st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_DATA, NULL, 0, answer, 0);
            if (st == OMV_RPC_OK) {
                *command = get_le32(header);
                *arg_len = len;
                return OMV_RPC_OK;
            }
        }
        if (is_link_failure(st)) {
            return st;
        }
        refuse(s, "command data", st);
    }
    return OMV_RPC_ERR_STOPPED;
}

/* While a result is on offer, the 4 bytes read were the start of a command
 * header: on a byte stream the rest follows, and if the header is valid the
 * master has given up on this result (e.g. it was over its size limit) and
 * started a new call. Serve that call next rather than letting it time
 * out. */
static int take_new_command(omv_rpc_slave *s, const uint8_t first[4], uint32_t timeout_ms)
{
    uint8_t packet[12];
    memcpy(packet, first, 4);
    if (omvrpc_ep_get(&s->ep, packet + 4, 8, timeout_ms, 0) != OMV_RPC_OK) {
        return 0;
    }
    uint16_t crc = (uint16_t)(packet[10] | (packet[11] << 8));
    if (crc != omv_rpc_crc16(OMV_RPC_CRC16_INIT, packet, 10)) {
        return 0;
    }
    memcpy(s->pending_header, packet + 2, 8);
    s->has_pending_header = 1;
    omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG, "slave: new command while a result was on offer");
    return 1;
}

/* FNV-1a, 64 bits: tells a repeated argument from a new one. */
static uint64_t arg_hash(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 0x100000001b3u;
    }
    return h;
}

/* Whether the call just taken repeats the last one, whose result the
 * master never asked for: it missed our data ack (the Arduino library's
 * master waits 3-4 ms for it with up to 64 bytes still in its transmit
 * buffer, then flushes) and sent the same command and argument again.
 * Its callback has run: the result it gave is served again rather than
 * running it twice for one call. */
static int same_call(omv_rpc_slave *s, uint32_t command, size_t len)
{
    int same = s->repeat_expected && command == s->last_command && len == s->last_len &&
               arg_hash(s->ep.rx.data, len) == s->last_hash;
    s->repeat_expected = 0;
    return same;
}

/* Whether a result data packet of `len` bytes goes over another channel
 * than the 4-byte requests: the link's byte stream for long transfers
 * (omv_rpc_link.split_min) on a link that is not one itself. */
static int data_travels_apart(const omv_rpc_endpoint *ep, size_t len)
{
    return !ep->t.byte_stream && ep->t.split_min && len + 4 > ep->t.split_min;
}

/* Whether four bytes read while a result is on offer start something the
 * slave awaits: a valid request for the result, or a command header (its
 * magic; take_new_command checks the rest). */
static int starts_request(const uint8_t r[4])
{
    uint16_t magic = (uint16_t)(r[0] | (r[1] << 8));
    uint16_t crc = (uint16_t)(r[2] | (r[3] << 8));
    if (magic == MAGIC_COMMAND_HEADER) {
        return 1;
    }
    return (magic == MAGIC_RESULT_HEADER || magic == MAGIC_RESULT_DATA) &&
           crc == omv_rpc_crc16(OMV_RPC_CRC16_INIT, r, 2);
}

/* On a byte stream, slide over bytes that start nothing awaited one at a
 * time (up to COMMAND_HUNT_BYTES), instead of refusing them with a flush.
 * At 9600 baud the Arduino library's master, having missed our data ack,
 * resends its 12-byte command header back to back; a flush that lands in
 * the middle of one leaves every later 4-byte read out of step with them,
 * so each is refused until the phase runs out. Each later byte gets a
 * short answer's allowance: the bytes of a packet come together. */
static omv_rpc_status slide_to_request(omv_rpc_endpoint *ep, uint8_t r[4], uint32_t byte_ms)
{
    for (size_t slid = 0; !starts_request(r); slid++) {
        if (slid >= COMMAND_HUNT_BYTES) {
            return OMV_RPC_ERR_BAD_PACKET;
        }
        memmove(r, r + 1, 3);
        omv_rpc_status st = omvrpc_ep_get(ep, r + 3, 1, byte_ms, 0);
        if (st != OMV_RPC_OK) {
            return st;
        }
        ep->stray_bytes++;
    }
    return OMV_RPC_OK;
}

/* Phase 2 seen from the slave. */
static omv_rpc_status put_result(omv_rpc_slave *s, uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &s->ep;
    const uint32_t deadline = omvrpc_ep_now(ep) + timeout_ms;
    const uint32_t answer = answer_ms(ep, 8);
    uint8_t header[4], request[4];
    int header_sent = 0;
    put_le32(header, (uint32_t)s->result_len);
    s->result_repeats = 0;

    for (;;) {
        uint32_t left = omvrpc_ep_remaining(ep, deadline);
        if (left == 0) {
            return OMV_RPC_ERR_RECV_TIMEOUT;
        }
        /* Both requests are 4-byte empty packets: read one, then tell
         * which it is by its magic. */
        omv_rpc_status st = omvrpc_ep_get(ep, request, 4, left, 0);
        if (is_link_failure(st)) {
            return st;
        }
        if (st == OMV_RPC_ERR_TIMEOUT) {
            continue; /* the deadline check above ends it */
        }
        if (st != OMV_RPC_OK) {
            refuse(s, "result request", st); /* e.g. a link's "not ready" */
            continue;
        }
        if (ep->t.byte_stream && !starts_request(request)) {
            st = slide_to_request(ep, request, answer);
            omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG,
                           "slave: slid over %u stray bytes while the result was on offer",
                           (unsigned)ep->stray_bytes);
            ep->stray_bytes = 0;
            if (is_link_failure(st)) {
                return st;
            }
            if (st != OMV_RPC_OK) {
                refuse(s, "result request", st); /* counted once, as a flush would be */
                continue;
            }
            s->refused++; /* the bytes slid over: one refused packet */
        }
        uint16_t magic = (uint16_t)(request[0] | (request[1] << 8));
        uint16_t crc = (uint16_t)(request[2] | (request[3] << 8));
        if (magic == MAGIC_RESULT_HEADER && crc == omv_rpc_crc16(OMV_RPC_CRC16_INIT, request, 2)) {
            /* Drop the duplicate requests sent while the callback ran. Not
             * on a repeat, where the master may have taken our first header
             * and sent its data request right behind this stale one:
             * flushing it would leave both sides waiting. On a byte stream
             * the master skips the extra header; where the data travels
             * apart from the requests (the network link's TCP) it never
             * sees it. On other framed links (UDP-sized results, CAN) it
             * would take the header for the data, so flush there and let
             * it ask again. */
            if (!header_sent || !(ep->t.byte_stream || data_travels_apart(ep, s->result_len))) {
                omvrpc_ep_flush(ep);
            }
            if (header_sent && ep->t.byte_stream &&
                !answer_repeat(ep, &s->result_repeats, s->result_answered_ms, 4)) {
                omvrpc_ep_logf(ep, OMV_RPC_LOG_DEBUG,
                               "slave: a quick repeat of the result request left unanswered");
                continue;
            }
            st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_HEADER, header, 4, answer, 0);
            header_sent = st == OMV_RPC_OK;
            s->result_answered_ms = omvrpc_ep_now(ep) + omvrpc_ep_transfer_ms(ep, 8);
        } else if (header_sent && magic == MAGIC_RESULT_DATA &&
                   crc == omv_rpc_crc16(OMV_RPC_CRC16_INIT, request, 2)) {
            static const uint8_t empty[1] = {0};
            return omvrpc_ep_send_packet(
                ep, MAGIC_RESULT_DATA, s->result ? s->result : empty, s->result_len,
                omvrpc_sat_add(LONG_TIMEOUT_MS, omvrpc_ep_transfer_ms(ep, s->result_len + 4)), 0);
        } else if (magic == MAGIC_COMMAND_HEADER && ep->t.byte_stream &&
                   take_new_command(s, request, answer)) {
            /* Not one request for this result yet: the master missed our
             * data ack and is sending the same call again. */
            if (!header_sent && get_le32(s->pending_header) == s->last_command &&
                get_le32(s->pending_header + 4) == s->last_len) {
                s->repeat_expected = 1;
                s->last_hash = arg_hash(ep->rx.data, s->last_len);
            }
            return OMV_RPC_ERR_RECV_TIMEOUT; /* the master moved on */
        } else {
            refuse(s, "result request", OMV_RPC_ERR_BAD_PACKET);
            continue;
        }
        if (is_link_failure(st)) {
            return st;
        }
    }
}

static omv_rpc_status serve_once(omv_rpc_slave *s, uint32_t recv_timeout_ms,
                                 uint32_t send_timeout_ms);

omv_rpc_status omv_rpc_slave_loop_once(omv_rpc_slave *s, uint32_t recv_timeout_ms,
                                       uint32_t send_timeout_ms)
{
    if (!s) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (s->in_callback) {
        return OMV_RPC_ERR_INVALID_ARG; /* not from inside a callback */
    }
    if (omvrpc_ep_cancel_pending(&s->ep)) {
        return OMV_RPC_ERR_STOPPED;
    }
    s->ep.busy++;
    omv_rpc_status st = serve_once(s, recv_timeout_ms, send_timeout_ms);
    s->ep.busy--;
    return st;
}

/* After put_result: the scheduled callback runs if the result went out;
 * it is kept while the master may still repeat the call. */
static void finish_call(omv_rpc_slave *s, omv_rpc_status st)
{
    omv_rpc_task scheduled = s->scheduled;
    s->scheduled = NULL;
    s->last_scheduled = s->repeat_expected ? scheduled : NULL;
    s->last_scheduled_data = s->scheduled_data;
    /* A scheduled callback (or a loop callback) may use the link after
     * the call: no offer then. */
    s->offered = st == OMV_RPC_OK && !scheduled && !s->loop_fn && !s->camera_timing;
    s->offer_header_sent = 0;
    if (st == OMV_RPC_OK) {
        s->served++;
        if (scheduled) {
            scheduled(s, s->scheduled_data);
        }
    } else if (!is_link_failure(st)) {
        omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG, "slave: result not delivered (%s)",
                       omv_rpc_status_name(st));
    }
}

/* The two phases in the slave's timing. */
static omv_rpc_status take_command(omv_rpc_slave *s, uint32_t timeout_ms, uint32_t *command,
                                   size_t *arg_len)
{
    return s->camera_timing ? omvrpc_slave_camera_get_command(s, timeout_ms, command, arg_len)
                            : get_command(s, timeout_ms, command, arg_len);
}

static omv_rpc_status give_result(omv_rpc_slave *s, uint32_t timeout_ms)
{
    return s->camera_timing ? omvrpc_slave_camera_put_result(s, timeout_ms)
                            : put_result(s, timeout_ms);
}

/* One pass of the loop (loop_once without its checks). */
static omv_rpc_status serve_once(omv_rpc_slave *s, uint32_t recv_timeout_ms,
                                 uint32_t send_timeout_ms)
{
    uint32_t command = 0;
    size_t arg_len = 0;
    omv_rpc_status st = take_command(s, recv_timeout_ms, &command, &arg_len);
    if (st == OMV_RPC_OK && same_call(s, command, arg_len)) {
        omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG,
                       "slave: the master repeated the call; its result is served again");
        s->scheduled = s->last_scheduled;
        s->scheduled_data = s->last_scheduled_data;
        st = give_result(s, send_timeout_ms);
        finish_call(s, st);
    } else if (st == OMV_RPC_OK) {
        callback_entry *e = find_callback(s, command);
        s->result = NULL;
        s->result_len = 0;
        s->scheduled = NULL;
        s->last_command = command;
        s->last_len = arg_len;
        if (e) {
            s->in_callback = 1;
            e->fn(s, s->ep.rx.data, arg_len, e->user_data);
            s->in_callback = 0;
        } else {
            omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG, "slave: no callback for command 0x%x",
                           command);
        }
        st = give_result(s, send_timeout_ms);
        finish_call(s, st);
    }
    if (s->loop_fn && st != OMV_RPC_ERR_STOPPED) {
        s->loop_fn(s, s->loop_data);
    }
    return st;
}

omv_rpc_status omv_rpc_slave_loop(omv_rpc_slave *s, uint32_t recv_timeout_ms,
                                  uint32_t send_timeout_ms)
{
    if (!s) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    for (;;) {
        omv_rpc_status st = omv_rpc_slave_loop_once(s, recv_timeout_ms, send_timeout_ms);
        if (st == OMV_RPC_ERR_STOPPED || is_link_failure(st) || st == OMV_RPC_ERR_INVALID_ARG) {
            return st;
        }
        if (omvrpc_ep_cancel_pending(&s->ep)) {
            return OMV_RPC_ERR_STOPPED;
        }
    }
}

omv_rpc_status omv_rpc_slave_stream_reader(omv_rpc_slave *s, omv_rpc_stream_read_fn fn,
                                           void *user_data, uint32_t queue_depth,
                                           uint32_t read_timeout_ms)
{
    if (!s) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    s->ep.busy++;
    omv_rpc_status st =
        omvrpc_ep_stream_reader(&s->ep, fn, user_data, queue_depth, read_timeout_ms);
    s->ep.busy--;
    return st;
}

omv_rpc_status omv_rpc_slave_stream_writer(omv_rpc_slave *s, omv_rpc_stream_write_fn fn,
                                           void *user_data, uint32_t write_timeout_ms)
{
    if (!s) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    s->ep.busy++;
    omv_rpc_status st = omvrpc_ep_stream_writer(&s->ep, fn, user_data, write_timeout_ms);
    s->ep.busy--;
    return st;
}
