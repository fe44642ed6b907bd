/* A scripted link for byte-exact replay of a transcript: it plays one
 * side's recorded bytes to the code under test and checks, byte for byte,
 * what that code sends back. Single-threaded: bytes the transcript has not
 * released yet are simply not there (get_bytes times out at once). */
#ifndef OMV_RPC_SCRIPT_LINK_H
#define OMV_RPC_SCRIPT_LINK_H

#include "test_support.h"
#include "vectors.h"

typedef struct script_turn {
    int from_peer; /* 1: bytes the scripted peer sends; 0: bytes we expect */
    uint8_t *bytes;
    size_t len;
} script_turn;

typedef struct script_link {
    script_turn turns[64];
    size_t turn_count;
    size_t turn;       /* current turn */
    size_t consumed;   /* of a peer turn: bytes handed out */
    uint8_t out[8192]; /* of an expected turn: bytes received so far */
    size_t out_len;
    int mismatch; /* the code under test sent something else */
    char mismatch_text[256];
    uint32_t clock;
} script_link;

/* Build turns from a transcript scenario; `peer_dir` is the direction the
 * scripted peer plays ("B>A" to test a master, "A>B" to test a slave).
 * Consecutive chunks in one direction are joined (chunk boundaries carry no
 * meaning). */
void script_load(script_link *s, const cJSON *scenario, const char *peer_dir);
void script_free(script_link *s);
omv_rpc_link script_as_link(script_link *s);
/* Everything played and every expected byte seen. */
int script_done(const script_link *s);

#endif
