/* The V2 virtual camera's channels and scripts.
 *
 * There is no MicroPython here: a script is read line by line, and these
 * lines do something (everything else, e.g. imports, is skipped):
 *   print("text") / print('text')    the text and a newline go to stdout
 *   time.sleep_ms(N) / sleep(N)      the script waits N ms
 *   protocol.register("name") / register("name")
 *                                    a custom channel of that name (id 4):
 *                                    what is written to it reads back
 *   while True:                      the lines after it repeat until stop
 *   ... rpc_v2_channel_slave("name") ...
 *                                    (examples/camera/rpc_v2_channel.py) an
 *                                    rpc channel (default name "rpc") served
 *                                    by an rpc slave with the virtual
 *                                    camera's callbacks; the script then
 *                                    stays in the slave's loop until stopped
 * A script that ends, or is stopped (KeyboardInterrupt), soft-reboots the
 * camera as the firmware does: stdin "stopped" event, SOFT_REBOOT event,
 * protocol back to sequence 0 and default caps, custom channel gone. */
#include <stdlib.h>
#include <string.h>

#include "omv_rpc/v2_link.h"
#include "sim_v2_internal.h"

#define SV2_FIRST_DYNAMIC_ID 4u
#define SV2_NOTIFY_MS 50u
#define SV2_LOCK_INTERVAL_MS 10u

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void omvrpc_sv2_stdout_write(omv_rpc_sim_v2 *dev, const char *text, size_t len)
{
    int below_half = dev->out_len < SV2_STDOUT_RING / 2;
    if (len >= SV2_STDOUT_RING) {
        text += len - SV2_STDOUT_RING;
        len = SV2_STDOUT_RING;
    }
    if (dev->out_len + len > SV2_STDOUT_RING) {
        size_t drop = dev->out_len + len - SV2_STDOUT_RING; /* keep the tail */
        memmove(dev->out, dev->out + drop, dev->out_len - drop);
        dev->out_len -= drop;
    }
    memcpy(dev->out + dev->out_len, text, len);
    dev->out_len += len;
    if (below_half && dev->out_len >= SV2_STDOUT_RING / 2) {
        omvrpc_sv2_send_event(dev, OMV_RPC_V2_CHANNEL_EVENT, OMV_RPC_V2_CHAN_STDOUT, -1);
    }
}

/* The quoted argument of `name(...)` at the start of `s`, or NULL. */
static const char *quoted_arg(const char *s, const char *name, size_t *len)
{
    size_t n = strlen(name);
    const char *end;
    char q;
    if (strncmp(s, name, n) != 0 || s[n] != '(' || (s[n + 1] != '"' && s[n + 1] != '\'')) {
        return NULL;
    }
    q = s[n + 1];
    end = strchr(s + n + 2, q);
    if (!end) {
        return NULL;
    }
    *len = (size_t)(end - (s + n + 2));
    return s + n + 2;
}

static void parse(omv_rpc_sim_v2 *dev)
{
    size_t i = 0;
    dev->line_count = 0;
    dev->has_loop = 0;
    while (i < dev->script_len && dev->line_count < SV2_MAX_LINES) {
        char line[256];
        size_t n = 0, len;
        const char *s, *arg;
        sv2_line *l = &dev->lines[dev->line_count];
        while (i < dev->script_len && dev->script[i] != '\n') {
            if (n < sizeof line - 1) {
                line[n++] = (char)dev->script[i];
            }
            i++;
        }
        i++;
        line[n] = '\0';
        for (s = line; *s == ' ' || *s == '\t'; s++) {
        }
        memset(l, 0, sizeof *l);
        if ((arg = quoted_arg(s, "print", &len))) {
            l->op = SV2_PRINT;
            len = len < SV2_LINE_MAX - 2 ? len : SV2_LINE_MAX - 2;
            memcpy(l->text, arg, len);
            l->text[len] = '\n';
            l->ms = (uint32_t)len + 1u;
        } else if (!strncmp(s, "time.sleep_ms(", 14) || !strncmp(s, "sleep(", 6)) {
            l->op = SV2_SLEEP;
            l->ms = (uint32_t)strtoul(strchr(s, '(') + 1, NULL, 10);
        } else if ((arg = quoted_arg(s, "protocol.register", &len)) ||
                   (arg = quoted_arg(s, "register", &len))) {
            l->op = SV2_REGISTER;
            len = len < 14 ? len : 14;
            memcpy(l->text, arg, len);
        } else if ((arg = strstr(s, "rpc_v2_channel_slave(")) && *s != '#' &&
                   strncmp(s, "class ", 6) && strncmp(s, "def ", 4)) {
            const char *q = arg + 21, *end;
            l->op = SV2_RPC;
            strcpy(l->text, OMV_RPC_V2_LINK_DEFAULT_CHANNEL);
            q += strcspn(q, "\"')");
            if ((*q == '"' || *q == '\'') && (end = strchr(q + 1, *q)) && end > q + 1) {
                len = (size_t)(end - q - 1) < 13 ? (size_t)(end - q - 1) : 13;
                memcpy(l->text, q + 1, len);
                l->text[len] = '\0';
            }
        } else if (!strncmp(s, "while True:", 11)) {
            l->op = SV2_LOOP;
            dev->has_loop = 1;
            dev->loop_at = dev->line_count + 1u;
        } else {
            continue;
        }
        dev->line_count++;
    }
}

