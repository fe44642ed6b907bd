/*
 * omvrpc: a host for OpenMV Protocol V2, the protocol that current OpenMV
 * firmware speaks on its USB port (the one of OpenMV IDE): run scripts,
 * read their output, read the frame buffer, read system information and
 * use the channels a camera script registers.
 *
 * The host follows the firmware's behaviour where it differs from the
 * published spec (docs/protocol-v2.md lists the differences): data replies
 * carry ACK_REQ and are ACKed packet by packet, fragment by fragment; one
 * sequence counter per side, learnt from every packet the device sends;
 * the device restarts at sequence 0 with default capabilities at every
 * soft reboot (script end), and the host resynchronises on that event and
 * on any NAK SEQUENCE. Every wait is bounded by the configured timeout.
 *
 * Ownership: a handle owns its link (closed by omv_rpc_v2_free, or at once
 * when creation fails). Thread-safety: one thread at a time per handle;
 * distinct handles are independent. No global state.
 */
#ifndef OMV_RPC_V2_H
#define OMV_RPC_V2_H

#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Wire format (all little-endian) ---- */
#define OMV_RPC_V2_HEADER_SIZE 10u
#define OMV_RPC_V2_MAX_PAYLOAD 4082u /* the device's 4096-byte buffer less header and CRC */
#define OMV_RPC_V2_MIN_PAYLOAD 50u
#define OMV_RPC_V2_USB_BAUD 921600u /* the "magic" rate that activates the USB transport */

/* Packet flags. */
#define OMV_RPC_V2_FLAG_ACK 0x01u
#define OMV_RPC_V2_FLAG_NAK 0x02u
#define OMV_RPC_V2_FLAG_RTX 0x04u
#define OMV_RPC_V2_FLAG_ACK_REQ 0x08u
#define OMV_RPC_V2_FLAG_FRAGMENT 0x10u
#define OMV_RPC_V2_FLAG_EVENT 0x20u

/* Opcodes. */
typedef enum omv_rpc_v2_opcode {
    OMV_RPC_V2_PROTO_SYNC = 0x00,
    OMV_RPC_V2_PROTO_GET_CAPS = 0x01,
    OMV_RPC_V2_PROTO_SET_CAPS = 0x02,
    OMV_RPC_V2_PROTO_STATS = 0x03,
    OMV_RPC_V2_PROTO_VERSION = 0x04,
    OMV_RPC_V2_SYS_RESET = 0x10,
    OMV_RPC_V2_SYS_BOOT = 0x11,
    OMV_RPC_V2_SYS_INFO = 0x12,
    OMV_RPC_V2_SYS_EVENT = 0x13,
    OMV_RPC_V2_SYS_MEMORY = 0x14,
    OMV_RPC_V2_CHANNEL_LIST = 0x20,
    OMV_RPC_V2_CHANNEL_POLL = 0x21,
    OMV_RPC_V2_CHANNEL_LOCK = 0x22,
    OMV_RPC_V2_CHANNEL_UNLOCK = 0x23,
    OMV_RPC_V2_CHANNEL_SHAPE = 0x24,
    OMV_RPC_V2_CHANNEL_SIZE = 0x25,
    OMV_RPC_V2_CHANNEL_READ = 0x26,
    OMV_RPC_V2_CHANNEL_WRITE = 0x27,
    OMV_RPC_V2_CHANNEL_IOCTL = 0x28,
    OMV_RPC_V2_CHANNEL_EVENT = 0x29
} omv_rpc_v2_opcode;

/* The device's status codes (payload of a NAK). */
typedef enum omv_rpc_v2_device_status {
    OMV_RPC_V2_SUCCESS = 0,
    OMV_RPC_V2_FAILED = 1,
    OMV_RPC_V2_INVALID = 2,
    OMV_RPC_V2_TIMEOUT = 3,
    OMV_RPC_V2_BUSY = 4,
    OMV_RPC_V2_CHECKSUM = 5,
    OMV_RPC_V2_SEQUENCE = 6,
    OMV_RPC_V2_OVERFLOW = 7,
    OMV_RPC_V2_FRAGMENT = 8,
    OMV_RPC_V2_UNKNOWN = 9
} omv_rpc_v2_device_status;

