#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ts_hex_decode(const char *hex, uint8_t **out)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        buf[i] = (uint8_t)v;
    }
    *out = buf;
    return n;
}

uint32_t ts_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

void ts_fill_random(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t state = seed * 2654435761u + 1u;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(ts_rand(&state) >> 24);
    }
}

void ts_thread_start(ts_thread *t, void *(*fn)(void *), void *arg)
{
    assert_int_equal(pthread_create(&t->id, NULL, fn, arg), 0);
}

void ts_thread_join(ts_thread *t)
{
    pthread_join(t->id, NULL);
}

static void *slave_main(void *arg)
{
    ts_slave_thread *t = arg;
    t->result = omv_rpc_slave_loop(t->slave, t->recv_timeout_ms, t->send_timeout_ms);
    return NULL;
}

void ts_slave_thread_start(ts_slave_thread *t, omv_rpc_slave *slave)
{
    t->slave = slave;
    if (!t->recv_timeout_ms) {
        t->recv_timeout_ms = 50;
    }
    if (!t->send_timeout_ms) {
        t->send_timeout_ms = 1000;
    }
    ts_thread_start(&t->thread, slave_main, t);
}

omv_rpc_status ts_slave_thread_stop(ts_slave_thread *t)
{
    omv_rpc_slave_stop(t->slave);
    ts_thread_join(&t->thread);
    return t->result;
}

void ts_pattern(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 7 + 3);
    }
}

static void cb_echo(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    omv_rpc_slave_reply(s, arg, len);
}

static void cb_nothing(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)s;
    (void)arg;
    (void)len;
    (void)user;
}

static void cb_pattern(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    if (len != 4) {
        return;
    }
    uint32_t n = (uint32_t)arg[0] | ((uint32_t)arg[1] << 8) | ((uint32_t)arg[2] << 16) |
                 ((uint32_t)arg[3] << 24);
    uint8_t *out = omv_rpc_slave_reply_buffer(s, n);
    if (out) {
        ts_pattern(out, n);
    }
}

void ts_register_standard_callbacks(omv_rpc_slave *slave)
{
    assert_int_equal(omv_rpc_slave_register_callback(slave, "echo", cb_echo, NULL), OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_register_callback(slave, "nothing", cb_nothing, NULL),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_register_callback(slave, "pattern", cb_pattern, NULL),
                     OMV_RPC_OK);
}

void ts_check_errno_map(omv_rpc_status (*map)(int err), const ts_errno_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        omv_rpc_status got = map(cases[i].err);
        if (got != cases[i].status) {
            fail_msg("errno %d maps to status %d, not %d", cases[i].err, (int)got,
                     (int)cases[i].status);
        }
    }
}

void ts_log(void *user_data, omv_rpc_log_level level, const char *message)
{
    (void)user_data;
    if (getenv("OMV_RPC_TEST_LOG")) {
        fprintf(stderr, "[%d] %s\n", (int)level, message);
    }
}

omv_rpc_config ts_logged_config(void)
{
    omv_rpc_config config;
    memset(&config, 0, sizeof config);
    config.log.fn = ts_log;
    return config;
}