int omvrpc_sv2_script_exec(omv_rpc_sim_v2 *dev)
{
    if (!dev->script_len) {
        return 0;
    }
    parse(dev);
    dev->pc = 0;
    dev->running = 1;
    dev->blocked = 0;
    dev->resume_ms = omvrpc_sv2_now(dev);
    return 1;
}

/* The end of a script: the firmware's soft reboot. */
static void script_end(omv_rpc_sim_v2 *dev)
{
    dev->running = 0;
    dev->blocked = 0;
    dev->script_len = 0;
    dev->custom_on = 0;
    omvrpc_sv2_rpc_stop(dev->rpc); /* the script's slave ends with it */
    dev->rpc = NULL;
    dev->raw_on = 0; /* raw settings do not survive; the stream flag does */
    free(dev->frame);
    dev->frame = NULL;
    omvrpc_sv2_send_event(dev, OMV_RPC_V2_CHANNEL_EVENT, OMV_RPC_V2_CHAN_STDIN,
                          OMV_RPC_V2_EVENT_SCRIPT_STOPPED);
    omvrpc_sv2_send_event(dev, OMV_RPC_V2_SYS_EVENT, 0, OMV_RPC_V2_EVENT_SOFT_REBOOT);
    omvrpc_sv2_protocol_init(dev);
}

void omvrpc_sv2_script_stop(omv_rpc_sim_v2 *dev)
{
    if (dev->running) {
        static const char ki[] = "Traceback (most recent call last):\nKeyboardInterrupt: \n";
        omvrpc_sv2_stdout_write(dev, ki, sizeof ki - 1);
        script_end(dev);
    }
}

static void run_script(omv_rpc_sim_v2 *dev)
{
    unsigned steps = 0;
    while (dev->running && !dev->blocked && (int32_t)(omvrpc_sv2_now(dev) - dev->resume_ms) >= 0 &&
           steps++ < 64) {
        sv2_line *l;
        if (dev->pc >= dev->line_count) {
            if (dev->has_loop && dev->loop_at < dev->line_count) {
                dev->pc = dev->loop_at;
                continue;
            }
            if (!dev->has_loop) {
                script_end(dev);
                return;
            }
            dev->resume_ms = omvrpc_sv2_now(dev) + 10u; /* an empty loop body */
            return;
        }
        l = &dev->lines[dev->pc++];
        switch (l->op) {
        case SV2_PRINT:
            omvrpc_sv2_stdout_write(dev, l->text, l->ms);
            break;
        case SV2_SLEEP:
            dev->resume_ms = omvrpc_sv2_now(dev) + l->ms;
            break;
        case SV2_REGISTER:
            if (dev->custom_on) {
                break; /* one loopback channel */
            }
            memcpy(dev->custom_name, l->text, sizeof dev->custom_name);
            dev->custom_on = 1;
            dev->custom_id = dev->rpc && dev->rpc_id == SV2_FIRST_DYNAMIC_ID
                                 ? SV2_FIRST_DYNAMIC_ID + 1u
                                 : SV2_FIRST_DYNAMIC_ID;
            dev->custom_len = 0;
            omvrpc_sv2_send_event(dev, OMV_RPC_V2_SYS_EVENT, 0,
                                  OMV_RPC_V2_EVENT_CHANNEL_REGISTERED);
            break;
        case SV2_LOOP:
            break;
        case SV2_RPC:
            /* interface.loop() never returns: the script waits here. */
            dev->blocked = 1;
            if (!dev->rpc && omvrpc_sv2_rpc_start(&dev->rpc) == OMV_RPC_OK) {
                memcpy(dev->rpc_name, l->text, sizeof dev->rpc_name);
                dev->rpc_id = dev->custom_on && dev->custom_id == SV2_FIRST_DYNAMIC_ID
                                  ? SV2_FIRST_DYNAMIC_ID + 1u
                                  : SV2_FIRST_DYNAMIC_ID;
                omvrpc_sv2_send_event(dev, OMV_RPC_V2_SYS_EVENT, 0,
                                      OMV_RPC_V2_EVENT_CHANNEL_REGISTERED);
            } else if (!dev->rpc) {
                static const char err[] = "MemoryError: rpc channel\n";
                omvrpc_sv2_stdout_write(dev, err, sizeof err - 1);
                script_end(dev);
                return;
            }
            break;
        }
    }
}

