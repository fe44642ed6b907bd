/*
 * omvrpc core: the OpenMV RPC protocol as master and as slave.
 *
 * Byte-compatible with OpenMV Cams' `rpc` module and OpenMV's Arduino
 * library. The core makes no OS calls: a link (link.h) brings the bytes and
 * the clock. It needs no malloc either: give a master or slave a buffer in
 * omv_rpc_config and place the handle in your own storage with
 * omv_rpc_master_init / omv_rpc_slave_init. On a hosted build (the default)
 * the allocating forms omv_rpc_master_new / omv_rpc_slave_new use malloc.
 *
 * Thread-safety: a master or slave handle is used by one thread at a time.
 * The only exceptions are omv_rpc_master_abort() and omv_rpc_slave_stop(),
 * which any thread (or a signal handler, or a callback) may call at any
 * time. Distinct handles are independent: the library has no global state.
 *
 * Timeouts: every `*_timeout_ms` bounds waiting, not transferring. A phase
 * starts no new attempt after its timeout, but a packet that is arriving
 * keeps its attempt alive for as long as its bytes keep coming at the pace
 * the link announces (omv_rpc_link_ops.transfer_ms), so a 64 MiB argument
 * succeeds with a 1000 ms send timeout.
 *
 * Waits are for progress, not for the length a peer announces. On a link
 * with quiet timeouts (every link the library ships: a link with `watch`,
 * link.h) a data packet or raw transfer
 * goes on while bytes keep coming and ends once the link has been silent
 * for the phase's allowance: 1000 ms for an argument or a result (before
 * a result's first byte also the slave's time to compute its CRC at
 * 10 MB/s, at most 1000 ms more), read_timeout_ms for a stream frame's
 * bytes, timeout_ms for omv_rpc_get_bytes / omv_rpc_put_bytes. A transfer
 * that keeps moving may take its allowance plus twice its wire time, and
 * each piece of a large packet (an eighth, 64 KiB to 1 MiB) its allowance
 * plus twice the piece's wire time: a peer at half the link's pace gets
 * through, one that dribbles bytes is given up in seconds. So a peer that announces 64 MiB and goes silent
 * costs about 2 s, not the 67 s of its wire time at USB speed. On another
 * link each transfer gets its whole allowance, wire time included.
 *
 * Stopping: omv_rpc_master_abort() and omv_rpc_slave_stop() end what the
 * handle is doing (waiting, receiving, sending, a stream, a cut-through
 * transfer) within about 100 ms on every link the library ships: their
 * waits ask the handle every OMV_RPC_LINK_WATCH_MS (link.h, `watch`). On a
 * user link without `watch` the request is seen before each transfer, so
 * it takes effect within that link's own timeouts. A user callback that is
 * running is never interrupted: the request takes effect when it returns.
 */
#ifndef OMV_RPC_RPC_H
#define OMV_RPC_RPC_H

#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default limit on any argument, result or stream frame: 64 MiB. A
 * received length over the limit is refused before anything is allocated
 * or read. Raise it with omv_rpc_config.max_payload (up to 0xFFFFFFFF). */
#define OMV_RPC_DEFAULT_MAX_PAYLOAD (64u * 1024u * 1024u)

/* OpenMV's default timeouts, in milliseconds. */
#define OMV_RPC_DEFAULT_SEND_TIMEOUT_MS 1000u
#define OMV_RPC_DEFAULT_RECV_TIMEOUT_MS 1000u
#define OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS 5000u

/* How many callbacks a slave can register (compile-time, no allocation). */
#ifndef OMV_RPC_SLAVE_MAX_CALLBACKS
#define OMV_RPC_SLAVE_MAX_CALLBACKS 64
#endif

/* Bytes of storage omv_rpc_master_init / omv_rpc_slave_init need at least
 * (an upper bound; omv_rpc_master_storage_size() gives the exact figure).
 * The storage must be aligned for a pointer (e.g. a `void *` array). */
#define OMV_RPC_MASTER_STORAGE_SIZE (64 * sizeof(void *) + 64)
#define OMV_RPC_SLAVE_STORAGE_SIZE \
    ((4 * sizeof(void *)) * OMV_RPC_SLAVE_MAX_CALLBACKS + 96 * sizeof(void *) + 64)

/* ---------------------------------------------------------------- values */

/* The hash OpenMV uses for function names (djb2 xor variant) over `len`
 * bytes. Two names with the same hash collide on a slave: the later
 * registration wins. Thread-safe. */
