/* The master: drives a call in two phases (docs/protocol.md section 2).
 *
 * Waits are sized for what is in flight: a wait for an answer is the short
 * timeout (which grows after each failed attempt, as OpenMV's does) plus the
 * wire time of the packets involved, and a wait for a data packet allows
 * LONG_TIMEOUT_MS of silence plus the packet's wire time. That is why a
 * 200 KB argument goes through on the first attempt where OpenMV's desktop
 * master, waiting a few milliseconds for the ack, fails. */
#include <string.h>

#include "endpoint.h"

struct omv_rpc_master {
    omv_rpc_endpoint ep;
    uint32_t retries;
    int in_caller_storage;
};

size_t omv_rpc_master_storage_size(void)
{
    return sizeof(omv_rpc_master);
}

/* Fails at compile time if the public storage bound is too small. */
typedef char master_storage_fits[sizeof(omv_rpc_master) <= OMV_RPC_MASTER_STORAGE_SIZE ? 1 : -1];

static omv_rpc_status master_setup(omv_rpc_master *m, const omv_rpc_link *link,
                                   const omv_rpc_config *config)
{
    memset(m, 0, sizeof *m);
    omv_rpc_status st = omvrpc_ep_init(&m->ep, link, config);
    omvrpc_ep_watch(&m->ep, OMV_RPC_ERR_ABORTED, 1);
    return st;
}

omv_rpc_status omv_rpc_master_new(omv_rpc_master **out, const omv_rpc_link *link,
                                  const omv_rpc_config *config)
{
    omv_rpc_link owned;
    omv_rpc_status st;
    if (out) {
        *out = NULL;
    }
    omv_rpc_master *m = omvrpc_ep_place(&owned, link, config, NULL, 0, sizeof **out, out != NULL, &st);
    if (!m) {
        return st;
    }
    master_setup(m, &owned, config);
    *out = m;
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_master_init(omv_rpc_master **out, void *storage, size_t storage_size,
                                   const omv_rpc_link *link, const omv_rpc_config *config)
{
    omv_rpc_link owned;
    omv_rpc_status st;
    if (out) {
        *out = NULL;
    }
    /* Without storage nothing is allocated: the call is refused. */
    omv_rpc_master *m = omvrpc_ep_place(&owned, link, config, storage, storage_size, sizeof **out,
                                 out != NULL && storage != NULL, &st);
    if (!m) {
        return st;
    }
    master_setup(m, &owned, config);
    m->in_caller_storage = 1;
    *out = m;
    return OMV_RPC_OK;
}

void omv_rpc_master_free(omv_rpc_master *m)
{
    if (m) {
        omvrpc_ep_dispose(&m->ep, m, m->in_caller_storage);
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

/* Short timeouts grow by 4/3 after a failed attempt (OpenMV's rule, which
 * avoids livelock with a slave whose timeouts grow by 1), capped at the
 * phase's timeout. */
static uint32_t grow(uint32_t t, uint32_t cap)
{
    uint32_t next = t + t / 3u + 1u;
    if (cap < SHORT_TIMEOUT_START_MS) {
        cap = SHORT_TIMEOUT_START_MS;
    }
    return next < cap ? next : cap;
}

static void note_retry(omv_rpc_master *m, const char *what, int attempt, uint32_t wait_ms,
                       omv_rpc_status st)
{
    m->retries++;
    omvrpc_ep_logf(&m->ep, OMV_RPC_LOG_DEBUG,
                   "master: %s attempt %u failed (%s; short wait %u ms), starting over", what,
                   (unsigned)attempt + 1u, omv_rpc_status_name(st), (unsigned)wait_ms);
}

/* Phase 1: command header, ack, command data, ack. */
static omv_rpc_status put_command(omv_rpc_master *m, uint32_t command, const uint8_t *arg,
                                  size_t arg_len, uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &m->ep;
    uint8_t header[8], none[1];
    put_le32(header, command);
    put_le32(header + 4, (uint32_t)arg_len);

    const uint32_t scale = omvrpc_ep_short_scale(ep);
    const uint32_t round_trip = omvrpc_ep_transfer_ms(ep, 12) + omvrpc_ep_transfer_ms(ep, 4);
    /* The ack can only come once the whole argument has crossed the wire,
     * and put_bytes returns as soon as the bytes are queued. Allow an
     * eighth more than the nominal wire time: a UART's clock may be off by
     * a few percent and adapters add their own pauses; at 9600 baud a
     * 1 KB argument takes 1.07 s, so without slack a wire 3% slow misses
     * the wait and the default 1000 ms send timeout leaves no retry. */
    const uint32_t wire = omvrpc_ep_transfer_ms(ep, arg_len + 4);
    const uint32_t data_time = omvrpc_sat_add(omvrpc_sat_add(wire, wire / 8u), CHECK_MS(arg_len));
    uint32_t short_ms = SHORT_TIMEOUT_START_MS;
    const uint32_t start = omvrpc_ep_now(ep);

    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && (uint32_t)(omvrpc_ep_now(ep) - start) >= timeout_ms) {
            return OMV_RPC_ERR_SEND_TIMEOUT;
        }
        uint32_t wait = omvrpc_sat_add(short_ms * scale, round_trip);
        omvrpc_ep_flush(ep);
        omv_rpc_status st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_HEADER, header, 8, wait, 0);
        if (st == OMV_RPC_OK) {
            st = omvrpc_ep_recv_packet(ep, MAGIC_COMMAND_HEADER, none, 0, wait, 0);
        }
        if (st == OMV_RPC_OK) {
            /* Anything still queued is a stale answer to an earlier header. */
            omvrpc_ep_flush(ep);
            st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_DATA, arg, arg_len,
                                omvrpc_sat_add(LONG_TIMEOUT_MS, data_time), 0);
        }
        if (st == OMV_RPC_OK) {
            /* The ack follows the slave's check of the whole packet, which
             * may still be in flight when put_bytes returns. */
            /* Skipping the slave's extra acks of a command header it
             * received twice (our retry crossed its first ack). */
            static const ep_stale header_ack = {MAGIC_COMMAND_HEADER, 0};
            st = omvrpc_ep_recv_packet_skipping(ep, MAGIC_COMMAND_DATA, none, 0,
                                         omvrpc_sat_add(omvrpc_sat_add(short_ms * scale, round_trip), data_time),
                                         &header_ack, 1, 0, NULL);
            if (st == OMV_RPC_OK) {
                return OMV_RPC_OK;
            }
        }
        if (is_link_failure(st) || st == OMV_RPC_ERR_NO_MEMORY || st == OMV_RPC_ERR_TOO_LARGE) {
            return st;
        }
        note_retry(m, "command", attempt, wait, st);
        short_ms = grow(short_ms, timeout_ms);
    }
}

