/* omv-rpc cam: a camera with current firmware, over OpenMV Protocol V2
 * (the protocol of OpenMV IDE on the USB port): information, scripts,
 * their output, channels and frames. One verb per call:
 *   omv-rpc cam [--port P|auto] [--baud N] [--timeout MS] VERB ...
 * Ctrl-C during `run` stops the script (KeyboardInterrupt on the camera). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omv_rpc/v2.h>

#include "cli.h"
#ifdef OMV_RPC_CLI_HAVE_VIEW
#include "cam_view.h"
#endif
#include "commands.h"
#include "exit_codes.h"

#define CAM_FRAME_MAX (8u << 20)

static volatile sig_atomic_t cam_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    cam_interrupted = 1;
}

typedef struct cam_events {
    unsigned reboots;
} cam_events;

static void on_event(void *user, uint8_t opcode, uint8_t channel, uint16_t event)
{
    cam_events *e = user;
    (void)channel;
    if (opcode == OMV_RPC_V2_SYS_EVENT && event == OMV_RPC_V2_EVENT_SOFT_REBOOT) {
        e->reboots++;
    }
}

static int fail(const char *what, omv_rpc_status st, omv_rpc_v2 *v2)
{
    if (st == OMV_RPC_ERR_NAK) {
        fprintf(stderr, "omv-rpc cam: %s: the camera refused it (%s)\n", what,
                omv_rpc_v2_device_status_name(omv_rpc_v2_last_device_status(v2)));
        return CLI_EXIT_BAD_RESULT;
    }
    fprintf(stderr, "omv-rpc cam: %s: %s\n", what, omv_rpc_status_message(st));
    return cli_exit_for_call(st);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) {
        fprintf(stderr, "omv-rpc cam: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "omv-rpc cam: cannot read %s\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int drain_stdout(omv_rpc_v2 *v2)
{
    uint8_t buf[1024];
    size_t got;
    omv_rpc_status st;
    do {
        st = omv_rpc_v2_stdout_read(v2, buf, sizeof buf, &got);
        if (st != OMV_RPC_OK) {
            return st == OMV_RPC_ERR_RESET ? OMV_RPC_OK : st;
        }
        fwrite(buf, 1, got, stdout);
    } while (got);
    fflush(stdout);
    return OMV_RPC_OK;
}

static int cam_info(omv_rpc_v2 *v2, int json)
{
    omv_rpc_v2_sys_info i;
    omv_rpc_v2_caps caps;
    omv_rpc_v2_channel ch[32];
    size_t n;
    omv_rpc_status st = omv_rpc_v2_get_sys_info(v2, &i);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_get_caps(v2, &caps);
    }
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_channel_list(v2, ch, 32, &n);
    }
    if (st != OMV_RPC_OK) {
        return fail("info", st, v2);
    }
    n = n < 32 ? n : 32;
    if (json) {
        printf("{\"firmware\": \"%u.%u.%u\", \"protocol\": \"%u.%u.%u\", \"bootloader\": "
               "\"%u.%u.%u\", "
               "\"cpu_id\": %u, \"device_id\": \"%08x%08x%08x\", \"sensor_chip_id\": %u, "
               "\"usb_vid\": %u, \"usb_pid\": %u, \"hw_caps\": %u, \"framebuffer_kb\": %u, "
               "\"stream_buffer_kb\": %u, \"max_payload\": %u, \"channels\": [",
               i.firmware_version[0], i.firmware_version[1], i.firmware_version[2],
               i.protocol_version[0], i.protocol_version[1], i.protocol_version[2],
               i.bootloader_version[0], i.bootloader_version[1], i.bootloader_version[2], i.cpu_id,
               i.dev_id[0], i.dev_id[1], i.dev_id[2], i.chip_id[0], i.usb_id >> 16,
               i.usb_id & 0xFFFFu, i.hw_caps[0], i.framebuffer_kb, i.stream_buffer_kb,
               caps.max_payload);
        for (size_t k = 0; k < n; k++) {
            printf("%s{\"id\": %u, \"flags\": %u, \"name\": \"%s\"}", k ? ", " : "", ch[k].id,
                   ch[k].flags, ch[k].name);
        }
        printf("]}\n");
    } else {
        printf("firmware    %u.%u.%u\nprotocol    %u.%u.%u\nbootloader  %u.%u.%u\n",
               i.firmware_version[0], i.firmware_version[1], i.firmware_version[2],
               i.protocol_version[0], i.protocol_version[1], i.protocol_version[2],
               i.bootloader_version[0], i.bootloader_version[1], i.bootloader_version[2]);
        printf("device id   %08x%08x%08x\nsensor      0x%x\nusb        %04x:%04x\n", i.dev_id[0],
               i.dev_id[1], i.dev_id[2], i.chip_id[0], i.usb_id >> 16, i.usb_id & 0xFFFFu);
        printf("framebuffer %u KB, stream buffer %u KB, max payload %u\nchannels   ",
               i.framebuffer_kb, i.stream_buffer_kb, caps.max_payload);
        for (size_t k = 0; k < n; k++) {
            printf(" %s(%u)", ch[k].name, ch[k].id);
        }
        printf("\n");
    }
    return CLI_EXIT_OK;
}

static int cam_run(omv_rpc_v2 *v2, cam_events *ev, const char *file, int wait_end)
{
    size_t len;
    char *script = read_file(file, &len);
    omv_rpc_status st;
    unsigned start = ev->reboots;
    int stopping = 0;
    if (!script) {
        return CLI_EXIT_FILE;
    }
    st = omv_rpc_v2_script_exec(v2, script, len);
    free(script);
    if (st != OMV_RPC_OK) {
        return fail("exec", st, v2);
    }
    if (!wait_end) {
        return CLI_EXIT_OK;
    }
    signal(SIGINT, on_sigint);
    /* Print the output until the script ends (its soft reboot). */
    while (ev->reboots == start) {
        if (cam_interrupted && !stopping) {
            stopping = 1;
            st = omv_rpc_v2_script_stop(v2);
            if (st != OMV_RPC_OK && st != OMV_RPC_ERR_RESET) {
                return fail("stop", st, v2);
            }
        }
        st = omv_rpc_v2_poll_events(v2, 50);
        if (st != OMV_RPC_OK && st != OMV_RPC_ERR_TIMEOUT) {
            return fail("run", st, v2);
        }
        if (ev->reboots == start && (st = drain_stdout(v2)) != OMV_RPC_OK) {
            return fail("stdout", st, v2);
        }
    }
    st = drain_stdout(v2);
    return st == OMV_RPC_OK ? CLI_EXIT_OK : fail("stdout", st, v2);
}