OMV_RPC_API uint32_t omv_rpc_hash(const void *name, size_t len);
/* Same, for a NUL-terminated UTF-8 name. */
OMV_RPC_API uint32_t omv_rpc_hash_str(const char *name);

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF). `crc` is the running value:
 * start with OMV_RPC_CRC16_INIT and feed the data in any number of pieces.
 * Carry-less-multiply folding (PCLMULQDQ) on x86-64 CPUs that have it, for
 * 96 bytes and more; a table (slicing by 8) elsewhere and for short data.
 * Same result either way. Thread-safe. */
#define OMV_RPC_CRC16_INIT 0xFFFFu
OMV_RPC_API uint16_t omv_rpc_crc16(uint16_t crc, const void *data, size_t len);

/* The stream ack sequence: 0xFF, then next = (x >> 1) ^ (x & 1 ? 0xB8 : 0). */
OMV_RPC_API uint8_t omv_rpc_lfsr_next(uint8_t x);

/* ------------------------------------------------------------ allocation */

/* A user allocator. alloc(size) returns NULL on failure; free(NULL) is a
 * no-op. Both receive `user_data`. */
typedef struct omv_rpc_allocator {
    void *(*alloc)(void *user_data, size_t size);
    void (*free)(void *user_data, void *ptr);
    void *user_data;
} omv_rpc_allocator;

/* Options for a master or slave. Zero-initialise and set what you need. */
typedef struct omv_rpc_config {
    /* Largest argument, result or stream frame accepted (0: default). */
    uint32_t max_payload;
    /* Where results (master), arguments (slave) and stream frames go.
     * NULL: allocated on demand with `allocator` and reused; it grows to the
     * largest payload seen (never over max_payload) and is freed with the
     * handle. Non-NULL: used as is and never freed; a payload larger than
     * buffer_size is refused with OMV_RPC_ERR_TOO_LARGE before it is read.
     * The buffer must stay valid for the handle's lifetime. */
    uint8_t *buffer;
    size_t buffer_size;
    /* Where a slave's omv_rpc_slave_reply_buffer / _reply_copy results go
     * (a master does not use it). Same rules as `buffer`. */
    uint8_t *tx_buffer;
    size_t tx_buffer_size;
    /* NULL: malloc/free on hosted builds; on a build with OMV_RPC_NO_MALLOC
     * defined there is no default, so give `buffer` (or an allocator). */
    const omv_rpc_allocator *allocator;
    /* Log hook for retries, refused packets and similar events. */
    omv_rpc_log log;
} omv_rpc_config;

/* ---------------------------------------------------------------- master */

typedef struct omv_rpc_master omv_rpc_master;

/* Create a master on `link` (allocated with the config's allocator, or
 * malloc). `config` may be NULL for the defaults; it is copied. The master
 * owns the link from now on, even when creation fails. Free with
 * omv_rpc_master_free. */
OMV_RPC_API omv_rpc_status omv_rpc_master_new(omv_rpc_master **out, const omv_rpc_link *link,
                                              const omv_rpc_config *config);

/* Create a master in caller storage (no allocation when config->buffer is
 * set). `storage` must hold omv_rpc_master_storage_size() bytes, pointer
 * aligned, and outlive the master. Owns the link as omv_rpc_master_new. */
OMV_RPC_API omv_rpc_status omv_rpc_master_init(omv_rpc_master **out, void *storage,
                                               size_t storage_size, const omv_rpc_link *link,
                                               const omv_rpc_config *config);
OMV_RPC_API size_t omv_rpc_master_storage_size(void);

/* Close the link, release owned buffers; NULL is a no-op. After
 * omv_rpc_master_init, the storage is the caller's again. */
OMV_RPC_API void omv_rpc_master_free(omv_rpc_master *master);

/* Call the slave's function `name` with `arg` (`arg_len` bytes, NULL allowed
 * when 0). On OMV_RPC_OK, *result points to the result's `*result_len`
 * bytes (possibly 0: an unknown function also gives an empty result). The
 * result is owned by the master and valid until its next call, stream or
 * free: no copy is made. `result` and `result_len` may be NULL to ignore
 * the result.
 * Errors: OMV_RPC_ERR_SEND_TIMEOUT (phase 1: the slave never took the
 * command), OMV_RPC_ERR_RECV_TIMEOUT (phase 2: no valid result),
 * OMV_RPC_ERR_TOO_LARGE (argument or announced result over the limit),
 * OMV_RPC_ERR_CLOSED / OMV_RPC_ERR_LINK (the link broke),
 * OMV_RPC_ERR_ABORTED (omv_rpc_master_abort), OMV_RPC_ERR_NO_MEMORY. */
