/* Stream jobs shared by the stream tests of every link: one side writes
 * numbered frames, the other checks them. Frame i starts with i (32 bits,
 * little-endian) and byte k >= 4 is (k * 31 + i) & 0xFF, so a frame that
 * is lost, repeated, reordered, cut or mixed with another is caught. Frame
 * sizes vary from frame to frame (a size rule), so the reader also sees a
 * frame of the wrong length. */
#ifndef OMV_RPC_STREAM_JOBS_H
#define OMV_RPC_STREAM_JOBS_H

#include "rig.h"
#include "test_support.h"

typedef struct ts_stream_job ts_stream_job;

/* The size of frame `index`; at most `max_size`. */
typedef size_t (*ts_frame_size_fn)(uint32_t index, size_t max_size);

struct ts_stream_job {
    uint32_t frames;       /* frames before this side ends the stream (0: never) */
    uint32_t done;         /* frames written, or received intact */
    uint32_t queue_depth;  /* what a reader on the slave asks for */
    size_t max_size;       /* the largest frame the size rule gives */
    ts_frame_size_fn size; /* the size rule */
    uint8_t *frame;        /* the writer's buffer (max_size bytes) */
    int bad;               /* the reader got a frame it did not expect */
    omv_rpc_status result; /* what the slave's writer or reader returned */
};

/* Frame i has max_size - i % 7 bytes (max_size >= 10). */
size_t ts_frame_size_shrinking(uint32_t index, size_t max_size);

/* A job for either side with the shrinking size rule; a reader on the
 * slave asks for queue depth 8. Free with ts_stream_job_free. */
void ts_stream_job_init(ts_stream_job *j, uint32_t frames, size_t max_size);
/* The same with another size rule. */
void ts_stream_job_init_sized(ts_stream_job *j, uint32_t frames, size_t max_size,
                              ts_frame_size_fn size);
void ts_stream_job_free(ts_stream_job *j);

/* The writer's and the reader's callbacks (omv_rpc_*_stream_writer and
 * omv_rpc_*_stream_reader); user is the ts_stream_job. */
int ts_stream_next_frame(void *user, const uint8_t **frame, size_t *len);
int ts_stream_check_frame(void *user, const uint8_t *frame, size_t len);

/* Register `name` on the slave: a call to it schedules the slave's stream
 * writer (serve_writer) or reader (serve_reader) on `job`, run after the
 * call's result is sent, as OpenMV's scripts do; job->result holds what it
 * returned. */
void ts_stream_serve_writer(omv_rpc_slave *s, const char *name, ts_stream_job *job);
void ts_stream_serve_reader(omv_rpc_slave *s, const char *name, ts_stream_job *job);

/* A reader that ended the stream itself: status OK, all its frames, each
 * intact. */
void ts_check_reader_ended(const ts_stream_job *reader, omv_rpc_status status);

/* Streams both ways with one size rule: the slave serves "download" (its
 * writer, never ending by itself) and "upload" (its reader, ending after
 * slave_frames); the master's reader ends after master_frames, its writer
 * never by itself. */
typedef struct ts_two_way {
    ts_stream_job slave_writes, slave_reads, master_reads, master_writes;
} ts_two_way;
void ts_two_way_serve(ts_two_way *t, omv_rpc_slave *s, uint32_t master_frames,
                      uint32_t slave_frames, size_t max_size, ts_frame_size_fn size);
void ts_two_way_free(ts_two_way *t);
/* Call "download" and read with `queue_depth` until the master's reader
 * ends the stream (ts_check_reader_ended). */
void ts_check_download(omv_rpc_master *m, ts_two_way *t, uint32_t queue_depth);
/* Call "upload" (call_timeout_ms each way) and write until the slave's
 * reader leaves; returns how the master's writer ended. */
omv_rpc_status ts_upload(omv_rpc_master *m, ts_two_way *t, uint32_t call_timeout_ms);

/* The slave writes, the master reads with `queue_depth`: the reader ends
 * the stream after 30 frames (reader_ends) or the writer after 40; frames
 * of frame_size - i % 7 bytes arrive in order and intact, each side ends
 * as it should, and calls work again afterwards. Starts and stops the
 * rig's slave thread. */
void ts_check_stream_to_master(ts_rig *r, uint32_t queue_depth, int reader_ends, size_t frame_size);

#endif
