/* A link around another that can play a peer which announces a large
 * length and then goes silent: the header packet of one kind that it
 * sends gets its length rewritten (with a correct CRC), and every later
 * send is swallowed. It can also give a link that has no pace of its own
 * (the in-process pair) one, so that waits sized by wire time show. */
#ifndef OMV_RPC_LIAR_LINK_H
#define OMV_RPC_LIAR_LINK_H

#include "test_support.h"

typedef struct liar_opts {
    uint16_t magic;        /* the header to rewrite (0: none) */
    size_t len_offset;     /* where its 32-bit length sits in the payload */
    uint32_t announce;     /* the length it announces instead */
    uint32_t bytes_per_ms; /* pace when the inner link has none (0: none) */
} liar_opts;

/* Wrap `inner` (taken over) into *out; closing *out closes it. */
void liar_wrap(omv_rpc_link *out, const omv_rpc_link *inner, const liar_opts *opts);

/* Whether the rewritten header has gone out (and the peer is silent). */
int liar_lied(const omv_rpc_link *link);

#endif