OMV_RPC_API omv_rpc_status omv_rpc_master_call(omv_rpc_master *master, const char *name,
                                               const void *arg, size_t arg_len,
                                               const uint8_t **result, size_t *result_len,
                                               uint32_t send_timeout_ms, uint32_t recv_timeout_ms);

/* As omv_rpc_master_call, but the result is written to the caller's
 * `buf` (`buf_size` bytes); a result larger than buf_size is refused with
 * OMV_RPC_ERR_BUFFER_TOO_SMALL before it is read (*result_len then holds
 * the size the slave announced). */
OMV_RPC_API omv_rpc_status omv_rpc_master_call_into(omv_rpc_master *master, const char *name,
                                                    const void *arg, size_t arg_len, uint8_t *buf,
                                                    size_t buf_size, size_t *result_len,
                                                    uint32_t send_timeout_ms,
                                                    uint32_t recv_timeout_ms);

/* As omv_rpc_master_call with the function named by its hash. */
OMV_RPC_API omv_rpc_status omv_rpc_master_call_hash(omv_rpc_master *master, uint32_t command,
                                                    const void *arg, size_t arg_len,
                                                    const uint8_t **result, size_t *result_len,
                                                    uint32_t send_timeout_ms,
                                                    uint32_t recv_timeout_ms);

/* How many attempts the master started over since it was created (a
 * health figure; 0 on a clean link). Requests repeated while the slave is
 * still busy (its callback, a camera's pauses) count only when the call
 * then fails. */
OMV_RPC_API uint32_t omv_rpc_master_retries(const omv_rpc_master *master);

/* End the call, cut-through transfer or stream in progress on `master`, or
 * if none is running the next one to start: it returns
 * OMV_RPC_ERR_ABORTED within about 100 ms (see "Stopping" above), and that
 * return uses the request up, so the call after it runs normally. The link
 * stays open and usable (the next call flushes what the aborted one left).
 * Async-signal-safe; any thread may call it at any time, e.g. a Ctrl-C
 * handler. A NULL master is a no-op. */
OMV_RPC_API void omv_rpc_master_abort(omv_rpc_master *master);

/* The master's link, for use with the cut-through and stream functions. */
OMV_RPC_API omv_rpc_link *omv_rpc_master_link(omv_rpc_master *master);

/* ----------------------------------------------------------------- slave */

typedef struct omv_rpc_slave omv_rpc_slave;

/* A remote function. `arg` (`arg_len` bytes) is valid during the call only.
 * Give the result with one of the omv_rpc_slave_reply* functions; a
 * callback that gives none returns an empty result. Runs on the thread
 * that runs the slave's loop. */
typedef void (*omv_rpc_callback)(omv_rpc_slave *slave, const uint8_t *arg, size_t arg_len,
                                 void *user_data);
/* A scheduled or loop callback (no argument, no result). */
typedef void (*omv_rpc_task)(omv_rpc_slave *slave, void *user_data);

OMV_RPC_API omv_rpc_status omv_rpc_slave_new(omv_rpc_slave **out, const omv_rpc_link *link,
                                             const omv_rpc_config *config);
OMV_RPC_API omv_rpc_status omv_rpc_slave_init(omv_rpc_slave **out, void *storage,
                                              size_t storage_size, const omv_rpc_link *link,
                                              const omv_rpc_config *config);
OMV_RPC_API size_t omv_rpc_slave_storage_size(void);
OMV_RPC_API void omv_rpc_slave_free(omv_rpc_slave *slave);

/* Register `fn` under the hash of `name`. Registering the same name (or a
 * name with the same hash) again replaces the earlier callback. Fails with
 * OMV_RPC_ERR_FULL past OMV_RPC_SLAVE_MAX_CALLBACKS names. */
OMV_RPC_API omv_rpc_status omv_rpc_slave_register_callback(omv_rpc_slave *slave, const char *name,
                                                           omv_rpc_callback fn, void *user_data);
/* Remove the callback registered under `name`; no-op when none. */
OMV_RPC_API void omv_rpc_slave_unregister_callback(omv_rpc_slave *slave, const char *name);

/* Give the result (from inside a callback). Borrowed, no copy: `data` must
 * stay valid until the next callback starts or the slave is freed (static
 * buffers and objects the program owns are fine). */