/* Static channel IDs, ioctls and events. */
#define OMV_RPC_V2_CHAN_TRANSPORT 0u
#define OMV_RPC_V2_CHAN_STDIN 1u
#define OMV_RPC_V2_CHAN_STDOUT 2u
#define OMV_RPC_V2_CHAN_STREAM 3u
#define OMV_RPC_V2_CHAN_PROFILE 4u
#define OMV_RPC_V2_IOCTL_STDIN_STOP 1u
#define OMV_RPC_V2_IOCTL_STDIN_EXEC 2u
#define OMV_RPC_V2_IOCTL_STDIN_RESET 3u
#define OMV_RPC_V2_IOCTL_STREAM_CTRL 0u
#define OMV_RPC_V2_IOCTL_STREAM_RAW_CTRL 1u
#define OMV_RPC_V2_IOCTL_STREAM_RAW_CFG 2u
#define OMV_RPC_V2_IOCTL_STREAM_SOURCE 3u
#define OMV_RPC_V2_EVENT_CHANNEL_REGISTERED 0u /* SYS_EVENT */
#define OMV_RPC_V2_EVENT_CHANNEL_UNREGISTERED 1u
#define OMV_RPC_V2_EVENT_SOFT_REBOOT 2u
#define OMV_RPC_V2_EVENT_SCRIPT_STOPPED 0u /* CHANNEL_EVENT on stdin */
#define OMV_RPC_V2_EVENT_SCRIPT_STARTED 1u
#define OMV_RPC_V2_EVENT_NONE 0xFFFFu /* an event without payload (stdout NOTIFY) */

/* Stream pixel formats. */
#define OMV_RPC_V2_PIXFMT_GRAY 0x08020001u
#define OMV_RPC_V2_PIXFMT_RGB565 0x0C030002u
#define OMV_RPC_V2_PIXFMT_JPEG 0x06060000u

/* The two CRCs of the protocol: MSB-first, no reflection, no final XOR.
 * CRC-16 (poly 0xF94F, init 0xFFFF) covers header bytes 0..7; CRC-32
 * (poly 0xFA567D89, init 0xFFFFFFFF) covers the payload. `crc` is the
 * running value: pass OMV_RPC_V2_CRC16_INIT / _CRC32_INIT for a new one.
 * Pure functions: thread-safe. */
#define OMV_RPC_V2_CRC16_INIT 0xFFFFu
#define OMV_RPC_V2_CRC32_INIT 0xFFFFFFFFu
OMV_RPC_API uint16_t omv_rpc_v2_crc16(uint16_t crc, const uint8_t *data, size_t len);
OMV_RPC_API uint32_t omv_rpc_v2_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* A packet header. */
typedef struct omv_rpc_v2_header {
    uint8_t seq, channel, flags, opcode;
    uint16_t length; /* payload bytes; 0: no payload and no CRC-32 */
} omv_rpc_v2_header;

/* Write the 10 header bytes; `with_crc` 0 writes crc16 = 0 (CRC disabled
 * by caps). Pure. */
OMV_RPC_API void omv_rpc_v2_encode_header(const omv_rpc_v2_header *h, int with_crc,
                                          uint8_t out[OMV_RPC_V2_HEADER_SIZE]);
/* Parse 10 header bytes: OMV_RPC_ERR_BAD_PACKET for a wrong sync word, or
 * (when `check_crc`) a wrong CRC-16. Pure. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_decode_header(const uint8_t in[OMV_RPC_V2_HEADER_SIZE],
                                                    int check_crc, omv_rpc_v2_header *h);

/* ---- The host ---- */
typedef struct omv_rpc_v2 omv_rpc_v2;

/* An asynchronous event: SYS_EVENT (channel 0) or CHANNEL_EVENT (that
 * channel); `event` is the u16 payload, OMV_RPC_V2_EVENT_NONE without one. */
typedef void (*omv_rpc_v2_event_fn)(void *user_data, uint8_t opcode, uint8_t channel,
                                    uint16_t event);

