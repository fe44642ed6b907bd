/* The core without malloc: master and slave placed in caller storage,
 * caller buffers for arguments, results and frames, and an allocator that
 * refuses everything to prove nothing is allocated. */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "test_support.h"

static void *refuse_alloc(void *user, size_t size)
{
    (void)size;
    (*(int *)user)++;
    return NULL;
}

static void refuse_free(void *user, void *ptr)
{
    (void)user;
    assert_null(ptr);
}

static void cb_echo_copy(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    /* reply_copy goes to the caller's tx buffer. */
    omv_rpc_slave_reply_copy(s, arg, len);
}

typedef struct frames {
    uint32_t sent, received;
    uint8_t frame[256];
} frames;

static int write_frame(void *user, const uint8_t **frame, size_t *len)
{
    frames *f = user;
    if (f->sent == 10) {
        return 1;
    }
    memset(f->frame, (int)f->sent, sizeof f->frame);
    f->sent++;
    *frame = f->frame;
    *len = sizeof f->frame;
    return 0;
}

static void start_writer(omv_rpc_slave *s, void *user)
{
    omv_rpc_slave_stream_writer(s, write_frame, user, 1000);
}

static void cb_stream(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, start_writer, user);
}

static int read_frame(void *user, const uint8_t *frame, size_t len)
{
    frames *f = user;
    assert_int_equal(len, 256);
    assert_int_equal(frame[0], f->received);
    assert_int_equal(frame[255], f->received);
    f->received++;
    return f->received == 10;
}

static void test_no_malloc(void **state)
{
    (void)state;
    int alloc_calls = 0;
    omv_rpc_allocator none = {refuse_alloc, refuse_free, &alloc_calls};
    static void *master_storage[OMV_RPC_MASTER_STORAGE_SIZE / sizeof(void *) + 1];
    static void *slave_storage[OMV_RPC_SLAVE_STORAGE_SIZE / sizeof(void *) + 1];
    static uint8_t master_rx[1024], slave_rx[1024], slave_tx[1024 + 4];
    assert_true(omv_rpc_master_storage_size() <= sizeof master_storage);
    assert_true(omv_rpc_slave_storage_size() <= sizeof slave_storage);

    omv_rpc_config mcfg = {0}, scfg = {0};
    mcfg.buffer = master_rx;
    mcfg.buffer_size = sizeof master_rx;
    mcfg.allocator = &none;
    scfg.buffer = slave_rx;
    scfg.buffer_size = sizeof slave_rx;
    scfg.tx_buffer = slave_tx;
    scfg.tx_buffer_size = sizeof slave_tx;
    scfg.allocator = &none;

    omv_rpc_link a, b;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    omv_rpc_master *m;
    omv_rpc_slave *s;
    assert_int_equal(omv_rpc_master_init(&m, master_storage, sizeof master_storage, &a, &mcfg),
                     OMV_RPC_OK);
    assert_int_equal(omv_rpc_slave_init(&s, slave_storage, sizeof slave_storage, &b, &scfg),
                     OMV_RPC_OK);
    frames f = {0, 0, {0}};
    omv_rpc_slave_register_callback(s, "echo", cb_echo_copy, NULL);
    omv_rpc_slave_register_callback(s, "stream", cb_stream, &f);
    ts_slave_thread t = {0};
    ts_slave_thread_start(&t, s);

    uint8_t arg[1024];
    ts_fill_random(arg, sizeof arg, 3);
    const uint8_t *res;
    size_t len;
    assert_int_equal(omv_rpc_master_call(m, "echo", arg, 1024, &res, &len, 1000, 1000), OMV_RPC_OK);
    assert_int_equal(len, 1024);
    assert_ptr_equal(res, master_rx); /* handed over in place, no copy */
    assert_memory_equal(res, arg, 1024);

    /* One byte more than the slave's buffer: refused, not allocated. */
    static uint8_t big[1025];
    assert_int_equal(omv_rpc_master_call(m, "echo", big, 1025, &res, &len, 100, 100),
                     OMV_RPC_ERR_SEND_TIMEOUT);

    assert_int_equal(omv_rpc_master_call(m, "stream", NULL, 0, NULL, NULL, 1000, 1000), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_stream_reader(m, read_frame, &f, 4, 1000), OMV_RPC_OK);
    assert_int_equal(f.received, 10);

    ts_slave_thread_stop(&t);
    omv_rpc_master_free(m);
    omv_rpc_slave_free(s);
    assert_int_equal(alloc_calls, 0);
}

static void test_init_errors(void **state)
{
    (void)state;
    omv_rpc_link a, b;
    void *small[2];
    omv_rpc_master *m = (omv_rpc_master *)1;
    assert_int_equal(omv_rpc_pair_open(&a, &b, 0), OMV_RPC_OK);
    /* Too little storage: refused, and the link is closed (owned). */
    assert_int_equal(omv_rpc_master_init(&m, small, sizeof small, &a, NULL),
                     OMV_RPC_ERR_INVALID_ARG);
    assert_null(m);
    /* The other end sees the close. */
    uint8_t byte;
    assert_int_equal(omv_rpc_link_read(&b, &byte, 1, 10), OMV_RPC_ERR_CLOSED);
    omv_rpc_link_close(&b);
    /* A link table missing a required function. */
    static const omv_rpc_link_ops empty_ops = {0};
    omv_rpc_link bad = {.ops = &empty_ops};
    omv_rpc_slave *s = NULL;
    assert_int_equal(omv_rpc_slave_new(&s, &bad, NULL), OMV_RPC_ERR_INVALID_ARG);
    assert_int_equal(omv_rpc_master_new(NULL, &bad, NULL), OMV_RPC_ERR_INVALID_ARG);
    omv_rpc_master_free(NULL);
    omv_rpc_slave_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_no_malloc),
                                       cmocka_unit_test(test_init_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
