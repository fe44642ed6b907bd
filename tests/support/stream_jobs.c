#include "stream_jobs.h"

#include <stdlib.h>
#include <string.h>

#include "call_checks.h"

/* Both sides give every stream 1000 ms per wait, as the tests always did. */
#define STREAM_TIMEOUT_MS 1000u

size_t ts_frame_size_shrinking(uint32_t index, size_t max_size)
{
    return max_size - index % 7u;
}

void ts_stream_job_init_sized(ts_stream_job *j, uint32_t frames, size_t max_size,
                              ts_frame_size_fn size)
{
    memset(j, 0, sizeof *j);
    j->frames = frames;
    j->queue_depth = 8;
    j->max_size = max_size;
    j->size = size;
    j->frame = malloc(max_size);
    assert_non_null(j->frame);
}

void ts_stream_job_init(ts_stream_job *j, uint32_t frames, size_t max_size)
{
    ts_stream_job_init_sized(j, frames, max_size, ts_frame_size_shrinking);
}

void ts_stream_job_free(ts_stream_job *j)
{
    free(j->frame);
    j->frame = NULL;
}

static uint8_t frame_byte(size_t k, uint32_t index)
{
    return (uint8_t)(k * 31u + index);
}

int ts_stream_next_frame(void *user, const uint8_t **frame, size_t *len)
{
    ts_stream_job *j = user;
    if (j->frames && j->done == j->frames) {
        return 1;
    }
    size_t size = j->size(j->done, j->max_size);
    if (size < 4 || size > j->max_size) {
        return 1; /* a size rule the buffer cannot hold (this runs off the test's thread) */
    }
    j->frame[0] = (uint8_t)j->done;
    j->frame[1] = (uint8_t)(j->done >> 8);
    j->frame[2] = (uint8_t)(j->done >> 16);
    j->frame[3] = (uint8_t)(j->done >> 24);
    for (size_t k = 4; k < size; k++) {
        j->frame[k] = frame_byte(k, j->done);
    }
    j->done++;
    *frame = j->frame;
    *len = size;
    return 0;
}

/* Frame `index` exactly as the writer made it. */
static int frame_intact(const ts_stream_job *j, const uint8_t *frame, size_t len, uint32_t index)
{
    if (len != j->size(index, j->max_size) || len < 4) {
        return 0;
    }
    uint32_t got = (uint32_t)frame[0] | ((uint32_t)frame[1] << 8) | ((uint32_t)frame[2] << 16) |
                   ((uint32_t)frame[3] << 24);
    if (got != index) {
        return 0;
    }
    for (size_t k = 4; k < len; k++) {
        if (frame[k] != frame_byte(k, index)) {
            return 0;
        }
    }
    return 1;
}

int ts_stream_check_frame(void *user, const uint8_t *frame, size_t len)
{
    ts_stream_job *j = user;
    if (!frame_intact(j, frame, len, j->done)) {
        j->bad = 1;
        return 1; /* end the stream: what follows cannot be trusted */
    }
    j->done++;
    return j->frames && j->done == j->frames;
}

static void slave_writes(omv_rpc_slave *s, void *user)
{
    ts_stream_job *j = user;
    j->result = omv_rpc_slave_stream_writer(s, ts_stream_next_frame, j, STREAM_TIMEOUT_MS);
}

static void slave_reads(omv_rpc_slave *s, void *user)
{
    ts_stream_job *j = user;
    j->result =
        omv_rpc_slave_stream_reader(s, ts_stream_check_frame, j, j->queue_depth, STREAM_TIMEOUT_MS);
}

/* The stream starts only after the call's result has gone out, so the
 * callback schedules it rather than running it. */
static void cb_start_writer(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, slave_writes, user);
}

static void cb_start_reader(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, slave_reads, user);
}

void ts_stream_serve_writer(omv_rpc_slave *s, const char *name, ts_stream_job *job)
{
    assert_int_equal(omv_rpc_slave_register_callback(s, name, cb_start_writer, job), OMV_RPC_OK);
}