static int cam_frames(omv_rpc_v2 *v2, int argc, char **argv)
{
    uint32_t count = 1, done = 0, raw_w = 0, raw_h = 0;
    const char *out = NULL;
    uint8_t *buf;
    omv_rpc_status st;
    int rc = CLI_EXIT_OK, tries = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            count = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--raw") && i + 1 < argc) {
            char *x;
            raw_w = (uint32_t)strtoul(argv[++i], &x, 10);
            raw_h = *x == 'x' ? (uint32_t)strtoul(x + 1, &x, 10) : 0u;
            if (!raw_w || !raw_h || *x || raw_w > 4096 || raw_h > 4096) {
                fprintf(stderr, "omv-rpc cam frames: --raw takes WIDTHxHEIGHT, e.g. 160x120\n");
                return CLI_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "omv-rpc cam frames: unknown argument %s\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (!out || !count) {
        fprintf(stderr, "usage: omv-rpc cam frames [--count N] [--raw WxH] --out DIR|-\n");
        return CLI_EXIT_USAGE;
    }
    buf = malloc(CAM_FRAME_MAX);
    if (!buf) {
        return CLI_EXIT_FAILURE;
    }
    /* Raw frames: uncompressed, scaled to WxH by the camera (the settings
     * last until the script's end, so JPEG is asked back afterwards). */
    st = raw_w ? omv_rpc_v2_stream_raw(v2, 1, raw_w, raw_h) : OMV_RPC_OK;
    if (st == OMV_RPC_OK) {
        st = omv_rpc_v2_stream_enable(v2, 1);
    }
    signal(SIGINT, on_sigint);
    while (st == OMV_RPC_OK && done < count && !cam_interrupted) {
        omv_rpc_v2_frame f;
        st = omv_rpc_v2_stream_read(v2, &f, buf, CAM_FRAME_MAX);
        if (st == OMV_RPC_ERR_NOT_READY || st == OMV_RPC_ERR_RESET) {
            if (++tries > 400) {
                break; /* about 20 s without a frame */
            }
            st = omv_rpc_v2_poll_events(v2, 50);
            st = st == OMV_RPC_ERR_TIMEOUT ? OMV_RPC_OK : st;
            continue;
        }
        if (st != OMV_RPC_OK) {
            break;
        }
        tries = 0;
        if (!strcmp(out, "-")) {
            fwrite(buf, 1, f.data_len, stdout);
            fflush(stdout);
        } else {
            char path[4096];
            FILE *fp;
            int pgm =
                f.pixfmt == OMV_RPC_V2_PIXFMT_GRAY && f.data_len == (size_t)f.width * f.height;
            snprintf(path, sizeof path, "%s/frame_%05u.%s", out, done,
                     f.pixfmt == OMV_RPC_V2_PIXFMT_JPEG ? "jpg"
                     : pgm                              ? "pgm"
                                                        : "raw");
            fp = fopen(path, "wb");
            if (fp && pgm) {
                fprintf(fp, "P5\n%u %u\n255\n", f.width, f.height); /* a grayscale image file */
            }
            if (!fp || fwrite(buf, 1, f.data_len, fp) != f.data_len) {
                fprintf(stderr, "omv-rpc cam frames: cannot write %s\n", path);
                if (fp) {
                    fclose(fp);
                }
                rc = CLI_EXIT_FILE;
                break;
            }
            fclose(fp);
            fprintf(stderr, "%s: %ux%u, %zu bytes\n", path, f.width, f.height, f.data_len);
        }
        done++;
    }
    free(buf);
    if (raw_w) {
        (void)omv_rpc_v2_stream_raw(v2, 0, 0, 0);
    }
    if (rc == CLI_EXIT_OK && st != OMV_RPC_OK && st != OMV_RPC_ERR_NOT_READY) {
        rc = fail("frames", st, v2);
    } else if (rc == CLI_EXIT_OK && done < count && !cam_interrupted) {
        fprintf(stderr, "omv-rpc cam frames: no frame came\n");
        rc = CLI_EXIT_TIMEOUT;
    }
    return rc;
}