/* Where phase 2 puts the result. */
typedef struct result_sink {
    uint8_t *fixed; /* caller's buffer, or NULL for the master's */
    size_t fixed_size;
    uint8_t *data; /* out */
    size_t len;    /* out */
} result_sink;

/* Phase 2: request, result header, request, result data. */
static omv_rpc_status get_result(omv_rpc_master *m, result_sink *sink, uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &m->ep;
    uint8_t header[4];
    const uint32_t scale = omvrpc_ep_short_scale(ep);
    const uint32_t round_trip = omvrpc_ep_transfer_ms(ep, 4) + omvrpc_ep_transfer_ms(ep, 8);
    uint32_t short_ms = SHORT_TIMEOUT_START_MS;
    const uint32_t start = omvrpc_ep_now(ep);

    for (int attempt = 0;; attempt++) {
        if (attempt > 0 && (uint32_t)(omvrpc_ep_now(ep) - start) >= timeout_ms) {
            return OMV_RPC_ERR_RECV_TIMEOUT;
        }
        uint32_t wait = omvrpc_sat_add(short_ms * scale, round_trip);
        omvrpc_ep_flush(ep);
        omv_rpc_status st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_HEADER, NULL, 0, wait, 0);
        if (st == OMV_RPC_OK) {
            st = omvrpc_ep_recv_packet(ep, MAGIC_RESULT_HEADER, header, 4, wait, 0);
        }
        if (st == OMV_RPC_OK) {
            uint32_t len = get_le32(header);
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
            omvrpc_ep_flush(ep); /* drop stale duplicates of the header */
            st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_DATA, NULL, 0, wait, 0);
            if (st == OMV_RPC_OK) {
                /* Skipping the slave's extra result headers, answers to
                 * our requests that crossed its first one: on a slow
                 * UART they are still on the wire after our flush. */
                static const ep_stale result_header = {MAGIC_RESULT_HEADER, 4};
                st = omvrpc_ep_recv_packet_skipping(
                    ep, MAGIC_RESULT_DATA, dest, len,
                    omvrpc_sat_add(omvrpc_sat_add(LONG_TIMEOUT_MS + FIRST_BYTE_CHECK_MS(len), round_trip),
                            omvrpc_ep_transfer_ms(ep, (size_t)len + 4)),
                    &result_header, 1, 0, NULL);
            }
            if (st == OMV_RPC_OK) {
                sink->data = dest;
                sink->len = len;
                return OMV_RPC_OK;
            }
        }
        if (is_link_failure(st)) {
            return st;
        }
        note_retry(m, "result", attempt, wait, st);
        short_ms = grow(short_ms, timeout_ms);
    }
}

static omv_rpc_status do_call(omv_rpc_master *m, uint32_t command, const void *arg,
                              size_t arg_len, result_sink *sink, uint32_t send_timeout_ms,
                              uint32_t recv_timeout_ms)
{
    if (!m || (!arg && arg_len)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (arg_len > m->ep.max_payload) {
        return OMV_RPC_ERR_TOO_LARGE;
    }
    static const uint8_t empty[1] = {0};
    omv_rpc_status st =
        put_command(m, command, arg ? (const uint8_t *)arg : empty, arg_len, send_timeout_ms);
    if (st != OMV_RPC_OK) {
        return st;
    }
    return get_result(m, sink, recv_timeout_ms);
}

omv_rpc_status omv_rpc_master_call_hash(omv_rpc_master *m, uint32_t command, const void *arg,
                                        size_t arg_len, const uint8_t **result,
                                        size_t *result_len, uint32_t send_timeout_ms,
                                        uint32_t recv_timeout_ms)
{
    result_sink sink = {NULL, 0, NULL, 0};
    if (result) {
        *result = NULL;
    }
    if (result_len) {
        *result_len = 0;
    }
    omv_rpc_status st =
        do_call(m, command, arg, arg_len, &sink, send_timeout_ms, recv_timeout_ms);
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
    omv_rpc_status st = do_call(m, omv_rpc_hash_str(name), arg, arg_len, &sink, send_timeout_ms,
                                recv_timeout_ms);
    if (result_len && (st == OMV_RPC_OK || st == OMV_RPC_ERR_BUFFER_TOO_SMALL ||
                       st == OMV_RPC_ERR_TOO_LARGE)) {
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