typedef struct omv_rpc_v2_config {
    /* Bound on one command, from sending it to its last reply packet, in
     * ms of silence (each packet received starts it again); 0: 3000. The
     * device may hold a reply for its own retransmission rules (500 ms,
     * doubled, 3 retries): keep it above 1000. */
    uint32_t timeout_ms;
    /* Largest payload asked of the device by omv_rpc_v2_connect (0: 4082;
     * 50..4082), and the host's own bound on what it sends from the start
     * and after every sync or soft reboot (a camera script's transport may
     * default to less than 4082: 1400 on UDP). */
    uint16_t max_payload;
    omv_rpc_log log;              /* {NULL, NULL}: silent */
    omv_rpc_v2_event_fn on_event; /* NULL: events are counted only */
    void *event_user_data;
} omv_rpc_v2_config;

/* Create a host on `link` (taken over, see above). `config` may be NULL.
 * Sends nothing: call omv_rpc_v2_connect. Errors: OMV_RPC_ERR_INVALID_ARG,
 * OMV_RPC_ERR_NO_MEMORY. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_new(omv_rpc_v2 **out, omv_rpc_link *link,
                                          const omv_rpc_v2_config *config);

/* Open a serial port and create a host on it. `baudrate` 0 means USB: the
 * camera's magic 921600 with DTR raised (the OS raises DTR when it opens a
 * port; on Windows the serial link sets it). "auto" finds the one OpenMV
 * Cam by its USB IDs. Errors: as omv_rpc_serial_open, and omv_rpc_v2_new. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_open_serial(omv_rpc_v2 **out, const char *port,
                                                  uint32_t baudrate,
                                                  const omv_rpc_v2_config *config);

/* Protocol V2 over UDP, as the firmware's network transport example
 * (scripts/examples/12-Protocol/network_transport.py) carries it: each
 * packet one datagram to the camera's port (0: 5555). The camera's script
 * sets the max payload (1400 there, so that a packet fits one datagram);
 * a config without one uses OMV_RPC_V2_UDP_MAX_PAYLOAD. Errors:
 * OMV_RPC_ERR_HOST_NOT_FOUND, OMV_RPC_ERR_UNSUPPORTED (no POSIX sockets),
 * those of the socket, and omv_rpc_v2_new. */
#define OMV_RPC_V2_UDP_DEFAULT_PORT 5555u
#define OMV_RPC_V2_UDP_MAX_PAYLOAD 1400u
OMV_RPC_API omv_rpc_status omv_rpc_v2_open_udp(omv_rpc_v2 **out, const char *host, uint16_t port,
                                               const omv_rpc_v2_config *config);
/* The datagram link itself: to `host`:`port`, or with `host` NULL bound to
 * `port` on all addresses, answering whoever sent the last datagram (a
 * device's side: the V2 virtual camera's). The link is not a byte stream:
 * each put_bytes is one datagram. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_udp_link_open(omv_rpc_link *out, const char *host,
                                                    uint16_t port);

/* Free the handle and close its link. NULL is a no-op. */
OMV_RPC_API void omv_rpc_v2_free(omv_rpc_v2 *v2);

/* PROTO_SYNC (both sides to sequence 0, default caps, channels unlocked),
 * then the caps the config asks for. Call once after creation, and again
 * when a command keeps failing with OMV_RPC_ERR_NAK after 3 NAK SEQUENCE
 * answers in a row (the host does not sync by itself: a SYNC also unlocks
 * the device's channels). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_connect(omv_rpc_v2 *v2);
OMV_RPC_API omv_rpc_status omv_rpc_v2_sync(omv_rpc_v2 *v2);

/* The device status of the last NAK received (OMV_RPC_V2_SUCCESS if the
 * last command succeeded). A NAK maps to: BUSY -> OMV_RPC_ERR_BUSY,
 * OVERFLOW -> OMV_RPC_ERR_TOO_LARGE, TIMEOUT -> OMV_RPC_ERR_TIMEOUT, any
 * other -> OMV_RPC_ERR_NAK. A command interrupted by a soft reboot fails
 * with OMV_RPC_ERR_RESET (the host is already resynchronised: retry). */
OMV_RPC_API omv_rpc_v2_device_status omv_rpc_v2_last_device_status(const omv_rpc_v2 *v2);
OMV_RPC_API const char *omv_rpc_v2_device_status_name(omv_rpc_v2_device_status status);

/* How many soft reboots, events and resynchronisations the host saw. */
typedef struct omv_rpc_v2_counters {
    uint32_t events, soft_reboots, resyncs, retransmits_seen, bad_packets;
} omv_rpc_v2_counters;
OMV_RPC_API void omv_rpc_v2_counters_get(const omv_rpc_v2 *v2, omv_rpc_v2_counters *out);

