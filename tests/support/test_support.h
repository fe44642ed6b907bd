/* Helpers shared by the tests: hex, threads, patterns (the reference
 * vectors: vectors.h). */
#ifndef OMV_RPC_TEST_SUPPORT_H
#define OMV_RPC_TEST_SUPPORT_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "omv_rpc/omv_rpc.h"

/* Decode a hex string; *out is malloc'd (free it). Returns the length. */
size_t ts_hex_decode(const char *hex, uint8_t **out);

/* Deterministic pseudo-random bytes (xorshift) from `seed`. */
void ts_fill_random(uint8_t *buf, size_t len, uint32_t seed);
uint32_t ts_rand(uint32_t *state);

/* Run fn(arg) on a new thread. */
typedef struct ts_thread {
    pthread_t id;
} ts_thread;
void ts_thread_start(ts_thread *t, void *(*fn)(void *), void *arg);
void ts_thread_join(ts_thread *t);

/* A slave serving on its own thread until ts_slave_thread_stop. */
typedef struct ts_slave_thread {
    ts_thread thread;
    omv_rpc_slave *slave;
    uint32_t recv_timeout_ms, send_timeout_ms;
    omv_rpc_status result;
} ts_slave_thread;
void ts_slave_thread_start(ts_slave_thread *t, omv_rpc_slave *slave);
omv_rpc_status ts_slave_thread_stop(ts_slave_thread *t);

/* Callbacks most tests register: echo (result = argument), pattern (<I n>
 * gives n bytes, byte i = (i*7+3)&0xFF), nothing (empty result). */
void ts_register_standard_callbacks(omv_rpc_slave *slave);
void ts_pattern(uint8_t *buf, size_t len);

/* One errno and the status a link's errno mapping must give for it;
 * ts_check_errno_map checks a table of them, naming a wrong one. */
typedef struct ts_errno_case {
    int err;
    omv_rpc_status status;
} ts_errno_case;
void ts_check_errno_map(omv_rpc_status (*map)(int err), const ts_errno_case *cases, size_t count);

/* A log hook that prints to stderr when OMV_RPC_TEST_LOG is set. */
void ts_log(void *user_data, omv_rpc_log_level level, const char *message);
/* The default configuration with its log going to ts_log. */
omv_rpc_config ts_logged_config(void);

#endif
