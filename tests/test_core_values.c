/* Every hash, CRC, packet and LFSR value in reference_values.json, as
 * OpenMV's own code computed them. */
#include <stdlib.h>
#include <string.h>

#include "flat_link.h"
#include "endpoint.h"
#include "test_support.h"
#include "vectors.h"

static void test_hashes(void **state)
{
    (void)state;
    cJSON *v = ts_load_vectors("reference_values.json");
    cJSON *hashes = cJSON_GetObjectItemCaseSensitive(v, "hash");
    int n = 0;
    for (cJSON *h = hashes->child; h; h = h->next, n++) {
        uint32_t want = (uint32_t)strtoul(h->valuestring, NULL, 16);
        assert_int_equal(omv_rpc_hash_str(h->string), want);
        assert_int_equal(omv_rpc_hash(h->string, strlen(h->string)), want);
    }
    assert_true(n >= 20);
    cJSON_Delete(v);
}

static void test_crcs(void **state)
{
    (void)state;
    cJSON *v = ts_load_vectors("reference_values.json");
    cJSON *crcs = cJSON_GetObjectItemCaseSensitive(v, "crc16_of_hex");
    int n = 0;
    for (cJSON *c = crcs->child; c; c = c->next, n++) {
        uint8_t *data;
        size_t len = ts_hex_decode(c->string, &data);
        uint16_t want = (uint16_t)strtoul(c->valuestring, NULL, 16);
        assert_int_equal(omv_rpc_crc16(OMV_RPC_CRC16_INIT, data, len), want);
        /* Fed in pieces of every split, the running CRC is the same. */
        for (size_t cut = 0; cut <= len; cut++) {
            uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, data, cut);
            assert_int_equal(omv_rpc_crc16(crc, data + cut, len - cut), want);
        }
        free(data);
    }
    assert_true(n >= 7);
    cJSON_Delete(v);
}

/* The table-driven CRC against the bitwise definition on random data. */
static void test_crc_matches_bitwise(void **state)
{
    (void)state;
    static uint8_t data[4099];
    ts_fill_random(data, sizeof data, 7);
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < sizeof data; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        }
    }
    assert_int_equal(omv_rpc_crc16(OMV_RPC_CRC16_INIT, data, sizeof data), crc);
}

static void test_lfsr(void **state)
{
    (void)state;
    cJSON *v = ts_load_vectors("reference_values.json");
    cJSON *seq = cJSON_GetObjectItemCaseSensitive(v, "stream_ack_lfsr_sequence");
    uint8_t x = 0xFF;
    int n = 0;
    for (cJSON *e = seq->child; e; e = e->next, n++) {
        assert_int_equal(x, (uint8_t)strtoul(e->valuestring, NULL, 16));
        x = omv_rpc_lfsr_next(x);
    }
    assert_true(n >= 12);
    cJSON_Delete(v);
}

/* A link that records what is sent. */
typedef struct capture {
    uint8_t bytes[256];
    size_t len;
} capture;

static omv_rpc_status cap_put(void *ctx, const uint8_t *buf, size_t len, uint32_t t)
{
    (void)t;
    capture *c = ctx;
    assert_true(c->len + len <= sizeof c->bytes);
    memcpy(c->bytes + c->len, buf, len);
    c->len += len;
    return OMV_RPC_OK;
}
static omv_rpc_status cap_get(void *ctx, uint8_t *buf, size_t len, uint32_t t)
{
    (void)ctx, (void)buf, (void)len, (void)t;
    return OMV_RPC_ERR_TIMEOUT;
}
static void cap_flush(void *ctx)
{
    (void)ctx;
}
static uint32_t cap_now(void *ctx)
{
    (void)ctx;
    return 0;
}
TS_FLAT_OPS(cap_ops, cap_get, cap_put)

static const omv_rpc_link_ops cap_ops = {.size = sizeof(omv_rpc_link_ops),
                                         .recv = cap_ops_recv,
                                         .send = cap_ops_send,
                                         .flush = cap_flush,
                                         .now_ms = cap_now};

static void expect_packet(const char *hex, uint16_t magic, const uint8_t *payload, size_t len)
{
    capture c = {{0}, 0};
    omv_rpc_link link = {.ops = &cap_ops, .ctx = &c};
    omv_rpc_endpoint ep;
    omvrpc_ep_init(&ep, &link, NULL);
    assert_int_equal(omvrpc_ep_send_packet(&ep, magic, payload, len, 10, 0), OMV_RPC_OK);
    uint8_t *want;
    size_t want_len = ts_hex_decode(hex, &want);
    assert_int_equal(c.len, want_len);
    assert_memory_equal(c.bytes, want, want_len);
    free(want);
    omvrpc_ep_release(&ep);
}

static void test_packets(void **state)
{
    (void)state;
    cJSON *v = ts_load_vectors("reference_values.json");
    cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "packets");
#define HEX(name) cJSON_GetObjectItemCaseSensitive(p, name)->valuestring
    uint8_t hdr[8];
    put_le32(hdr, omv_rpc_hash_str("echo"));
    put_le32(hdr + 4, 5);
    expect_packet(HEX("command_header echo len 5"), 0x1209, hdr, 8);
    expect_packet(HEX("command_header_ack"), 0x1209, NULL, 0);
    expect_packet(HEX("command_data b'hello'"), 0xABD1, (const uint8_t *)"hello", 5);
    expect_packet(HEX("command_data_ack"), 0xABD1, NULL, 0);
    expect_packet(HEX("result_header_request"), 0x9021, NULL, 0);
    put_le32(hdr, 5);
    expect_packet(HEX("result_header len 5"), 0x9021, hdr, 4);
    expect_packet(HEX("result_data_request"), 0x1DBA, NULL, 0);
    expect_packet(HEX("result_data b'hello'"), 0x1DBA, (const uint8_t *)"hello", 5);
    put_le32(hdr, 2);
    expect_packet(HEX("stream_setup queue_depth 2"), 0xEDF6, hdr, 4);
    put_le32(hdr, 16);
    expect_packet(HEX("stream_frame_header len 16"), 0x542E, hdr, 4);
#undef HEX
    cJSON_Delete(v);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(omv_rpc_status_name(OMV_RPC_OK), "OMV_RPC_OK");
    assert_string_equal(omv_rpc_status_name(OMV_RPC_ERR_SEND_TIMEOUT), "OMV_RPC_ERR_SEND_TIMEOUT");
    assert_string_equal(omv_rpc_status_name((omv_rpc_status)12345), "OMV_RPC_UNKNOWN");
    /* Every status from OK down to the last has a distinct name. */
    const char *seen[128];
    size_t n = 0;
    for (int s = 0; s >= -60; s--) {
        const char *name = omv_rpc_status_name((omv_rpc_status)s);
        if (strcmp(name, "OMV_RPC_UNKNOWN") == 0) {
            continue;
        }
        assert_true(strlen(omv_rpc_status_message((omv_rpc_status)s)) > 3);
        for (size_t i = 0; i < n; i++) {
            assert_string_not_equal(seen[i], name);
        }
        seen[n++] = name;
    }
    assert_true(n >= 26);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_crcs),
        cmocka_unit_test(test_crc_matches_bitwise),
        cmocka_unit_test(test_lfsr),
        cmocka_unit_test(test_packets),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
