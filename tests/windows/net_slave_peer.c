/* A network slave for the Windows build's cross-process tests: under wine
 * it serves a master built for Linux (tests/windows/test_wine_net.sh),
 * since wine puts every loopback address of its own sockets on 127.0.0.1,
 * so a master and a slave in wine cannot both have the protocol's port.
 *   net_slave_peer PORT
 * Binds 127.0.0.1:PORT (exit 3 when it cannot), prints "ready" on stdout
 * and serves:
 *   echo          its argument back (a large one travels by TCP)
 *   frames        then a stream of 8 frames of 3000 bytes, frame i filled
 *                 with the byte i
 *   quit          an empty result, then the program ends (exit 0)
 * It ends by itself after 120 s (exit 1), so that no run leaves it behind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omv_rpc/clock.h>
#include <omv_rpc/net.h>
#include <omv_rpc/omv_rpc.h>

enum { FRAMES = 8, FRAME_LEN = 3000, LIFETIME_MS = 120000 };

typedef struct peer {
    uint8_t frame[FRAME_LEN];
    int sent;
    int quit;
} peer;

static void echo(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)user;
    omv_rpc_slave_reply_copy(s, arg, len);
}

static int next_frame(void *user, const uint8_t **frame, size_t *len)
{
    peer *p = user;
    if (p->sent == FRAMES) {
        return 1;
    }
    memset(p->frame, p->sent, sizeof p->frame);
    p->sent++;
    *frame = p->frame;
    *len = sizeof p->frame;
    return 0;
}

static void stream_frames(omv_rpc_slave *s, void *user)
{
    peer *p = user;
    p->sent = 0;
    omv_rpc_status st = omv_rpc_slave_stream_writer(s, next_frame, p, 1000);
    fprintf(stderr, "net_slave_peer: stream: %s after %d frames\n", omv_rpc_status_name(st),
            p->sent);
}

static void frames(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, stream_frames, user);
}

static void stop_now(omv_rpc_slave *s, void *user)
{
    ((peer *)user)->quit = 1;
    omv_rpc_slave_stop(s);
}

static void quit(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    (void)arg;
    (void)len;
    omv_rpc_slave_schedule_callback(s, stop_now, user); /* after the result went out */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: net_slave_peer PORT\n");
        return 2;
    }
    uint16_t port = (uint16_t)strtoul(argv[1], NULL, 10);
    omv_rpc_link link;
    omv_rpc_status st = omv_rpc_net_slave_open(&link, "127.0.0.1", port, NULL, 0, NULL);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "net_slave_peer: %s\n", omv_rpc_status_name(st));
        return 3;
    }
    omv_rpc_slave *s;
    if (omv_rpc_slave_new(&s, &link, NULL) != OMV_RPC_OK) {
        return 1;
    }
    static peer p;
    omv_rpc_slave_register_callback(s, "echo", echo, &p);
    omv_rpc_slave_register_callback(s, "frames", frames, &p);
    omv_rpc_slave_register_callback(s, "quit", quit, &p);
    printf("ready\n");
    fflush(stdout);
    uint32_t start = omv_rpc_clock_ms(NULL);
    while (!p.quit && omv_rpc_clock_ms(NULL) - start < LIFETIME_MS) {
        st = omv_rpc_slave_loop_once(s, 200, 1000);
        if (st == OMV_RPC_ERR_CLOSED || st == OMV_RPC_ERR_LINK) {
            fprintf(stderr, "net_slave_peer: %s\n", omv_rpc_status_name(st));
            break;
        }
    }
    omv_rpc_slave_free(s);
    return p.quit ? 0 : 1;
}
