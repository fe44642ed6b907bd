/* The slave's phases with OpenMV's camera timing
 * (OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA, rpc.h): what a master meets on a
 * real OpenMV Cam, written from the behaviour docs/protocol.md section 2
 * describes. Each attempt of a phase starts afresh: the attempt callback
 * (the camera's gc.collect()), a flush, then a short wait for the phase's
 * first packet. So a master's request that arrived while the slave was
 * busy is dropped, and the master must ask again after the flush; this is
 * the behaviour the mode exists to show, so nothing here works around it
 * (slave.c's own timing does). */
#include "slave.h"

/* The camera's short timeouts: 2 ms in each phase's first attempt, 1 ms
 * more after each failed one. Its long timeout bounds the command data. */
#define CAMERA_SHORT_START_MS 2u
#define CAMERA_LONG_MS 5000u

/* The next attempt's short timeout: 1 ms more, never over the phase's. */
static uint32_t grow(uint32_t short_ms, uint32_t phase_ms)
{
    return short_ms + 1u < phase_ms ? short_ms + 1u : phase_ms;
}

/* The wait for a short packet of `len` bytes: the short timeout scaled
 * like the camera's on the network, plus the packet's wire time (the
 * camera's UART reads wait per character, so a slow line does not cut a
 * packet that is arriving). */
static uint32_t short_wait(omv_rpc_endpoint *ep, uint32_t short_ms, size_t len)
{
    return omvrpc_sat_add(short_ms * omvrpc_ep_short_scale(ep), omvrpc_ep_transfer_ms(ep, len));
}

static uint32_t long_wait(omv_rpc_endpoint *ep, size_t len)
{
    return omvrpc_sat_add(CAMERA_LONG_MS, omvrpc_ep_transfer_ms(ep, len));
}

/* Whether the phase that started at `start` may try again. */
static int phase_open(omv_rpc_endpoint *ep, uint32_t start, uint32_t phase_ms)
{
    return (uint32_t)(omvrpc_ep_now(ep) - start) < phase_ms;
}

/* The start of an attempt: the user's pause, then drop whatever came. */
static void begin_attempt(omv_rpc_slave *s)
{
    if (s->attempt_fn) {
        s->in_callback = 1; /* the callback may not run the loop */
        s->attempt_fn(s, s->attempt_data);
        s->in_callback = 0;
    }
    omvrpc_ep_flush(&s->ep);
}

/* An attempt that failed on something other than silence. */
static void attempt_refused(omv_rpc_slave *s, const char *what, omv_rpc_status st)
{
    s->refused++;
    omvrpc_ep_logf(&s->ep, OMV_RPC_LOG_DEBUG, "slave (camera timing): %s refused (%s)", what,
                   omv_rpc_status_name(st));
}

/* One attempt of phase 1 after its flush. */
static omv_rpc_status command_attempt(omv_rpc_slave *s, uint32_t short_ms, uint32_t *command,
                                      size_t *arg_len)
{
    omv_rpc_endpoint *ep = &s->ep;
    uint8_t header[8];
    omv_rpc_status st =
        omvrpc_ep_recv_packet(ep, MAGIC_COMMAND_HEADER, header, 8, short_wait(ep, short_ms, 12), 0);
    if (st != OMV_RPC_OK) {
        return st;
    }
    uint32_t len = get_le32(header + 4);
    st = omvrpc_slave_room_for_arg(ep, len);
    if (st != OMV_RPC_OK) {
        return st;
    }
    st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_HEADER, NULL, 0, short_wait(ep, short_ms, 4), 0);
    if (st == OMV_RPC_OK) {
        st = omvrpc_ep_recv_packet(ep, MAGIC_COMMAND_DATA, ep->rx.data, len,
                                   long_wait(ep, (size_t)len + 4), 0);
    }
    if (st == OMV_RPC_OK) {
        st = omvrpc_ep_send_packet(ep, MAGIC_COMMAND_DATA, NULL, 0, short_wait(ep, short_ms, 4), 0);
    }
    if (st == OMV_RPC_OK) {
        *command = get_le32(header);
        *arg_len = len;
    }
    return st;
}

omv_rpc_status omvrpc_slave_camera_get_command(omv_rpc_slave *s, uint32_t timeout_ms,
                                               uint32_t *command, size_t *arg_len)
{
    omv_rpc_endpoint *ep = &s->ep;
    const uint32_t start = omvrpc_ep_now(ep);
    uint32_t short_ms = CAMERA_SHORT_START_MS;
    while (phase_open(ep, start, timeout_ms)) {
        if (omvrpc_ep_cancel_pending(ep)) {
            return OMV_RPC_ERR_STOPPED;
        }
        begin_attempt(s);
        omv_rpc_status st = command_attempt(s, short_ms, command, arg_len);
        if (st == OMV_RPC_OK || is_link_failure(st)) {
            return st;
        }
        if (st != OMV_RPC_ERR_TIMEOUT) {
            attempt_refused(s, "command", st);
        }
        short_ms = grow(short_ms, timeout_ms);
    }
    return omvrpc_ep_cancel_pending(ep) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_TIMEOUT;
}

/* One attempt of phase 2 after its flush: the header request, the
 * header, the data request, the data. */
static omv_rpc_status result_attempt(omv_rpc_slave *s, uint32_t short_ms, const uint8_t header[4])
{
    static const uint8_t empty[1] = {0};
    omv_rpc_endpoint *ep = &s->ep;
    omv_rpc_status st =
        omvrpc_ep_recv_packet(ep, MAGIC_RESULT_HEADER, NULL, 0, short_wait(ep, short_ms, 4), 0);
    if (st == OMV_RPC_OK) {
        st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_HEADER, header, 4, short_wait(ep, short_ms, 8),
                                   0);
    }
    if (st == OMV_RPC_OK) {
        st = omvrpc_ep_recv_packet(ep, MAGIC_RESULT_DATA, NULL, 0, short_wait(ep, short_ms, 4), 0);
    }
    if (st == OMV_RPC_OK) {
        /* The last packet: the camera does not wait for anything after
         * it, so a failure to send it ends the phase too. */
        st = omvrpc_ep_send_packet(ep, MAGIC_RESULT_DATA, s->result ? s->result : empty,
                                   s->result_len, long_wait(ep, s->result_len + 4), 0);
        return st == OMV_RPC_OK || is_link_failure(st) ? st : OMV_RPC_ERR_RECV_TIMEOUT;
    }
    return st;
}

omv_rpc_status omvrpc_slave_camera_put_result(omv_rpc_slave *s, uint32_t timeout_ms)
{
    omv_rpc_endpoint *ep = &s->ep;
    const uint32_t start = omvrpc_ep_now(ep);
    uint32_t short_ms = CAMERA_SHORT_START_MS;
    uint8_t header[4];
    put_le32(header, (uint32_t)s->result_len);
    while (phase_open(ep, start, timeout_ms)) {
        if (omvrpc_ep_cancel_pending(ep)) {
            return OMV_RPC_ERR_STOPPED;
        }
        begin_attempt(s);
        omv_rpc_status st = result_attempt(s, short_ms, header);
        if (st == OMV_RPC_OK || is_link_failure(st) || st == OMV_RPC_ERR_RECV_TIMEOUT) {
            return st;
        }
        if (st != OMV_RPC_ERR_TIMEOUT) {
            attempt_refused(s, "result request", st);
        }
        short_ms = grow(short_ms, timeout_ms);
    }
    return omvrpc_ep_cancel_pending(ep) ? OMV_RPC_ERR_STOPPED : OMV_RPC_ERR_RECV_TIMEOUT;
}