/* Wait up to `timeout_ms` for one packet from the device and handle it
 * (an event goes to the callback; data nobody asked for is ACKed and
 * dropped). OMV_RPC_ERR_TIMEOUT when nothing came. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_poll_events(omv_rpc_v2 *v2, uint32_t timeout_ms);

/* Capabilities. */
#define OMV_RPC_V2_CAP_CRC 0x1u
#define OMV_RPC_V2_CAP_SEQ 0x2u
#define OMV_RPC_V2_CAP_ACK 0x4u
#define OMV_RPC_V2_CAP_EVENTS 0x8u
typedef struct omv_rpc_v2_caps {
    uint32_t flags; /* OMV_RPC_V2_CAP_* */
    uint16_t max_payload;
} omv_rpc_v2_caps;
OMV_RPC_API omv_rpc_status omv_rpc_v2_get_caps(omv_rpc_v2 *v2, omv_rpc_v2_caps *caps);
/* OMV_RPC_ERR_INVALID_ARG (no command sent) for max_payload outside
 * 50..4082 or without CRC (this host always checks CRCs). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_set_caps(omv_rpc_v2 *v2, const omv_rpc_v2_caps *caps);

typedef struct omv_rpc_v2_stats {
    uint32_t sent_packets, recv_packets, checksum_errors, sequence_errors, retransmits,
        transport_errors, sent_events, reserved;
} omv_rpc_v2_stats;
OMV_RPC_API omv_rpc_status omv_rpc_v2_get_stats(omv_rpc_v2 *v2, omv_rpc_v2_stats *stats);

typedef struct omv_rpc_v2_sys_info {
    uint32_t cpu_id, dev_id[3], chip_id[3], usb_id; /* usb_id: VID << 16 | PID */
    uint32_t hw_caps[2];
    uint32_t flash_kb, ram_kb, framebuffer_kb, stream_buffer_kb;
    uint8_t firmware_version[3], protocol_version[3], bootloader_version[3];
} omv_rpc_v2_sys_info;
/* SYS_INFO (the firmware's 76 bytes: cpu_id, dev_id[3], usb_id, chip_id[3],
 * 2 reserved, hw_caps[2], the four sizes, 3 reserved), then PROTO_VERSION
 * for the version fields (left 0 when the camera refuses PROTO_VERSION). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_get_sys_info(omv_rpc_v2 *v2, omv_rpc_v2_sys_info *info);

/* PROTO_VERSION: the firmware's, protocol's and bootloader's versions
 * (major, minor, patch). Any pointer may be NULL. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_get_version(omv_rpc_v2 *v2, uint8_t firmware[3],
                                                  uint8_t protocol[3], uint8_t bootloader[3]);

/* SYS_MEMORY: the camera's memory pools; the first is MicroPython's heap
 * (OMV_RPC_V2_MEM_GC, persist and peak 0), the others its unified memory
 * allocator's pools (OMV_RPC_V2_MEM_UMA). */
