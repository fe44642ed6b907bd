/* Peers that behave like other implementations of the protocol, with their
 * timing, for the tests and the benchmark (layer 3, not installed):
 *
 * - OpenMV's camera slave (its rpc.py on the camera): before every
 *   attempt of both phases a gc.collect() pause and a flush of its input;
 *   short timeouts of 2 ms that grow by 1 ms per failed attempt; the long
 *   timeout (5 s) for the command data; a callback that takes its time.
 * - The Arduino library's master (openmv-arduino-rpc): short timeouts of
 *   3 ms growing by 6/4; a read waits up to the timeout + 1 ms for each
 *   byte, and after a failed one (or one whose bytes are all equal) it
 *   waits the short timeout again; it flushes its input before every
 *   attempt; its serial writes return once all but the last 64 bytes are
 *   on the wire (the transmit buffer; see omvrpc_paced_opts).
 * - The Arduino library's slave: short timeouts of 2 ms growing by 1 ms, a
 *   read that waits up to the timeout + 1 ms for each byte, a flush before
 *   every attempt, loop() timeouts of 100 ms.
 *
 * Written from the behaviour described in those libraries' sources; none
 * of their code is used. Each peer runs on one thread; stop it from
 * another with omvrpc_peer_stop(). */
#ifndef OMV_RPC_PEERS_H
#define OMV_RPC_PEERS_H

#include <stdatomic.h>

#include "omv_rpc/omv_rpc.h"

/* ------------------------------------------------------------ the cable */

/* omvrpc_paced_opts.a_knows_pace / b_knows_pace */
#define OMVRPC_PACE_NONE 0  /* no transfer_ms: a user's link that says nothing */
#define OMVRPC_PACE_KNOWN 1 /* the wire time (`--uart DEV --baud N`) */
/* A USB port's figure flagged OMV_RPC_LINK_PACE_FLOOR, as a serial port
 * opened with no baud rate reports it (`--port DEV` on a USB-serial
 * adapter to a UART). */
#define OMVRPC_PACE_USB_FLOOR 2

typedef struct omvrpc_paced_opts {
    uint32_t baud;    /* 10 bits per byte on the wire (start, 8 data, stop) */
    int a_knows_pace; /* OMVRPC_PACE_*: what the link's transfer_ms reports */
    int b_knows_pace;
    size_t a_tx_buffer; /* 0: a write returns at once (a PC's driver) */
    size_t b_tx_buffer; /* n: once all but the last n bytes are on the wire */
} omvrpc_paced_opts;

/* Two byte-stream links joined by a cable: what one side writes arrives at
 * the other byte by byte at the baud rate. A flush drops only what has
 * arrived (bytes still on the wire stay, as on a UART); a read that times
 * out loses the bytes it took. Each link owns half the cable; the cable
 * goes when both are closed. */
omv_rpc_status omvrpc_paced_pair_open(omv_rpc_link *a, omv_rpc_link *b,
                                      const omvrpc_paced_opts *opts);

/* -------------------------------------------------------------- a peer */

/* A call as a peer's slave sees it; the callback sets result/result_len
 * (its own memory, valid until the next call). */
typedef struct omvrpc_peer_call {
    uint32_t command;
    const uint8_t *arg;
    size_t arg_len;
    const uint8_t *result;
    size_t result_len;
} omvrpc_peer_call;
typedef void (*omvrpc_peer_callback)(void *user, omvrpc_peer_call *call);

typedef struct omvrpc_peer_stats {
    uint32_t calls;        /* callbacks run (slave) or calls that succeeded (master) */
    uint32_t results_sent; /* slave: result data packets sent */
    uint32_t failed_attempts;
    uint32_t bad_packets; /* the OpenMV slave: a packet that broke its sequence */
} omvrpc_peer_stats;

/* A line of what a peer did (for a test's trace). */
typedef void (*omvrpc_peer_trace_fn)(void *user, const char *message);