/* SYS_MEMORY: one line per pool. */
static int cam_memory(omv_rpc_v2 *v2)
{
    omv_rpc_v2_mem_pool pools[16];
    size_t n = 0;
    omv_rpc_status st = omv_rpc_v2_get_memory(v2, pools, 16, &n);
    if (st != OMV_RPC_OK) {
        return fail("memory", st, v2);
    }
    printf("%-8s %10s %10s %10s %10s %10s\n", "pool", "total", "used", "free", "persist", "peak");
    for (size_t i = 0; i < n && i < 16; i++) {
        char name[16];
        if (pools[i].type == OMV_RPC_V2_MEM_GC) {
            snprintf(name, sizeof name, "heap");
        } else {
            snprintf(name, sizeof name, "uma%zu", i - 1);
        }
        printf("%-8s %10u %10u %10u %10u %10u\n", name, pools[i].total, pools[i].used,
               pools[i].free, pools[i].persist, pools[i].peak);
    }
    return CLI_EXIT_OK;
}

static int cam_channel_io(omv_rpc_v2 *v2, const char *verb, const char *name, const char *data)
{
    uint8_t id;
    omv_rpc_status st = omv_rpc_v2_channel_find(v2, name, &id);
    if (st == OMV_RPC_ERR_NO_DEVICE) {
        fprintf(stderr,
                "omv-rpc cam: the camera has no channel named %s (see: omv-rpc cam channels)\n",
                name);
        return CLI_EXIT_BAD_RESULT;
    }
    if (st != OMV_RPC_OK) {
        return fail(verb, st, v2);
    }
    if (data) {
        st = omv_rpc_v2_channel_write(v2, id, 0, (const uint8_t *)data, strlen(data));
        return st == OMV_RPC_OK ? CLI_EXIT_OK : fail(verb, st, v2);
    } else {
        uint32_t size;
        uint8_t *buf;
        size_t got = 0;
        st = omv_rpc_v2_channel_size(v2, id, &size);
        if (st != OMV_RPC_OK) {
            return fail(verb, st, v2);
        }
        if (!size) {
            return CLI_EXIT_OK;
        }
        buf = malloc(size);
        if (!buf) {
            return CLI_EXIT_FAILURE;
        }
        st = omv_rpc_v2_channel_read(v2, id, 0, buf, size, &got);
        if (st == OMV_RPC_OK) {
            fwrite(buf, 1, got, stdout);
        }
        free(buf);
        return st == OMV_RPC_OK ? CLI_EXIT_OK : fail(verb, st, v2);
    }
}

static void usage(void)
{
    printf(
        "usage: omv-rpc cam [--port PORT|auto|udp:HOST[:PORT]] [--baud N] [--timeout MS] VERB ...\n"
        "  A camera with current firmware over OpenMV Protocol V2 (USB: 921600 baud, DTR;\n"
        "  udp:HOST: a camera script's network transport, port 5555 by default).\n"
        "  info [--json]      firmware, IDs, capabilities, channels\n"
        "  exec FILE          run a script, return at once\n"
        "  run FILE           run a script, print its output until it ends (Ctrl-C stops it)\n"
        "  stop               stop the running script\n"
        "  stdout             print what the script printed so far\n"
        "  channels           list the channels\n"
        "  read NAME          a channel's data to stdout\n"
        "  write NAME DATA    write DATA to a channel\n"
        "  frames [--count N] [--raw WxH] --out DIR|-\n"
        "                     frame buffer images (JPEG to - pipes into ffplay -f mjpeg -);\n"
        "                     --raw: uncompressed WxH frames (grayscale ones as .pgm)\n"
        "  stats              protocol statistics\n"
        "  memory             the camera's memory pools (heap and allocator), in bytes\n"
        "  view [--count N [--screenshot FILE.bmp]]\n"
        "                     the live frame buffer in a window (q, Esc or Ctrl-C ends)\n"
        "  reset | boot       reset the camera, or enter its bootloader\n");
}