OMV_RPC_API omv_rpc_status omv_rpc_slave_reply(omv_rpc_slave *slave, const void *data, size_t len);
/* Give a copy of `data` as the result (in the slave's buffer). */
OMV_RPC_API omv_rpc_status omv_rpc_slave_reply_copy(omv_rpc_slave *slave, const void *data,
                                                    size_t len);
/* Return a `len`-byte buffer owned by the slave for the callback to fill;
 * it is the result. NULL when over the limit or out of memory (the result
 * is then empty). Valid until the next callback starts. */
OMV_RPC_API uint8_t *omv_rpc_slave_reply_buffer(omv_rpc_slave *slave, size_t len);

/* From inside a callback: run `fn` once right after this call's result has
 * been sent (e.g. to start a stream or a cut-through transfer). Cleared
 * after each call whether it ran or not. */
OMV_RPC_API void omv_rpc_slave_schedule_callback(omv_rpc_slave *slave, omv_rpc_task fn,
                                                 void *user_data);

/* Run `fn` after every pass of the loop (a call served or not). NULL
 * removes it. */
OMV_RPC_API void omv_rpc_slave_setup_loop_callback(omv_rpc_slave *slave, omv_rpc_task fn,
                                                   void *user_data);

/* How a slave times its side of a call (docs/protocol.md section 2 leaves
 * it to each peer). */
typedef enum omv_rpc_slave_timing {
    /* omvrpc's own, the default: a command is awaited in one wait for the
     * whole receive timeout; input is flushed only after a packet was
     * taken, so nothing a master sent is lost; a repeated command header
     * or result request is answered, and the last result is offered again
     * to a master that missed it. */
    OMV_RPC_SLAVE_TIMING_OMVRPC = 0,
    /* OpenMV's camera (its rpc module's slave), to show how a master
     * behaves against real firmware: every attempt of both phases starts
     * with the attempt callback (omv_rpc_slave_set_attempt_callback, where
     * the camera runs gc.collect()) and a flush of the input, so a request
     * that came while the slave was busy (its callback, the pause) is
     * dropped; then it waits for the phase's first packet with a short
     * timeout of 2 ms, 1 ms more after each failed attempt (reset in each
     * phase, never over the phase's timeout), times the link's short
     * timeout scale (10 on the network), plus the packet's wire time; the
     * command data gets the camera's long timeout, 5000 ms plus its wire
     * time. Nothing is answered twice or offered again. */
    OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA = 1
} omv_rpc_slave_timing;

/* Choose the slave's timing. It is the slave's own setting (not part of
 * omv_rpc_config) and stays until changed. Call it from the thread that
 * runs the slave, between loops: OMV_RPC_ERR_INVALID_ARG from inside the
 * loop (a callback) or for an unknown timing. */
OMV_RPC_API omv_rpc_status omv_rpc_slave_set_timing(omv_rpc_slave *slave,
                                                    omv_rpc_slave_timing timing);
OMV_RPC_API omv_rpc_slave_timing omv_rpc_slave_get_timing(const omv_rpc_slave *slave);

/* With OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA: run `fn` at the start of every
 * attempt of either phase, before the flush, on the slave's thread (a
 * camera's gc.collect(): e.g. a pause, or counting attempts). The core
 * has no clock of its own to sleep on, so any pause is the callback's.
 * It must not use the link or run the loop. NULL removes it. The default
 * timing never calls it. */
OMV_RPC_API void omv_rpc_slave_set_attempt_callback(omv_rpc_slave *slave, omv_rpc_task fn,
                                                    void *user_data);

/* Wait up to `recv_timeout_ms` for one call and serve it (sending its
 * result within `send_timeout_ms`), then run the scheduled and loop
 * callbacks as OpenMV's loop does. Returns OMV_RPC_OK when a call was
 * served, OMV_RPC_ERR_TIMEOUT when none came, OMV_RPC_ERR_RECV_TIMEOUT when
 * the master stopped asking for the result, OMV_RPC_ERR_STOPPED after
 * omv_rpc_slave_stop, OMV_RPC_ERR_CLOSED / OMV_RPC_ERR_LINK on a broken link. */
OMV_RPC_API omv_rpc_status omv_rpc_slave_loop_once(omv_rpc_slave *slave, uint32_t recv_timeout_ms,
                                                   uint32_t send_timeout_ms);

/* Serve calls until omv_rpc_slave_stop() is called (returns
 * OMV_RPC_ERR_STOPPED) or the link breaks (returns its error). Timeouts and
 * bad packets are not errors here: the loop goes on. */
OMV_RPC_API omv_rpc_status omv_rpc_slave_loop(omv_rpc_slave *slave, uint32_t recv_timeout_ms,
                                              uint32_t send_timeout_ms);