static void new_frame(omv_rpc_sim_v2 *dev)
{
    uint8_t *data = NULL, *buf;
    size_t len = 0;
    uint32_t w, h, fmt, size, now = omvrpc_sv2_now(dev);
    int fw = 0, fh = 0;
    if (dev->raw_on) {
        w = dev->raw_w;
        h = dev->raw_h;
        len = (size_t)w * h;
        data = malloc(len);
        if (!data || omv_rpc_sim_snapshot(dev->sim, OMV_RPC_SIM_GRAYSCALE, (int)w, (int)h, data,
                                          NULL) != OMV_RPC_OK) {
            free(data);
            return;
        }
        fmt = OMV_RPC_V2_PIXFMT_GRAY;
        size = 1; /* bytes per pixel */
    } else {
        if (omv_rpc_sim_parse_framesize(dev->opt.framesize, strlen(dev->opt.framesize), &fw, &fh) !=
                OMV_RPC_OK ||
            omv_rpc_sim_render_jpeg(dev->sim, "RGB565", dev->opt.framesize, dev->opt.jpeg_quality,
                                    &data, &len) != OMV_RPC_OK) {
            return;
        }
        w = (uint32_t)fw;
        h = (uint32_t)fh;
        fmt = OMV_RPC_V2_PIXFMT_JPEG;
        size = (uint32_t)len;
    }
    buf = malloc(32 + len);
    if (buf) {
        uint32_t fps_bits;
        if (dev->last_frame_ms && now != dev->last_frame_ms) {
            dev->fps = 1000.0f / (float)(now - dev->last_frame_ms);
        }
        memcpy(&fps_bits, &dev->fps, 4);
        memset(buf, 0, 32);
        put32(buf, w);
        put32(buf + 4, h);
        put32(buf + 8, fmt);
        put32(buf + 12, size);
        put32(buf + 16, 32);
        put32(buf + 20, fps_bits);
        memcpy(buf + 32, data, len);
        free(dev->frame);
        dev->frame = buf;
        dev->frame_len = 32 + len;
        dev->frame_taken = 0;
        dev->last_frame_ms = now;
    }
    if (dev->raw_on) {
        free(data);
    } else {
        omv_rpc_sim_free_buffer(data);
    }
}

void omvrpc_sv2_tick(omv_rpc_sim_v2 *dev)
{
    uint32_t now;
    run_script(dev);
    now = omvrpc_sv2_now(dev);
    if (dev->out_len && now - dev->last_notify_ms >= SV2_NOTIFY_MS) {
        dev->last_notify_ms = now;
        omvrpc_sv2_send_event(dev, OMV_RPC_V2_CHANNEL_EVENT, OMV_RPC_V2_CHAN_STDOUT, -1);
    }
    /* The producer writes the next frame only after a lock/unlock cycle. */
    if (dev->stream_on && !dev->frame && !dev->have_lock) {
        new_frame(dev);
    }
}

static void channel_list(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *h)
{
    static const struct {
        uint8_t id, flags;
        const char *name;
    } fixed[] = {{0, 0x40, "usb"}, {1, 0x06, "stdin"}, {2, 0x01, "stdout"}, {3, 0x19, "stream"}};
    uint8_t r[6 * 16] = {0};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++, n++) {
        r[16 * n] = fixed[i].id;
        r[16 * n + 1] = fixed[i].flags;
        memcpy(r + 16 * n + 2, fixed[i].name, strlen(fixed[i].name));
    }
    if (dev->custom_on) {
        r[16 * n] = dev->custom_id;
        r[16 * n + 1] = 0x23;
        memcpy(r + 16 * n + 2, dev->custom_name, strnlen(dev->custom_name, 13));
        n++;
    }
    if (dev->rpc) {
        r[16 * n] = dev->rpc_id;
        r[16 * n + 1] = 0x23;
        memcpy(r + 16 * n + 2, dev->rpc_name, strnlen(dev->rpc_name, 13));
        n++;
    }
    omvrpc_sv2_send_data(dev, h, r, 16 * n, 0);
}

