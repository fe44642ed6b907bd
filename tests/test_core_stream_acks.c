/* A stream reader's ack bytes, against a scripted writer: the bytes of
 * every ack in LFSR order whatever the batching, several per write only
 * where the link says the next frame header is already there (and the
 * stream is a byte stream), at most a quarter of the queue depth, and no
 * longer held than a few milliseconds. */
#include <string.h>

#include "flat_link.h"
#include "fake_peer.h"
#include "test_support.h"

#define FRAMES 40u
#define FRAME_LEN 5u
#define MAX_WRITES 256u

typedef struct fake_writer {
    uint8_t in[FRAMES * (8 + FRAME_LEN)]; /* what the writer sent */
    size_t in_len, in_pos;
    uint8_t out[4096]; /* what the reader sent: setup, then acks */
    size_t out_len;
    size_t write_len[MAX_WRITES]; /* each send call's size */
    size_t writes;
    int header_here[FRAMES + 1]; /* what `buffered` says before frame i */
    size_t frames_read;          /* frame headers handed out so far */
    uint32_t clock_ms;
} fake_writer;

static omv_rpc_status fw_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    fake_writer *w = ctx;
    if (w->in_len - w->in_pos < len) {
        return OMV_RPC_ERR_TIMEOUT; /* the writer has nothing more */
    }
    memcpy(buf, w->in + w->in_pos, len);
    if (len == 8) {
        w->frames_read++;
    }
    w->in_pos += len;
    return OMV_RPC_OK;
}

static omv_rpc_status fw_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    fake_writer *w = ctx;
    assert_true(w->out_len + len <= sizeof w->out && w->writes < MAX_WRITES);
    memcpy(w->out + w->out_len, buf, len);
    w->out_len += len;
    w->write_len[w->writes++] = len;
    return OMV_RPC_OK;
}

static void fw_flush(void *ctx)
{
    (void)ctx;
}

static uint32_t fw_now(void *ctx)
{
    return ((fake_writer *)ctx)->clock_ms;
}

/* Asked after frame `frames_read`'s callback: is the next header here? */
static size_t fw_buffered(void *ctx)
{
    fake_writer *w = ctx;
    return w->header_here[w->frames_read] ? 8 + FRAME_LEN : 0;
}

TS_FLAT_OPS(fw, fw_get, fw_put)

static const omv_rpc_link_ops fw_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = fw_recv,
    .send = fw_send,
    .flush = fw_flush,
    .now_ms = fw_now,
    .buffered = fw_buffered,
};

static const omv_rpc_link_ops fw_ops_unknown = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = fw_recv,
    .send = fw_send,
    .flush = fw_flush,
    .now_ms = fw_now,
};

/* Every next header there as soon as asked for; none after the last. */
static void all_here(fake_writer *w)
{
    for (size_t i = 0; i < FRAMES; i++) {
        w->header_here[i] = 1;
    }
    w->header_here[FRAMES] = 0;
}

static void fw_init(fake_writer *w)
{
    memset(w, 0, sizeof *w);
    for (uint32_t f = 0; f < FRAMES; f++) {
        uint8_t size[4] = {FRAME_LEN, 0, 0, 0};
        size_t n = ts_packet(w->in + w->in_len, 0x542E, size, 4);
        w->in_len += n;
        memset(w->in + w->in_len, (int)f, FRAME_LEN);
        w->in_len += FRAME_LEN;
    }
}

typedef struct reader_state {
    fake_writer *w;
    uint32_t frames;
    uint32_t slow_frame; /* this frame's callback takes 6 ms (0: none) */
} reader_state;

static int on_frame(void *user, const uint8_t *frame, size_t len)
{
    reader_state *r = user;
    assert_int_equal(len, FRAME_LEN);
    assert_int_equal(frame[0], (uint8_t)r->frames);
    r->frames++;
    if (r->slow_frame && r->frames == r->slow_frame) {
        r->w->clock_ms += 6;
    }
    return 0;
}