int cmd_cam(int argc, char **argv)
{
    const char *port = "auto";
    uint32_t baud = 0;
    omv_rpc_v2_config cfg = {0};
    cam_events ev = {0};
    omv_rpc_v2 *v2 = NULL;
    omv_rpc_status st;
    const char *verb;
    int i, rc;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return CLI_EXIT_OK;
        }
        if (i + 1 >= argc) {
            break;
        }
        if (!strcmp(argv[i], "--port")) {
            port = argv[++i];
        } else if (!strcmp(argv[i], "--baud")) {
            baud = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--timeout")) {
            cfg.timeout_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            break;
        }
    }
    if (i >= argc || argv[i][0] == '-') {
        usage();
        return CLI_EXIT_USAGE;
    }
    verb = argv[i++];
    cfg.on_event = on_event;
    cfg.event_user_data = &ev;
    st = cli_open_v2(port, baud, &cfg, &v2);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "omv-rpc cam: cannot open %s: %s\n", port, omv_rpc_status_message(st));
        return cli_exit_for_open(st);
    }
    st = omv_rpc_v2_connect(v2);
    if (st != OMV_RPC_OK) {
        rc = fail("connect (is it a camera with Protocol V2 firmware?)", st, v2);
    } else if (!strcmp(verb, "info")) {
        rc = cam_info(v2, i < argc && !strcmp(argv[i], "--json"));
    } else if ((!strcmp(verb, "exec") || !strcmp(verb, "run")) && i < argc) {
        rc = cam_run(v2, &ev, argv[i], !strcmp(verb, "run"));
    } else if (!strcmp(verb, "stop")) {
        st = omv_rpc_v2_script_stop(v2);
        rc = st == OMV_RPC_OK || st == OMV_RPC_ERR_RESET ? CLI_EXIT_OK : fail("stop", st, v2);
    } else if (!strcmp(verb, "stdout")) {
        st = drain_stdout(v2);
        rc = st == OMV_RPC_OK ? CLI_EXIT_OK : fail("stdout", st, v2);
    } else if (!strcmp(verb, "channels")) {
        omv_rpc_v2_channel ch[32];
        size_t n;
        st = omv_rpc_v2_channel_list(v2, ch, 32, &n);
        for (size_t k = 0; st == OMV_RPC_OK && k < n && k < 32; k++) {
            printf("%2u  %-14s flags 0x%02x\n", ch[k].id, ch[k].name, ch[k].flags);
        }
        rc = st == OMV_RPC_OK ? CLI_EXIT_OK : fail("channels", st, v2);
    } else if (!strcmp(verb, "read") && i < argc) {
        rc = cam_channel_io(v2, "read", argv[i], NULL);
    } else if (!strcmp(verb, "write") && i + 1 < argc) {
        rc = cam_channel_io(v2, "write", argv[i], argv[i + 1]);
    } else if (!strcmp(verb, "frames")) {
        rc = cam_frames(v2, argc - i, argv + i);
    } else if (!strcmp(verb, "stats")) {
        omv_rpc_v2_stats s;
        st = omv_rpc_v2_get_stats(v2, &s);
        if (st == OMV_RPC_OK) {
            printf("sent %u\nreceived %u\nchecksum errors %u\nsequence errors %u\nretransmits %u\n"
                   "transport errors %u\nevents %u\n",
                   s.sent_packets, s.recv_packets, s.checksum_errors, s.sequence_errors,
                   s.retransmits, s.transport_errors, s.sent_events);
        }
        rc = st == OMV_RPC_OK ? CLI_EXIT_OK : fail("stats", st, v2);
    } else if (!strcmp(verb, "view")) {
#ifdef OMV_RPC_CLI_HAVE_VIEW
        signal(SIGINT, on_sigint);
        rc = cam_view(v2, argc - i, argv + i, &cam_interrupted);
#else
        fprintf(stderr, "omv-rpc cam view: this omv-rpc was built without SDL2 or libturbojpeg\n");
        rc = CLI_EXIT_USAGE;
#endif
    } else if (!strcmp(verb, "memory")) {
        rc = cam_memory(v2);
    } else if (!strcmp(verb, "reset") || !strcmp(verb, "boot")) {
        st = !strcmp(verb, "reset") ? omv_rpc_v2_reset(v2) : omv_rpc_v2_boot(v2);
        rc = st == OMV_RPC_OK ? CLI_EXIT_OK : fail(verb, st, v2);
    } else {
        usage();
        rc = CLI_EXIT_USAGE;
    }
    omv_rpc_v2_free(v2);
    return rc;
}
