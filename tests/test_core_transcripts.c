/* Byte-exact replay of OpenMV's own master and slave talking
 * (reference_serial_transcripts.json). For every scenario a scripted link
 * plays the slave's bytes to our master and checks what our master sends;
 * then it plays the master's bytes to our slave and checks its answers. */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "script_link.h"

static cJSON *transcripts;

static int setup(void **state)
{
    (void)state;
    transcripts = ts_load_vectors("reference_serial_transcripts.json");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(transcripts);
    return 0;
}

static const cJSON *scenario(const char *name)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(transcripts, "scenarios");
    for (const cJSON *s = list->child; s; s = s->next) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(s, "name")->valuestring, name) == 0) {
            return s;
        }
    }
    fail_msg("no scenario %s", name);
    return NULL;
}

/* ------------------------------------------------------------ our master */

typedef struct frames {
    size_t count, stop_after;
    uint8_t data[16][64];
    size_t len[16];
} frames;

static int collect_frame(void *user, const uint8_t *frame, size_t len)
{
    frames *f = user;
    assert_true(f->count < 16 && len <= 64);
    memcpy(f->data[f->count], frame, len);
    f->len[f->count++] = len;
    return f->count >= f->stop_after;
}

static void replay_master(const char *name)
{
    script_link s;
    script_load(&s, scenario(name), "B>A");
    /* What OpenMV's master sent: the command (header turn 0, data turn 2)
     * and what OpenMV's slave answered: the result (header turn 5). */
    const script_turn *hdr = &s.turns[0], *data = &s.turns[2], *res_hdr = &s.turns[5];
    assert_false(hdr->from_peer);
    uint32_t command = get_le32(hdr->bytes + 2);
    size_t arg_len = get_le32(hdr->bytes + 6);
    assert_int_equal(data->len, arg_len + 4);
    uint8_t *arg = malloc(arg_len + 1);
    memcpy(arg, data->bytes + 2, arg_len);
    size_t want_len = get_le32(res_hdr->bytes + 2);
    const uint8_t *want = s.turns[7].bytes + 2;

    omv_rpc_link link = script_as_link(&s);
    omv_rpc_master *m;
    assert_int_equal(omv_rpc_master_new(&m, &link, NULL), OMV_RPC_OK);
    const uint8_t *result;
    size_t result_len;
    assert_int_equal(
        omv_rpc_master_call_hash(m, command, arg, arg_len, &result, &result_len, 1000, 1000),
        OMV_RPC_OK);
    assert_int_equal(result_len, want_len);
    assert_memory_equal(result, want, want_len);
    assert_int_equal(omv_rpc_master_retries(m), 0);

    if (strcmp(name, "cut_through_1000") == 0) {
        uint8_t raw[1000], expect[1000];
        ts_pattern(expect, sizeof expect);
        assert_int_equal(omv_rpc_get_bytes(omv_rpc_master_link(m), raw, sizeof raw, 1000),
                         OMV_RPC_OK);
        assert_memory_equal(raw, expect, sizeof raw);
    } else if (strcmp(name, "stream_16x5_qd2") == 0) {
        frames f = {0};
        f.stop_after = 5;
        assert_int_equal(omv_rpc_master_stream_reader(m, collect_frame, &f, 2, 1000), OMV_RPC_OK);
        assert_int_equal(f.count, 5);
        for (size_t i = 0; i < 5; i++) {
            assert_int_equal(f.len[i], 16);
            assert_int_equal(get_le32(f.data[i]), i);
        }
    }
    if (!script_done(&s)) {
        fail_msg("%s: master transcript not matched: turn %zu of %zu; %s", name, s.turn,
                 s.turn_count, s.mismatch_text);
    }
    omv_rpc_master_free(m);
    free(arg);
    script_free(&s);
}

/* ------------------------------------------------------------- our slave */

static void cut_through_put(omv_rpc_slave *slave, void *user)
{
    uint32_t *n = user;
    uint8_t *buf = malloc(*n);
    ts_pattern(buf, *n);
    assert_int_equal(omv_rpc_put_bytes(omv_rpc_slave_link(slave), buf, *n, 1000), OMV_RPC_OK);
    free(buf);
}

static void cb_cut_through(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *user)
{
    assert_int_equal(len, 4);
    *(uint32_t *)user = get_le32(arg);
    omv_rpc_slave_schedule_callback(slave, cut_through_put, user);
}

typedef struct stream_job {
    uint32_t size, count, sent;
    uint8_t frame[64];
} stream_job;

static int next_frame(void *user, const uint8_t **frame, size_t *len)
{
    stream_job *j = user;
    if (j->sent == j->count) {
        return 1;
    }
    ts_pattern(j->frame, j->size);
    put_le32(j->frame, j->sent++);
    *frame = j->frame;
    *len = j->size;
    return 0;
}

static void stream_write(omv_rpc_slave *slave, void *user)
{
    /* The transcript ends after the fifth frame: our writer then waits for
     * an ack that never comes. */
    omv_rpc_slave_stream_writer(slave, next_frame, user, 1000);
}

static void cb_stream(omv_rpc_slave *slave, const uint8_t *arg, size_t len, void *user)
{
    assert_int_equal(len, 8);
    stream_job *j = user;
    j->size = get_le32(arg);
    j->count = get_le32(arg + 4);
    j->sent = 0;
    assert_true(j->size <= sizeof j->frame);
    omv_rpc_slave_schedule_callback(slave, stream_write, user);
}

static void replay_slave(const char *name)
{
    script_link s;
    script_load(&s, scenario(name), "A>B");
    omv_rpc_link link = script_as_link(&s);
    omv_rpc_slave *slave;
    uint32_t cut_len = 0;
    stream_job job = {0};
    assert_int_equal(omv_rpc_slave_new(&slave, &link, NULL), OMV_RPC_OK);
    ts_register_standard_callbacks(slave);
    omv_rpc_slave_register_callback(slave, "cut_through", cb_cut_through, &cut_len);
    omv_rpc_slave_register_callback(slave, "stream", cb_stream, &job);
    assert_int_equal(omv_rpc_slave_loop_once(slave, 1000, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_calls_served(slave), 1);
    if (!script_done(&s)) {
        fail_msg("%s: slave transcript not matched: turn %zu of %zu; %s", name, s.turn,
                 s.turn_count, s.mismatch_text);
    }
    omv_rpc_slave_free(slave);
    script_free(&s);
}

static void test_all_scenarios(void **state)
{
    (void)state;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(transcripts, "scenarios");
    int n = 0;
    for (const cJSON *sc = list->child; sc; sc = sc->next, n++) {
        const char *name = cJSON_GetObjectItemCaseSensitive(sc, "name")->valuestring;
        replay_master(name);
        replay_slave(name);
    }
    assert_true(n >= 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_all_scenarios)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