void ts_stream_serve_reader(omv_rpc_slave *s, const char *name, ts_stream_job *job)
{
    assert_int_equal(omv_rpc_slave_register_callback(s, name, cb_start_reader, job), OMV_RPC_OK);
}

void ts_check_stream_to_master(ts_rig *r, uint32_t queue_depth, int reader_ends, size_t frame_size)
{
    ts_stream_job w, rd;
    ts_stream_job_init(&w, reader_ends ? 0u : 40u, frame_size);
    ts_stream_job_init(&rd, reader_ends ? 30u : 0u, frame_size);
    ts_stream_serve_writer(r->slave, "stream", &w);
    ts_slave_thread_start(&r->thread, r->slave);

    assert_int_equal(omv_rpc_master_call(r->master, "stream", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    omv_rpc_status st = omv_rpc_master_stream_reader(r->master, ts_stream_check_frame, &rd,
                                                     queue_depth, STREAM_TIMEOUT_MS);
    assert_false(rd.bad);
    if (reader_ends) {
        assert_int_equal(st, OMV_RPC_OK);
        assert_int_equal(rd.done, 30);
    } else {
        /* The writer ended after 40 frames; the reader then times out. */
        assert_int_equal(st, OMV_RPC_ERR_TIMEOUT);
        assert_int_equal(rd.done, 40);
    }
    /* After the writer notices (its ack wait), calls work again. */
    ts_check_echo(r->master, "after", 5, 3000, 1000);
    ts_slave_thread_stop(&r->thread);
    if (reader_ends) {
        /* The writer sees the reader leave: no ack in time, or the next
         * call's bytes where an ack should be. */
        assert_true(w.result == OMV_RPC_ERR_TIMEOUT || w.result == OMV_RPC_ERR_STREAM_ENDED);
    } else {
        assert_int_equal(w.result, OMV_RPC_OK);
        assert_int_equal(w.done, 40);
    }
    ts_stream_job_free(&w);
    ts_stream_job_free(&rd);
}

void ts_check_reader_ended(const ts_stream_job *reader, omv_rpc_status status)
{
    assert_int_equal(status, OMV_RPC_OK);
    assert_int_equal(reader->done, reader->frames);
    assert_false(reader->bad);
}

void ts_two_way_serve(ts_two_way *t, omv_rpc_slave *s, uint32_t master_frames,
                      uint32_t slave_frames, size_t max_size, ts_frame_size_fn size)
{
    ts_stream_job_init_sized(&t->slave_writes, 0, max_size, size);
    ts_stream_job_init_sized(&t->slave_reads, slave_frames, max_size, size);
    ts_stream_job_init_sized(&t->master_reads, master_frames, max_size, size);
    ts_stream_job_init_sized(&t->master_writes, 0, max_size, size);
    ts_stream_serve_writer(s, "download", &t->slave_writes);
    ts_stream_serve_reader(s, "upload", &t->slave_reads);
}

void ts_two_way_free(ts_two_way *t)
{
    ts_stream_job_free(&t->slave_writes);
    ts_stream_job_free(&t->slave_reads);
    ts_stream_job_free(&t->master_reads);
    ts_stream_job_free(&t->master_writes);
}

void ts_check_download(omv_rpc_master *m, ts_two_way *t, uint32_t queue_depth)
{
    assert_int_equal(omv_rpc_master_call(m, "download", NULL, 0, NULL, NULL, 1000, 1000),
                     OMV_RPC_OK);
    omv_rpc_status st = omv_rpc_master_stream_reader(m, ts_stream_check_frame, &t->master_reads,
                                                     queue_depth, STREAM_TIMEOUT_MS);
    ts_check_reader_ended(&t->master_reads, st);
}

omv_rpc_status ts_upload(omv_rpc_master *m, ts_two_way *t, uint32_t call_timeout_ms)
{
    assert_int_equal(
        omv_rpc_master_call(m, "upload", NULL, 0, NULL, NULL, call_timeout_ms, call_timeout_ms),
        OMV_RPC_OK);
    return omv_rpc_master_stream_writer(m, ts_stream_next_frame, &t->master_writes,
                                        STREAM_TIMEOUT_MS);
}
