/* omv-rpc-bench-v2: OpenMV Protocol V2 frame reads against the V2 virtual
 * camera, beside the raw throughput of the same link, in one run.
 *
 * The link is a pseudo-terminal pair (what `omv-rpc sim --v2` serves on):
 * first its raw throughput (one thread writes 8 MiB, the other reads
 * them), then, with the virtual camera serving on one end, the V2 host on
 * the other reads frames for a few seconds each: JPEG (QVGA, as the
 * camera streams by default) and raw grayscale (320x240, RAW_CFG +
 * RAW_CTRL), and rpc calls of jpeg_snapshot over the rpc channel
 * (include/omv_rpc/v2_link.h). Each line gives frames (or calls) per
 * second and MB/s of image data, and that rate as a share of the raw
 * link's. The virtual camera renders every frame (JPEG encoding included),
 * so the JPEG line measures that too.
 *
 *   omv-rpc-bench-v2 [--seconds S]      (default 3 per measurement)
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "omv_rpc/clock.h"
#include "omv_rpc/rpc.h"
#include "omv_rpc/serial.h"
#include "omv_rpc/sim.h"
#include "omv_rpc/v2.h"
#include "omv_rpc/v2_link.h"
#include "sim_v2.h"

#define RAW_BYTES (8u << 20)
#define FRAME_MAX (1u << 20)

typedef struct pty_pair {
    int controller, terminal;
    char path[128];
} pty_pair;

static int open_pty(pty_pair *p)
{
    const char *name;
    struct termios t;
    p->controller = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->controller < 0 || grantpt(p->controller) || unlockpt(p->controller) ||
        !(name = ptsname(p->controller))) {
        return -1;
    }
    snprintf(p->path, sizeof p->path, "%s", name);
    p->terminal = open(p->path, O_RDWR | O_NOCTTY);
    if (p->terminal < 0 || tcgetattr(p->terminal, &t)) {
        return -1;
    }
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    return tcsetattr(p->terminal, TCSANOW, &t);
}

/* ---- the raw link ---- */

static void *raw_writer(void *arg)
{
    omv_rpc_link *l = arg;
    uint8_t *buf = calloc(1, 65536);
    for (size_t done = 0; buf && done < RAW_BYTES; done += 65536) {
        if (omv_rpc_link_write(l, buf, 65536, 5000) != OMV_RPC_OK) {
            break;
        }
    }
    free(buf);
    return NULL;
}

static double raw_mbps(void)
{
    pty_pair p;
    omv_rpc_link dev, host;
    pthread_t t;
    uint8_t *buf = malloc(65536);
    uint32_t t0;
    size_t done = 0;
    double mbps = 0;
    if (!buf || open_pty(&p) || omv_rpc_serial_open_fd(&dev, p.controller, p.path, 0, NULL) ||
        omv_rpc_serial_open(&host, p.path, 0, NULL)) {
        free(buf);
        return 0;
    }
    t0 = omv_rpc_clock_ms(NULL);
    pthread_create(&t, NULL, raw_writer, &dev);
    while (done < RAW_BYTES && omv_rpc_link_read(&host, buf, 65536, 5000) == OMV_RPC_OK) {
        done += 65536;
    }
    mbps = (double)done / 1e6 / ((omv_rpc_clock_ms(NULL) - t0 + 1u) / 1000.0);
    pthread_join(t, NULL);
    omv_rpc_link_close(&host);
    omv_rpc_link_close(&dev);
    close(p.terminal);
    free(buf);
    return mbps;
}

/* ---- the V2 camera ---- */

typedef struct rig {
    pty_pair p;
    omv_rpc_sim *sim;
    omv_rpc_sim_v2 *dev;
    omv_rpc_link dev_link;
    omv_rpc_v2 *host;
    pthread_t thread;
} rig;

static void *serve(void *arg)
{
    rig *r = arg;
    (void)omv_rpc_sim_v2_serve(r->dev, &r->dev_link);
    return NULL;
}

static int rig_open(rig *r)
{
    memset(r, 0, sizeof *r);
    if (open_pty(&r->p) ||
        omv_rpc_serial_open_fd(&r->dev_link, r->p.controller, r->p.path, 0, NULL) ||
        omv_rpc_sim_new(&r->sim) || omv_rpc_sim_v2_new(&r->dev, r->sim, NULL)) {
        return -1;
    }
    pthread_create(&r->thread, NULL, serve, r);
    return omv_rpc_v2_open_serial(&r->host, r->p.path, 0, NULL) || omv_rpc_v2_connect(r->host);
}