typedef struct omvrpc_peer {
    omv_rpc_link link; /* owned: closed by omvrpc_peer_free */
    uint8_t *buf;      /* packets up to buf_size bytes */
    size_t buf_size;
    omvrpc_peer_callback fn; /* slaves */
    void *user;
    uint32_t callback_us; /* the OpenMV slave: the callback's own time */
    uint32_t gc_us;       /* the OpenMV slave: gc.collect() before each attempt */
    /* The OpenMV slave, every stall_every-th call (0: never): a camera
     * busy for a moment (an interrupt, a USB hiccup) for stall_us after
     * taking the command header, before its ack, and for stall_us after
     * taking the data request, before the result data. */
    uint32_t stall_every;
    uint32_t stall_us;
    int stall_once; /* only in each phase's first attempt (a hiccup) */
    /* Only after the data request (a result delayed on its way: a
     * network's hiccup), never in the command phase. */
    int stall_result_only;
    /* The OpenMV slave: called right after the flush that begins each
     * attempt, with the phase (1: get_command, 2: put_result), on the
     * slave's thread. From that moment a packet written to it is read,
     * not flushed: the benchmark's ideal master waits for it. NULL (the
     * default after omvrpc_peer_init): not called. */
    void (*listening)(void *listen_user, int phase);
    void *listen_user;
    omvrpc_peer_trace_fn trace; /* NULL: none (the Arduino slave's attempts) */
    void *trace_user;
    atomic_int stop;
    omvrpc_peer_stats stats;
} omvrpc_peer;

/* A peer on `link` (taken over) whose packets may be up to `max_payload`
 * bytes (the Arduino library's buffer). */
omv_rpc_status omvrpc_peer_init(omvrpc_peer *p, const omv_rpc_link *link, size_t max_payload);
void omvrpc_peer_free(omvrpc_peer *p);
/* From any thread: the peer's loop or call ends within its timeouts. */
void omvrpc_peer_stop(omvrpc_peer *p);

/* One pass of the OpenMV camera slave's loop (get a command for up to
 * recv_timeout_ms, run the callback, put the result for up to
 * send_timeout_ms): OMV_RPC_OK when a result was sent,
 * OMV_RPC_ERR_TIMEOUT when none, OMV_RPC_ERR_STOPPED. */
omv_rpc_status omvrpc_openmv_slave_once(omvrpc_peer *p, uint32_t recv_timeout_ms,
                                        uint32_t send_timeout_ms);
/* Passes until stopped or the link breaks. */
omv_rpc_status omvrpc_openmv_slave_run(omvrpc_peer *p);

/* One call of the Arduino library's slave loop() (100 ms each way), and
 * passes of it until stopped. */
omv_rpc_status omvrpc_arduino_slave_once(omvrpc_peer *p);
omv_rpc_status omvrpc_arduino_slave_run(omvrpc_peer *p);

/* A call as the Arduino library's master makes it: OMV_RPC_OK with the
 * result in the peer's buffer, or OMV_RPC_ERR_SEND_TIMEOUT /
 * OMV_RPC_ERR_RECV_TIMEOUT. */
omv_rpc_status omvrpc_arduino_master_call(omvrpc_peer *p, const char *name, const void *arg,
                                          size_t arg_len, const uint8_t **result,
                                          size_t *result_len, uint32_t send_timeout_ms,
                                          uint32_t recv_timeout_ms);

/* The packets' bytes, for the peers and for whoever plays one by hand
 * (the bench's ideal master): magic | payload | crc into `out` (len + 4
 * bytes; payload may overlap out + 2), returning len + 4; and whether
 * `pkt` (len bytes) is a valid packet with `magic`. */
size_t omvrpc_peer_packet(uint8_t *out, uint16_t magic, const void *payload, size_t len);
int omvrpc_peer_valid(const uint8_t *pkt, size_t len, uint16_t magic);

#endif
