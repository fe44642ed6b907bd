/* Internal to the V2 virtual camera: its state, shared by the protocol
 * engine (sim_v2.c) and the scripts and channels (sim_v2_script.c). */
#ifndef OMV_RPC_SIM_V2_INTERNAL_H
#define OMV_RPC_SIM_V2_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "omv_rpc/v2.h"
#include "sim_v2.h"

#define SV2_STDOUT_RING 1024u
#define SV2_STDIN_MAX 16384u
#define SV2_CUSTOM_MAX 4096u
#define SV2_PENDING 8u
#define SV2_MAX_LINES 64u
#define SV2_LINE_MAX 96u

typedef struct sv2_packet {
    omv_rpc_v2_header h;
    uint8_t payload[OMV_RPC_V2_MAX_PAYLOAD];
} sv2_packet;

typedef enum sv2_op { SV2_PRINT, SV2_SLEEP, SV2_REGISTER, SV2_LOOP, SV2_RPC } sv2_op;

typedef struct sv2_rpc sv2_rpc;

typedef struct sv2_line {
    sv2_op op;
    uint32_t ms;
    char text[SV2_LINE_MAX];
} sv2_line;

struct omv_rpc_sim_v2 {
    omv_rpc_sim *sim;
    omv_rpc_sim_v2_options opt;
    omv_rpc_link *link;
    atomic_bool stop;
    atomic_uint drop_acks;

    /* Protocol state (omv_protocol_init resets it). */
    uint8_t seq;
    int crc, seqchk, ack, events;
    uint16_t max_payload;
    uint32_t last_lock_ms;
    int have_lock;
    omv_rpc_v2_stats stats;
    sv2_packet pending[SV2_PENDING]; /* commands that came during an ACK wait */
    unsigned pending_count;
    sv2_packet in;
    uint8_t tx[OMV_RPC_V2_HEADER_SIZE + OMV_RPC_V2_MAX_PAYLOAD + 4];

    /* stdin: the script buffer and the running script. */
    uint8_t script[SV2_STDIN_MAX];
    size_t script_len;
    sv2_line lines[SV2_MAX_LINES];
    unsigned line_count, pc, loop_at;
    int running, has_loop;
    uint32_t resume_ms;

    /* stdout: a ring that keeps the tail. */
    uint8_t out[SV2_STDOUT_RING];
    size_t out_len;
    uint32_t last_notify_ms;

    /* stream: the 32-byte header and the image. */
    int stream_on, raw_on;
    uint32_t raw_w, raw_h;
    uint8_t *frame; /* header + data, or NULL when none is ready */
    size_t frame_len;
    int frame_taken; /* a lock/unlock cycle since the last frame */
    uint32_t last_frame_ms;
    float fps;
    uint32_t mem_peak; /* the frame pool's peak, for SYS_MEMORY */
    uint32_t epoch_ms; /* serving started: the protocol task's ticks count from here */

    int blocked; /* the script sits in an rpc slave's loop() until stopped */

    /* The script's custom loopback channel (the first free ID from 4). */
    char custom_name[15];
    int custom_on;
    uint8_t custom_id;

    /* The script's rpc channel (sim_v2_rpc.c), NULL when none. */
    sv2_rpc *rpc;
    char rpc_name[15];
    uint8_t rpc_id;
    uint8_t custom[SV2_CUSTOM_MAX];
    size_t custom_len;
};

uint32_t omvrpc_sv2_now(omv_rpc_sim_v2 *dev);
/* Packets out: data (fragmented, ACK_REQ, waits for each ACK), status
 * (ACK or NAK), events. */
void omvrpc_sv2_send_data(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd, const uint8_t *data,
                          size_t len, size_t chunk);
void omvrpc_sv2_send_status(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *cmd, uint16_t status);
void omvrpc_sv2_send_event(omv_rpc_sim_v2 *dev, uint8_t opcode, uint8_t channel, int event);
/* omv_protocol_init: sequence 0, default caps, channels unlocked. */
void omvrpc_sv2_protocol_init(omv_rpc_sim_v2 *dev);

/* Scripts and channels (sim_v2_script.c). */
void omvrpc_sv2_stdout_write(omv_rpc_sim_v2 *dev, const char *text, size_t len);
int omvrpc_sv2_script_exec(omv_rpc_sim_v2 *dev); /* 0: empty buffer */
void omvrpc_sv2_script_stop(omv_rpc_sim_v2 *dev);
void omvrpc_sv2_tick(omv_rpc_sim_v2 *dev); /* time passes: scripts, notify, frames */
void omvrpc_sv2_channel_command(omv_rpc_sim_v2 *dev, const sv2_packet *p);

/* The rpc channel (sim_v2_rpc.c): the V2 thread's side of the byte
 * streams of include/omv_rpc/v2_link.h, and the slave thread behind them. */
omv_rpc_status omvrpc_sv2_rpc_start(sv2_rpc **out);
void omvrpc_sv2_rpc_stop(sv2_rpc *r);     /* NULL: no-op */
uint32_t omvrpc_sv2_rpc_size(sv2_rpc *r); /* the camera's write position */
int omvrpc_sv2_rpc_poll(sv2_rpc *r);      /* bytes for the host */
/* Bytes from `offset` (dropping those before it) into out, at most max;
 * 0: none there (the camera answers FAILED). */
size_t omvrpc_sv2_rpc_read(sv2_rpc *r, uint32_t offset, uint8_t *out, size_t max);
/* 1: taken (or already had); 0: no room, or a gap (FAILED). */
int omvrpc_sv2_rpc_write(sv2_rpc *r, uint32_t offset, const uint8_t *data, size_t len);
void omvrpc_sv2_rpc_reset(sv2_rpc *r);
/* A channel command on the rpc channel, answered as the firmware answers a
 * script channel with size/read/write/ioctl/poll methods. */
void omvrpc_sv2_rpc_command(omv_rpc_sim_v2 *dev, const sv2_packet *p);

#endif