static int known(const omv_rpc_sim_v2 *dev, uint8_t id)
{
    return id <= OMV_RPC_V2_CHAN_STREAM || (id == dev->custom_id && dev->custom_on);
}

static void reply_u32(omv_rpc_sim_v2 *dev, const omv_rpc_v2_header *h, uint32_t v)
{
    uint8_t r[4];
    put32(r, v);
    omvrpc_sv2_send_data(dev, h, r, 4, 0);
}

static void do_read(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    uint32_t off, len;
    size_t chunk = dev->max_payload < 512u ? dev->max_payload : 512u;
    if (h->length < 8) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    off = get32(p->payload);
    len = get32(p->payload + 4);
    if (!len) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    if (h->channel == OMV_RPC_V2_CHAN_STREAM) {
        /* readp: the buffer itself, fragmented at max_payload. */
        if (!dev->frame || off > dev->frame_len || len > dev->frame_len - off) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
            return;
        }
        omvrpc_sv2_send_data(dev, h, dev->frame + off, len, 0);
    } else if (h->channel == OMV_RPC_V2_CHAN_STDOUT) {
        uint8_t tmp[SV2_STDOUT_RING];
        size_t n = len < dev->out_len ? len : dev->out_len;
        if (!n) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
            return;
        }
        memcpy(tmp, dev->out, n);
        memmove(dev->out, dev->out + n, dev->out_len - n);
        dev->out_len -= n;
        omvrpc_sv2_send_data(dev, h, tmp, n, chunk);
    } else if (h->channel == dev->custom_id && dev->custom_on) {
        size_t n;
        if (off >= dev->custom_len) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
            return;
        }
        n = dev->custom_len - off < len ? dev->custom_len - off : len;
        omvrpc_sv2_send_data(dev, h, dev->custom + off, n, chunk);
    } else {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
    }
}

static void do_write(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    uint32_t off, len;
    uint8_t *dst;
    size_t cap, *used;
    if (h->length < 8 || get32(p->payload + 4) != h->length - 8u) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    off = get32(p->payload);
    len = get32(p->payload + 4);
    if (h->channel == OMV_RPC_V2_CHAN_STDIN) {
        dst = dev->script;
        cap = SV2_STDIN_MAX;
        used = &dev->script_len;
        if (off == 0) {
            dev->script_len = 0; /* a write at 0 starts a new script */
        }
    } else if (h->channel == dev->custom_id && dev->custom_on) {
        dst = dev->custom;
        cap = SV2_CUSTOM_MAX;
        used = &dev->custom_len;
    } else {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
        return;
    }
    if (off > cap || len > cap - off || !len) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
        return;
    }
    memcpy(dst + off, p->payload + 8, len);
    if (off + len > *used) {
        *used = off + len;
    }
    omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
}

static void do_ioctl(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    uint32_t req;
    size_t args;
    if (h->length < 4) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    req = get32(p->payload);
    args = h->length - 4u;
    if (h->channel == OMV_RPC_V2_CHAN_STDIN && req >= 1 && req <= 3) {
        if (args) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        } else if (req == OMV_RPC_V2_IOCTL_STDIN_EXEC) {
            /* A script that runs keeps it; the new text is lost, as on
             * the camera. */
            if (dev->running || !dev->script_len) {
                omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
                return;
            }
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
            omvrpc_sv2_script_exec(dev);
            omvrpc_sv2_send_event(dev, OMV_RPC_V2_CHANNEL_EVENT, OMV_RPC_V2_CHAN_STDIN,
                                  OMV_RPC_V2_EVENT_SCRIPT_STARTED);
        } else if (req == OMV_RPC_V2_IOCTL_STDIN_STOP) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
            omvrpc_sv2_script_stop(dev);
        } else {
            dev->script_len = 0;
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        }
        return;
    }
    if (h->channel == OMV_RPC_V2_CHAN_STREAM && req <= 3) {
        size_t want = req == OMV_RPC_V2_IOCTL_STREAM_RAW_CFG ? 8u : 4u;
        uint32_t a;
        if (args != want) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
            return;
        }
        a = get32(p->payload + 4);
        if (req == OMV_RPC_V2_IOCTL_STREAM_CTRL) {
            dev->stream_on = !!a;
        } else if (req == OMV_RPC_V2_IOCTL_STREAM_RAW_CTRL) {
            dev->raw_on = a && dev->raw_w && dev->raw_h;
        } else if (req == OMV_RPC_V2_IOCTL_STREAM_RAW_CFG) {
            uint32_t hh = get32(p->payload + 8);
            if (!a || !hh || a > 1024 || hh > 1024) {
                omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
                return;
            }
            dev->raw_w = a;
            dev->raw_h = hh;
        }
        if (!dev->have_lock) {
            free(dev->frame); /* the next frame follows the new settings */
            dev->frame = NULL;
        }
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        return;
    }
    omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
}