/* Read every frame at `depth` over a link flagged `flags`; check the
 * setup packet and that the ack bytes are the LFSR sequence, one per
 * frame. Returns the writes after the setup packet. */
static size_t read_all(fake_writer *w, const omv_rpc_link_ops *ops, uint32_t flags, uint32_t depth,
                       uint32_t slow_frame)
{
    omv_rpc_link link = {ops, w, 0, 0, flags, 0};
    omv_rpc_master *m = NULL;
    assert_int_equal(omv_rpc_master_new(&m, &link, NULL), OMV_RPC_OK);
    reader_state r = {w, 0, slow_frame};
    /* The scripted writer stops after FRAMES: the reader times out. */
    assert_int_equal(omv_rpc_master_stream_reader(m, on_frame, &r, depth, 100),
                     OMV_RPC_ERR_TIMEOUT);
    omv_rpc_master_free(m);
    assert_int_equal(r.frames, FRAMES);

    uint8_t setup[8], depth_le[4] = {(uint8_t)depth, 0, 0, 0};
    ts_packet(setup, 0xEDF6, depth_le, 4);
    assert_true(w->out_len == 8 + FRAMES);
    assert_memory_equal(w->out, setup, 8);
    assert_int_equal(w->write_len[0], 8);
    uint8_t ack = 0xFF;
    for (size_t i = 0; i < FRAMES; i++) {
        assert_int_equal(w->out[8 + i], ack);
        ack = omv_rpc_lfsr_next(ack);
    }
    return w->writes - 1;
}

static void test_batches_while_headers_are_here(void **state)
{
    (void)state;
    fake_writer w;
    fw_init(&w);
    all_here(&w);
    /* Depth 32: up to 8 acks a write. */
    assert_int_equal(read_all(&w, &fw_ops, OMV_RPC_LINK_BYTE_STREAM, 32, 0), FRAMES / 8);
    for (size_t i = 1; i < w.writes; i++) {
        assert_int_equal(w.write_len[i], 8);
    }
}

static void test_sent_before_waiting(void **state)
{
    (void)state;
    fake_writer w;
    fw_init(&w);
    all_here(&w);
    /* The header of frame 3 (index 3) is not there after frame 3's
     * callback: the 3 acks held go out before the reader waits. */
    w.header_here[3] = 0;
    read_all(&w, &fw_ops, OMV_RPC_LINK_BYTE_STREAM, 255, 0);
    assert_int_equal(w.write_len[1], 3);
    /* ACK_BATCH_MAX (32) after that, then the rest. */
    assert_int_equal(w.write_len[2], 32);
    assert_int_equal(w.write_len[3], FRAMES - 35);
}

static void test_not_held_long(void **state)
{
    (void)state;
    fake_writer w;
    fw_init(&w);
    all_here(&w);
    /* Frame 2's callback takes 6 ms: acks 1 and 2 go out then, not
     * with the batch of 8. */
    read_all(&w, &fw_ops, OMV_RPC_LINK_BYTE_STREAM, 32, 2);
    assert_int_equal(w.write_len[1], 2);
    assert_int_equal(w.write_len[2], 8);
}

static void test_one_ack_a_write_otherwise(void **state)
{
    (void)state;
    fake_writer w;
    /* Not a byte stream (each ack its own transfer, as on CAN). */
    fw_init(&w);
    all_here(&w);
    assert_int_equal(read_all(&w, &fw_ops, 0, 255, 0), FRAMES);
    /* A link that cannot tell what it holds. */
    fw_init(&w);
    assert_int_equal(read_all(&w, &fw_ops_unknown, OMV_RPC_LINK_BYTE_STREAM, 255, 0), FRAMES);
    /* A queue too shallow to hold acks back. */
    fw_init(&w);
    all_here(&w);
    assert_int_equal(read_all(&w, &fw_ops, OMV_RPC_LINK_BYTE_STREAM, 7, 0), FRAMES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_while_headers_are_here),
        cmocka_unit_test(test_sent_before_waiting),
        cmocka_unit_test(test_not_held_long),
        cmocka_unit_test(test_one_ack_a_write_otherwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
