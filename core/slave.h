/* The slave's state, shared by its two timings: slave.c (omvrpc's own,
 * the default) and slave_camera.c (OpenMV's camera's). Internal to the
 * core. */
#ifndef OMV_RPC_SLAVE_INTERNAL_H
#define OMV_RPC_SLAVE_INTERNAL_H

#include "endpoint.h"

typedef struct callback_entry {
    uint32_t command;
    omv_rpc_callback fn;
    void *user_data;
} callback_entry;

struct omv_rpc_slave {
    omv_rpc_endpoint ep;
    callback_entry callbacks[OMV_RPC_SLAVE_MAX_CALLBACKS];
    size_t callback_count;
    omv_rpc_task scheduled;
    void *scheduled_data;
    omv_rpc_task loop_fn;
    void *loop_data;
    /* The current result: borrowed, or in ep.tx at offset 2 (room for the
     * packet's magic before it and CRC after it). */
    const uint8_t *result;
    size_t result_len;
    int in_callback;
    /* A command header that arrived while a result was still on offer: the
     * master gave up on that result and started a new call. */
    uint8_t pending_header[8];
    int has_pending_header;
    /* Repeats of the command header seen while waiting for its data, and
     * when our last ack of it was off the wire (see ack_header_again); the
     * same for the result header's request (see put_result). */
    uint32_t header_repeats;
    uint32_t header_acked_ms;
    uint32_t result_repeats;
    uint32_t result_answered_ms;
    /* The last call, in case the master repeats it (see same_call). */
    uint32_t last_command;
    size_t last_len;
    uint64_t last_hash;
    int repeat_expected;
    omv_rpc_task last_scheduled;
    void *last_scheduled_data;
    /* The last result went out and nothing has used the link since: it is
     * offered again to a master that asks (see offer_again). */
    int offered;
    int offer_header_sent;
    uint32_t served;
    uint32_t refused;
    /* omv_rpc_slave_set_timing: OpenMV's camera's (slave_camera.c). */
    int camera_timing;
    /* omv_rpc_slave_set_attempt_callback: run before each camera attempt. */
    omv_rpc_task attempt_fn;
    void *attempt_data;
};

/* The phases with OpenMV's camera timing (slave_camera.c): on success
 * the command's argument is in s->ep.rx, and the result in s->result /
 * s->result_len went out. Status codes as slave.c's own phases. */
/* Room in ep->rx for a command argument of `len` bytes announced by its
 * header (logged when refused: over max_payload, or no memory). Both
 * timings call it before they ack a header. */
omv_rpc_status omvrpc_slave_room_for_arg(omv_rpc_endpoint *ep, uint32_t len);
omv_rpc_status omvrpc_slave_camera_get_command(omv_rpc_slave *s, uint32_t timeout_ms,
                                               uint32_t *command, size_t *arg_len);
omv_rpc_status omvrpc_slave_camera_put_result(omv_rpc_slave *s, uint32_t timeout_ms);

#endif