void omvrpc_sv2_channel_command(omv_rpc_sim_v2 *dev, const sv2_packet *p)
{
    const omv_rpc_v2_header *h = &p->h;
    if (h->opcode == OMV_RPC_V2_CHANNEL_LIST) {
        channel_list(dev, h);
        return;
    }
    if (h->opcode == OMV_RPC_V2_CHANNEL_POLL) {
        uint32_t bits = (dev->out_len ? 1u << OMV_RPC_V2_CHAN_STDOUT : 0u) |
                        (dev->frame ? 1u << OMV_RPC_V2_CHAN_STREAM : 0u) |
                        (dev->custom_on && dev->custom_len ? 1u << dev->custom_id : 0u) |
                        (dev->rpc && omvrpc_sv2_rpc_poll(dev->rpc) ? 1u << dev->rpc_id : 0u);
        reply_u32(dev, h, bits);
        return;
    }
    if (dev->rpc && h->channel == dev->rpc_id) {
        omvrpc_sv2_rpc_command(dev, p);
        return;
    }
    if (!known(dev, h->channel) || h->channel == 0) {
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
        return;
    }
    switch (h->opcode) {
    case OMV_RPC_V2_CHANNEL_LOCK: {
        uint32_t now = omvrpc_sv2_now(dev);
        if (dev->last_lock_ms && now - dev->last_lock_ms < SV2_LOCK_INTERVAL_MS) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_BUSY);
        } else if (h->channel == OMV_RPC_V2_CHAN_STREAM && !dev->frame) {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_BUSY);
        } else {
            dev->last_lock_ms = now ? now : 1u;
            dev->have_lock = h->channel == OMV_RPC_V2_CHAN_STREAM;
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        }
        break;
    }
    case OMV_RPC_V2_CHANNEL_UNLOCK:
        if (h->channel == OMV_RPC_V2_CHAN_STREAM && dev->have_lock) {
            free(dev->frame); /* unlock clears the header: the frame is taken */
            dev->frame = NULL;
            dev->have_lock = 0;
        }
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_SUCCESS);
        break;
    case OMV_RPC_V2_CHANNEL_SIZE: {
        uint32_t v = 0;
        if (h->channel == OMV_RPC_V2_CHAN_STDIN) {
            v = (uint32_t)dev->script_len;
        } else if (h->channel == OMV_RPC_V2_CHAN_STDOUT) {
            v = (uint32_t)dev->out_len;
        } else if (h->channel == OMV_RPC_V2_CHAN_STREAM) {
            v = dev->frame ? (uint32_t)dev->frame_len : 0u;
        } else {
            v = (uint32_t)dev->custom_len;
        }
        reply_u32(dev, h, v);
        break;
    }
    case OMV_RPC_V2_CHANNEL_SHAPE:
        if (h->channel == OMV_RPC_V2_CHAN_STREAM && dev->frame) {
            uint8_t r[12];
            if (dev->raw_on) {
                put32(r, dev->raw_w);
                put32(r + 4, dev->raw_h);
                put32(r + 8, 1);
                omvrpc_sv2_send_data(dev, h, r, 12, 0);
            } else {
                reply_u32(dev, h, (uint32_t)dev->frame_len);
            }
        } else if (h->channel == OMV_RPC_V2_CHAN_STDOUT) {
            reply_u32(dev, h, (uint32_t)dev->out_len);
        } else {
            omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_FAILED);
        }
        break;
    case OMV_RPC_V2_CHANNEL_READ:
        do_read(dev, p);
        break;
    case OMV_RPC_V2_CHANNEL_WRITE:
        do_write(dev, p);
        break;
    case OMV_RPC_V2_CHANNEL_IOCTL:
        do_ioctl(dev, p);
        break;
    default:
        omvrpc_sv2_send_status(dev, h, OMV_RPC_V2_INVALID);
    }
}
