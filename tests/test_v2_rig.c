/* The V2 test rig (see test_v2_rig.h). */
#include <stdlib.h>
#include <string.h>

#include "flat_link.h"
#include "test_v2_rig.h"

typedef struct fault_link {
    omv_rpc_link inner;
    v2_faults f;
    int repeat; /* a duplicated byte still to deliver */
    uint8_t repeat_byte;
} fault_link;

static omv_rpc_status f_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    fault_link *l = ctx;
    size_t have = 0;
    while (have < len) {
        uint8_t b;
        omv_rpc_status st;
        long at;
        if (l->repeat) {
            l->repeat = 0;
            buf[have++] = l->repeat_byte;
            continue;
        }
        st = omv_rpc_link_read(&l->inner, &b, 1, timeout_ms);
        if (st != OMV_RPC_OK) {
            return st;
        }
        at = l->f.rx_count++;
        if (at == l->f.dup_at) {
            l->repeat = 1;
            l->repeat_byte = b;
        }
        if (l->f.drop_at >= 0 && at >= l->f.drop_at && at < l->f.drop_at + l->f.drop_n) {
            continue;
        }
        if (at == l->f.corrupt_at) {
            b ^= 0x5A;
        }
        buf[have++] = b;
    }
    return OMV_RPC_OK;
}

static omv_rpc_status f_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    fault_link *l = ctx;
    if (l->f.tx_corrupt_at >= l->f.tx_count && l->f.tx_corrupt_at < l->f.tx_count + (long)len) {
        uint8_t *copy = malloc(len);
        omv_rpc_status st;
        memcpy(copy, buf, len);
        copy[l->f.tx_corrupt_at - l->f.tx_count] ^= 0x5A;
        l->f.tx_count += (long)len;
        st = omv_rpc_link_write(&l->inner, copy, len, timeout_ms);
        free(copy);
        return st;
    }
    l->f.tx_count += (long)len;
    return omv_rpc_link_write(&l->inner, buf, len, timeout_ms);
}

static void f_flush(void *ctx)
{
    fault_link *l = ctx;
    l->inner.ops->flush(l->inner.ctx);
}

static uint32_t f_now(void *ctx)
{
    fault_link *l = ctx;
    return l->inner.ops->now_ms(l->inner.ctx);
}

static void f_close(void *ctx)
{
    fault_link *l = ctx;
    omv_rpc_link_close(&l->inner);
    free(l);
}

TS_FLAT_OPS(fault_ops, f_get, f_put)

static const omv_rpc_link_ops fault_ops = {.size = sizeof(omv_rpc_link_ops),
                                           .recv = fault_ops_recv,
                                           .send = fault_ops_send,
                                           .flush = f_flush,
                                           .now_ms = f_now,
                                           .close = f_close};

static void on_event(void *user, uint8_t opcode, uint8_t channel, uint16_t event)
{
    v2_rig *r = user;
    if (opcode == OMV_RPC_V2_SYS_EVENT && event == OMV_RPC_V2_EVENT_SOFT_REBOOT) {
        r->events[0]++;
    } else if (opcode == OMV_RPC_V2_CHANNEL_EVENT && channel == OMV_RPC_V2_CHAN_STDOUT) {
        r->events[1]++;
    } else {
        r->events[2]++;
    }
}

static void *serve(void *arg)
{
    v2_rig *r = arg;
    (void)omv_rpc_sim_v2_serve(r->dev, &r->dev_link);
    return NULL;
}

v2_rig *v2_rig_new(const omv_rpc_sim_v2_options *opt)
{
    v2_rig *r = calloc(1, sizeof *r);
    fault_link *fl = calloc(1, sizeof *fl);
    omv_rpc_link host_link;
    omv_rpc_v2_config cfg = {0};
    assert_non_null(r);
    assert_non_null(fl);
    assert_int_equal(omv_rpc_pair_open(&fl->inner, &r->dev_link, 0), OMV_RPC_OK);
    fl->f.corrupt_at = fl->f.drop_at = fl->f.dup_at = fl->f.tx_corrupt_at = -1;
    r->faults = &fl->f;
    host_link.ops = &fault_ops;
    host_link.ctx = fl;
    host_link.flags = OMV_RPC_LINK_BYTE_STREAM;
    assert_int_equal(omv_rpc_sim_new(&r->sim), OMV_RPC_OK);
    omv_rpc_sim_set_time(r->sim, 1234);
    assert_int_equal(omv_rpc_sim_v2_new(&r->dev, r->sim, opt), OMV_RPC_OK);
    cfg.on_event = on_event;
    cfg.event_user_data = r;
    cfg.timeout_ms = 4000;
    assert_int_equal(omv_rpc_v2_new(&r->host, &host_link, &cfg), OMV_RPC_OK);
    ts_thread_start(&r->thread, serve, r);
    assert_int_equal(omv_rpc_v2_connect(r->host), OMV_RPC_OK);
    return r;
}

void v2_rig_free(v2_rig *r)
{
    omv_rpc_sim_v2_stop(r->dev);
    if (!r->joined) {
        ts_thread_join(&r->thread);
    }
    omv_rpc_v2_free(r->host);
    omv_rpc_link_close(&r->dev_link);
    omv_rpc_sim_v2_free(r->dev);
    omv_rpc_sim_free(r->sim);
    free(r);
}