#define OMV_RPC_V2_MEM_GC 0u
#define OMV_RPC_V2_MEM_UMA 1u
typedef struct omv_rpc_v2_mem_pool {
    uint8_t type;                              /* OMV_RPC_V2_MEM_* */
    uint16_t flags;                            /* the pool's flags, as the firmware has them */
    uint32_t total, used, free, persist, peak; /* bytes */
} omv_rpc_v2_mem_pool;
/* Up to `max` pools into `out`; *count gets how many the camera sent (may
 * exceed max: only max were stored). OMV_RPC_ERR_BAD_PACKET for a reply
 * shorter than its count says. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_get_memory(omv_rpc_v2 *v2, omv_rpc_v2_mem_pool *out,
                                                 size_t max, size_t *count);

/* SYS_RESET / SYS_BOOT: sent, no reply expected (the camera goes away). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_reset(omv_rpc_v2 *v2);
OMV_RPC_API omv_rpc_status omv_rpc_v2_boot(omv_rpc_v2 *v2);

/* Channels. */
typedef struct omv_rpc_v2_channel {
    uint8_t id, flags;
    char name[15]; /* NUL-terminated */
} omv_rpc_v2_channel;
/* Up to `max` entries into `out`; *count gets the number the device has
 * (may exceed max: only max were stored). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_list(omv_rpc_v2 *v2, omv_rpc_v2_channel *out,
                                                   size_t max, size_t *count);
/* The ID of the channel named `name`; OMV_RPC_ERR_NO_DEVICE if none. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_find(omv_rpc_v2 *v2, const char *name, uint8_t *id);
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_poll(omv_rpc_v2 *v2, uint32_t *bitmap);
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_lock(omv_rpc_v2 *v2, uint8_t id);
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_unlock(omv_rpc_v2 *v2, uint8_t id);
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_size(omv_rpc_v2 *v2, uint8_t id, uint32_t *size);
/* Up to 4 dimensions into dims; *count gets how many the device sent. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_shape(omv_rpc_v2 *v2, uint8_t id, uint32_t dims[4],
                                                    size_t *count);
/* CHANNEL_READ of `len` bytes (1..) at `offset` into `buf`: the device's
 * fragments reassembled; *got (may be NULL) gets the bytes received. Each
 * fragment's payload is read from the link straight into `buf` (no copy
 * through the handle's buffer), so `buf` may be the caller's final place
 * for the data, e.g. memory a Python memoryview shows. On a failure `buf`
 * may hold partial or damaged bytes past *got. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_read(omv_rpc_v2 *v2, uint8_t id, uint32_t offset,
                                                   uint8_t *buf, size_t len, size_t *got);
/* CHANNEL_WRITE, split into writes of max_payload - 8 bytes. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_write(omv_rpc_v2 *v2, uint8_t id, uint32_t offset,
                                                    const uint8_t *data, size_t len);
/* CHANNEL_IOCTL: u32 request then `arg_len` bytes of arguments. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_channel_ioctl(omv_rpc_v2 *v2, uint8_t id, uint32_t request,
                                                    const uint8_t *arg, size_t arg_len);

/* Scripts: write `script` to stdin (reset first) and EXEC it. Stop with
 * omv_rpc_v2_script_stop (KeyboardInterrupt on the camera). */
OMV_RPC_API omv_rpc_status omv_rpc_v2_script_exec(omv_rpc_v2 *v2, const char *script, size_t len);
OMV_RPC_API omv_rpc_status omv_rpc_v2_script_stop(omv_rpc_v2 *v2);
OMV_RPC_API omv_rpc_status omv_rpc_v2_stdin_reset(omv_rpc_v2 *v2);
/* Read what stdout holds now (up to `cap` bytes) into buf; *got may be 0. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_stdout_read(omv_rpc_v2 *v2, uint8_t *buf, size_t cap,
                                                  size_t *got);

/* The stream channel. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_stream_enable(omv_rpc_v2 *v2, int enable);
/* Raw (uncompressed) frames of w x h, or JPEG again with enable 0. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_stream_raw(omv_rpc_v2 *v2, int enable, uint32_t width,
                                                 uint32_t height);
/* The decoded 32-byte frame header. */
typedef struct omv_rpc_v2_frame {
    uint32_t width, height, pixfmt;
    uint32_t size;   /* JPEG: byte count; raw: bytes per pixel ("depth" in openmv-python) */
    uint32_t offset; /* where the data starts in the buffer (32) */
    float fps;
    size_t data_len; /* bytes of image data read */
} omv_rpc_v2_frame;
/* Decode a 32-byte frame header. OMV_RPC_ERR_BAD_PACKET when its offset is
 * below 32. Pure. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_frame_decode(const uint8_t *hdr32, omv_rpc_v2_frame *frame);
/* One frame: SIZE; LOCK (OMV_RPC_ERR_NOT_READY when no frame is ready or
 * the device says BUSY); READ of header and data into `buf` (the image data
 * read straight into buf[0..] as omv_rpc_v2_channel_read does, header
 * decoded into *frame); UNLOCK (always, once
 * locked). OMV_RPC_ERR_BUFFER_TOO_SMALL (still unlocked) when the image
 * does not fit `cap`. */
OMV_RPC_API omv_rpc_status omv_rpc_v2_stream_read(omv_rpc_v2 *v2, omv_rpc_v2_frame *frame,
                                                  uint8_t *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