static void rig_close(rig *r)
{
    omv_rpc_sim_v2_stop(r->dev);
    pthread_join(r->thread, NULL);
    omv_rpc_v2_free(r->host);
    omv_rpc_link_close(&r->dev_link);
    omv_rpc_sim_v2_free(r->dev);
    omv_rpc_sim_free(r->sim);
    close(r->p.terminal);
}

/* Frames for `ms`: *fps and MB/s of image data. */
static void frames(rig *r, uint32_t ms, double *fps, double *mbps)
{
    uint8_t *buf = malloc(FRAME_MAX);
    uint32_t t0 = omv_rpc_clock_ms(NULL), n = 0, spent;
    double bytes = 0;
    while (buf && omv_rpc_clock_ms(NULL) - t0 < ms) {
        omv_rpc_v2_frame f;
        omv_rpc_status st = omv_rpc_v2_stream_read(r->host, &f, buf, FRAME_MAX);
        if (st == OMV_RPC_OK) {
            n++;
            bytes += (double)f.data_len;
        } else if (st != OMV_RPC_ERR_NOT_READY) {
            break;
        }
    }
    spent = omv_rpc_clock_ms(NULL) - t0 + 1u;
    *fps = n / (spent / 1000.0);
    *mbps = bytes / 1e6 / (spent / 1000.0);
    free(buf);
}

static const char rpc_script[] = "interface = rpc_v2_channel_slave(\"rpc\")\n";

/* jpeg_snapshot calls over the rpc channel for `ms`. */
static void rpc_calls(rig *r, uint32_t ms, double *cps, double *mbps)
{
    omv_rpc_link link;
    omv_rpc_master *m = NULL;
    uint8_t id;
    uint32_t t0, n = 0, spent;
    double bytes = 0;
    *cps = *mbps = 0;
    if (omv_rpc_v2_script_exec(r->host, rpc_script, sizeof rpc_script - 1)) {
        return;
    }
    for (int i = 0; i < 100 && omv_rpc_v2_channel_find(r->host, "rpc", &id); i++) {
        (void)omv_rpc_v2_poll_events(r->host, 10);
    }
    if (omv_rpc_v2_link_open(&link, r->host, NULL) || omv_rpc_master_new(&m, &link, NULL)) {
        return;
    }
    t0 = omv_rpc_clock_ms(NULL);
    while (omv_rpc_clock_ms(NULL) - t0 < ms) {
        const uint8_t *res;
        size_t len;
        if (omv_rpc_master_call(m, "jpeg_snapshot", NULL, 0, &res, &len, 2000, 5000)) {
            break;
        }
        n++;
        bytes += (double)len;
    }
    spent = omv_rpc_clock_ms(NULL) - t0 + 1u;
    *cps = n / (spent / 1000.0);
    *mbps = bytes / 1e6 / (spent / 1000.0);
    omv_rpc_master_free(m);
    (void)omv_rpc_v2_script_stop(r->host);
}

int main(int argc, char **argv)
{
    uint32_t ms = 3000;
    double raw, fps, mbps;
    rig r;
    if (argc == 3 && !strcmp(argv[1], "--seconds")) {
        ms = (uint32_t)(atof(argv[2]) * 1000.0);
    } else if (argc != 1) {
        fprintf(stderr, "usage: omv-rpc-bench-v2 [--seconds S]\n");
        return 2;
    }
    raw = raw_mbps();
    printf("link (pseudo-terminal) raw:          %8.1f MB/s\n", raw);
    if (raw <= 0 || rig_open(&r)) {
        fprintf(stderr, "omv-rpc-bench-v2: cannot set up the link or the virtual camera\n");
        return 1;
    }
    omv_rpc_v2_stream_enable(r.host, 1);
    frames(&r, ms, &fps, &mbps);
    printf("V2 JPEG frames (QVGA):   %7.1f fps %8.2f MB/s  %5.1f%% of raw\n", fps, mbps,
           100.0 * mbps / raw);
    omv_rpc_v2_stream_raw(r.host, 1, 320, 240);
    frames(&r, ms, &fps, &mbps);
    printf("V2 raw frames (320x240): %7.1f fps %8.2f MB/s  %5.1f%% of raw\n", fps, mbps,
           100.0 * mbps / raw);
    omv_rpc_v2_stream_raw(r.host, 0, 0, 0);
    omv_rpc_v2_stream_enable(r.host, 0);
    rpc_calls(&r, ms, &fps, &mbps);
    printf("rpc jpeg_snapshot over the V2 channel: %5.1f calls/s %6.2f MB/s  %5.1f%% of raw\n", fps,
           mbps, 100.0 * mbps / raw);
    rig_close(&r);
    return 0;
}
