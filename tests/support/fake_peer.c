#include "fake_peer.h"

#include <string.h>

void ts_fake_peer_start(ts_fake_peer *p, const omv_rpc_config *mcfg, void *(*play)(void *peer))
{
    omv_rpc_link a;
    memset(p, 0, sizeof *p);
    assert_int_equal(omv_rpc_pair_open(&a, &p->peer, 0), OMV_RPC_OK);
    assert_int_equal(omv_rpc_master_new(&p->master, &a, mcfg), OMV_RPC_OK);
    ts_thread_start(&p->thread, play, &p->peer);
}

void ts_fake_peer_join(ts_fake_peer *p)
{
    ts_thread_join(&p->thread);
}

void ts_fake_peer_close(ts_fake_peer *p)
{
    omv_rpc_master_free(p->master);
    p->master = NULL;
    omv_rpc_link_close(&p->peer);
}

size_t ts_packet(uint8_t *out, uint16_t magic, const void *payload, size_t len)
{
    out[0] = (uint8_t)magic;
    out[1] = (uint8_t)(magic >> 8);
    if (len) {
        memcpy(out + 2, payload, len);
    }
    uint16_t crc = omv_rpc_crc16(OMV_RPC_CRC16_INIT, out, len + 2);
    out[len + 2] = (uint8_t)crc;
    out[len + 3] = (uint8_t)(crc >> 8);
    return len + 4;
}

int ts_has_magic(const uint8_t *p, uint16_t magic)
{
    return p[0] == (uint8_t)magic && p[1] == (uint8_t)(magic >> 8);
}
