#include "flat_link.h"
#include "script_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void script_load(script_link *s, const cJSON *scenario, const char *peer_dir)
{
    memset(s, 0, sizeof *s);
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(scenario, "bytes");
    for (const cJSON *c = chunks->child; c; c = c->next) {
        int from_peer =
            strcmp(cJSON_GetObjectItemCaseSensitive(c, "dir")->valuestring, peer_dir) == 0;
        uint8_t *bytes;
        size_t len = ts_hex_decode(cJSON_GetObjectItemCaseSensitive(c, "hex")->valuestring, &bytes);
        if (s->turn_count && s->turns[s->turn_count - 1].from_peer == from_peer) {
            script_turn *t = &s->turns[s->turn_count - 1];
            t->bytes = realloc(t->bytes, t->len + len);
            memcpy(t->bytes + t->len, bytes, len);
            t->len += len;
            free(bytes);
        } else {
            assert_true(s->turn_count < 64);
            s->turns[s->turn_count++] = (script_turn){from_peer, bytes, len};
        }
    }
}

void script_free(script_link *s)
{
    for (size_t i = 0; i < s->turn_count; i++) {
        free(s->turns[i].bytes);
    }
}

int script_done(const script_link *s)
{
    return !s->mismatch && s->turn == s->turn_count;
}

/* An expected turn may hold the same request several times (the recorded
 * peer retried); sending it once completes the turn. */
static int completes(const script_turn *t, const uint8_t *out, size_t len)
{
    if (len == 0 || t->len % len != 0) {
        return 0;
    }
    for (size_t i = 0; i < t->len; i += len) {
        if (memcmp(t->bytes + i, out, len) != 0) {
            return 0;
        }
    }
    return 1;
}

static omv_rpc_status sl_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    script_link *s = ctx;
    for (size_t i = 0; i < len; i++) {
        if (s->mismatch || s->turn >= s->turn_count || s->turns[s->turn].from_peer) {
            if (!s->mismatch) {
                snprintf(s->mismatch_text, sizeof s->mismatch_text,
                         "unexpected byte 0x%02x at turn %zu (nothing expected)", buf[i], s->turn);
            }
            s->mismatch = 1;
            return OMV_RPC_OK;
        }
        script_turn *t = &s->turns[s->turn];
        if (s->out_len >= t->len || s->out_len >= sizeof s->out || t->bytes[s->out_len] != buf[i]) {
            snprintf(s->mismatch_text, sizeof s->mismatch_text,
                     "turn %zu byte %zu: got 0x%02x, expected 0x%02x", s->turn, s->out_len, buf[i],
                     s->out_len < t->len ? t->bytes[s->out_len] : 0);
            s->mismatch = 1;
            return OMV_RPC_OK;
        }
        s->out[s->out_len++] = buf[i];
        if (completes(t, s->out, s->out_len)) {
            s->turn++;
            s->out_len = 0;
            s->consumed = 0;
        }
    }
    return OMV_RPC_OK;
}

static omv_rpc_status sl_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    script_link *s = ctx;
    if (len == 0) {
        return OMV_RPC_OK;
    }
    if (s->turn >= s->turn_count || !s->turns[s->turn].from_peer ||
        s->turns[s->turn].len - s->consumed < len) {
        s->clock += timeout_ms + 1; /* time passes while nothing comes */
        return OMV_RPC_ERR_TIMEOUT;
    }
    script_turn *t = &s->turns[s->turn];
    memcpy(buf, t->bytes + s->consumed, len);
    s->consumed += len;
    if (s->consumed == t->len) {
        s->turn++;
        s->consumed = 0;
    }
    return OMV_RPC_OK;
}

static void sl_flush(void *ctx)
{
    script_link *s = ctx;
    /* Whatever the peer sent and was not read yet is dropped. */
    if (s->turn < s->turn_count && s->turns[s->turn].from_peer && s->consumed) {
        s->turn++;
        s->consumed = 0;
    }
}

static uint32_t sl_now(void *ctx)
{
    script_link *s = ctx;
    return s->clock++;
}

TS_FLAT_OPS(script_ops, sl_get, sl_put)

static const omv_rpc_link_ops script_ops = {.size = sizeof(omv_rpc_link_ops),
                                            .recv = script_ops_recv,
                                            .send = script_ops_send,
                                            .flush = sl_flush,
                                            .now_ms = sl_now};

omv_rpc_link script_as_link(script_link *s)
{
    omv_rpc_link link = {.ops = &script_ops, .ctx = s, .flags = OMV_RPC_LINK_BYTE_STREAM};
    return link;
}