/* Make loop() and loop_once() return OMV_RPC_ERR_STOPPED within about
 * 100 ms whatever the slave is doing (waiting for a command, receiving it,
 * sending a result, a stream or a cut-through transfer started from a
 * callback: those return OMV_RPC_ERR_STOPPED too); see "Stopping" above.
 * The request stays until omv_rpc_slave_clear_stop. Async-signal-safe;
 * any thread, a signal handler or a callback may call it. Called from a
 * callback it applies at once, so that call's result is not sent; to stop
 * after the result went out, call it from a scheduled callback
 * (omv_rpc_slave_schedule_callback). */
OMV_RPC_API void omv_rpc_slave_stop(omv_rpc_slave *slave);
/* Clear a stop request so loop() may run again. */
OMV_RPC_API void omv_rpc_slave_clear_stop(omv_rpc_slave *slave);

/* How many calls the slave has served, and how many packets it refused. */
OMV_RPC_API uint32_t omv_rpc_slave_calls_served(const omv_rpc_slave *slave);
OMV_RPC_API uint32_t omv_rpc_slave_packets_refused(const omv_rpc_slave *slave);

OMV_RPC_API omv_rpc_link *omv_rpc_slave_link(omv_rpc_slave *slave);

/* ------------------------------------------- cut-through and streams */

/* Raw transfers with no framing, right after a call completed (both sides
 * are then in step). get_bytes fills exactly `len` bytes. `timeout_ms`
 * bounds silence: a transfer that keeps moving at the link's pace
 * continues. These take any link (omv_rpc_master_link / omv_rpc_slave_link). */
OMV_RPC_API omv_rpc_status omv_rpc_get_bytes(omv_rpc_link *link, uint8_t *buf, size_t len,
                                             uint32_t timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_put_bytes(omv_rpc_link *link, const uint8_t *buf, size_t len,
                                             uint32_t timeout_ms);

/* Reader callback: `frame` (`len` bytes) is valid during the call only.
 * Return 0 to go on, non-zero to end the stream. */
typedef int (*omv_rpc_stream_read_fn)(void *user_data, const uint8_t *frame, size_t len);
/* Writer callback: set *frame and *len to the next frame (valid until the
 * next call of the callback or the writer's return). Return 0 to send it,
 * non-zero to end the stream. */
typedef int (*omv_rpc_stream_write_fn)(void *user_data, const uint8_t **frame, size_t *len);

/* Stream reader (docs/protocol.md section 3): sends the setup with
 * `queue_depth` (1..255; the link may lower it), then hands each frame to
 * `fn`. Frames go to the handle's buffer (config.buffer, or an owned buffer
 * that grows to the largest frame, bounded by max_payload).
 * Returns OMV_RPC_OK when `fn` ended the stream; OMV_RPC_ERR_TIMEOUT when
 * the writer went silent (frame header: 1000 ms; frame data: silence of
 * read_timeout_ms); OMV_RPC_ERR_BAD_PACKET for a header whose magic or CRC
 * is wrong; OMV_RPC_ERR_TOO_LARGE for a frame over the limit; link errors. */
OMV_RPC_API omv_rpc_status omv_rpc_master_stream_reader(omv_rpc_master *master,
                                                        omv_rpc_stream_read_fn fn, void *user_data,
                                                        uint32_t queue_depth,
                                                        uint32_t read_timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_slave_stream_reader(omv_rpc_slave *slave,
                                                       omv_rpc_stream_read_fn fn, void *user_data,
                                                       uint32_t queue_depth,
                                                       uint32_t read_timeout_ms);

/* Stream writer: waits up to 1000 ms for the reader's setup, then sends the
 * frames `fn` gives while the reader's credits allow. Returns OMV_RPC_OK
 * when `fn` ended the stream; OMV_RPC_ERR_TIMEOUT when no setup or ack came;
 * OMV_RPC_ERR_STREAM_ENDED on a wrong ack byte; OMV_RPC_ERR_BAD_PACKET for a
 * bad setup packet; link errors. */
OMV_RPC_API omv_rpc_status omv_rpc_master_stream_writer(omv_rpc_master *master,
                                                        omv_rpc_stream_write_fn fn, void *user_data,
                                                        uint32_t write_timeout_ms);
OMV_RPC_API omv_rpc_status omv_rpc_slave_stream_writer(omv_rpc_slave *slave,
                                                       omv_rpc_stream_write_fn fn, void *user_data,
                                                       uint32_t write_timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
