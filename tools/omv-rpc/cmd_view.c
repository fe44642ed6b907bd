/* omv-rpc view: a live window of the camera's JPEG stream (the window
 * itself: view_window.h). Window close, q, Esc or Ctrl-C (in the window or
 * the terminal) end it cleanly; s saves the frame on screen as a JPEG (the
 * camera's own bytes). For scripts and tests: --count N stops after N
 * frames, --screenshot FILE.bmp saves the last one as drawn, --press KEYS
 * acts as if the keys were pressed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"
#include "image_options.h"
#include "view_window.h"

typedef struct view_opts {
    cli_argument arg;
    cli_image image;
    const char *name;
    uint32_t queue_depth;
    uint32_t count; /* 0: until closed */
    const char *screenshot;
    const char *out_dir; /* where s saves */
    const char *press;   /* keys to act on, one per frame */
} view_opts;

typedef struct viewer {
    const view_opts *o;
    view_window win;
    uint64_t frames;
    uint8_t *jpeg; /* the frame on screen, as the camera sent it */
    size_t jpeg_len, jpeg_cap;
    unsigned saves;
    int rc;
} viewer;

enum { OPT_QUEUE_DEPTH = 3500, OPT_COUNT, OPT_SCREENSHOT, OPT_NAME, OPT_OUT_DIR, OPT_PRESS };

static int view_option(void *ctx, int opt, const char *arg)
{
    view_opts *v = ctx;
    int r = cli_argument_option(&v->arg, opt, arg);
    if (r == 1) {
        r = cli_image_option(&v->image, opt, arg);
    }
    if (r != 1) {
        return r;
    }
    switch (opt) {
    case OPT_QUEUE_DEPTH:
        return cli_parse_u32(arg, 1, 255, "--queue-depth", &v->queue_depth);
    case OPT_COUNT:
        return cli_parse_u32(arg, 1, 0xFFFFFFFFu, "--count", &v->count);
    case OPT_OUT_DIR:
        v->out_dir = arg;
        return 0;
    case OPT_PRESS:
        v->press = arg;
        return 0;
    case OPT_SCREENSHOT:
        v->screenshot = arg;
        return 0;
    case OPT_NAME:
        v->name = arg;
        return 0;
    default:
        return -1;
    }
}

/* s: the frame on screen, as DIR/view-YYYYMMDD-HHMMSS-NN.jpg; named by
 * the time so that a save never replaces an earlier one. */
static void save_frame(viewer *v)
{
    if (v->jpeg_len == 0) {
        fprintf(stderr, "omv-rpc: no frame to save yet\n");
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32] = "now";
    if (localtime_r(&now, &tm) != NULL) {
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/view-%s-%02u.jpg", v->o->out_dir, stamp, v->saves++ % 100u);
    if (cli_write_file(path, v->jpeg, v->jpeg_len) == CLI_EXIT_OK) {
        fprintf(stderr, "omv-rpc: saved %s (%dx%d, %zu bytes)\n", path, v->win.width, v->win.height,
                v->jpeg_len);
    }
}

/* Handle window events; non-zero when the user asked to quit. */
static int user_quit(viewer *v)
{
    SDL_Event e;
    int quit = 0;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) {
            quit = 1;
        } else if (e.type == SDL_KEYDOWN) {
            SDL_Keycode key = e.key.keysym.sym;
            if (key == SDLK_q || key == SDLK_ESCAPE ||
                (key == SDLK_c && (e.key.keysym.mod & KMOD_CTRL) != 0)) {
                quit = 1;
            } else if (key == SDLK_s) {
                save_frame(v);
            }
        }
    }
    return quit || cli_interrupted;
}

/* --press: the next key, as if typed into the window. */
static void press_next_key(viewer *v)
{
    const char *keys = v->o->press;
    if (keys == NULL || v->frames == 0 || v->frames > strlen(keys)) {
        return;
    }
    char c = keys[v->frames - 1];
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    if (c == '\x03') { /* Ctrl-C */
        e.key.keysym.sym = SDLK_c;
        e.key.keysym.mod = KMOD_LCTRL;
    } else {
        e.key.keysym.sym = c == '\x1b' ? SDLK_ESCAPE : (SDL_Keycode)c;
    }
    SDL_PushEvent(&e);
}

/* Keep the frame's bytes for s. */
static int keep_jpeg(viewer *v, const uint8_t *frame, size_t len)
{
    if (len > v->jpeg_cap) {
        uint8_t *bigger = realloc(v->jpeg, len);
        if (bigger == NULL) {
            return -1;
        }
        v->jpeg = bigger;
        v->jpeg_cap = len;
    }
    memcpy(v->jpeg, frame, len);
    v->jpeg_len = len;
    return 0;
}

static int on_frame(void *user_data, const uint8_t *frame, size_t len)
{
    viewer *v = user_data;
    if (user_quit(v)) {
        return 1;
    }
    int drawn = view_window_draw(&v->win, frame, len);
    if (drawn == 1) {
        return 0; /* skipped */
    }
    if (drawn < 0 || keep_jpeg(v, frame, len) != 0) {
        if (drawn == 0) {
            fprintf(stderr, "omv-rpc: out of memory\n");
        }
        v->rc = CLI_EXIT_FAILURE;
        return 1;
    }
    v->frames++;
    int last = v->o->count != 0 && v->frames >= v->o->count;
    if (last && v->o->screenshot != NULL &&
        view_window_screenshot(&v->win, v->o->screenshot) != 0) {
        v->rc = CLI_EXIT_FILE; /* read back before presenting */
    }
    view_window_present(&v->win);
    press_next_key(v);
    /* Keys pressed while this frame was drawn act now, not a frame later
     * (the last frame's included). */
    return user_quit(v) || last;
}

static void view_help(void)
{
    printf("Usage: omv-rpc view [--framesize S] [--pixformat F] [argument] [--queue-depth N]\n"
           "Show the camera's jpeg_image_stream live in a window: s saves the frame on\n"
           "screen as a JPEG; q, Esc, Ctrl-C or closing the window ends it.\n\n" CLI_IMAGE_HELP
               CLI_ARGUMENT_HELP "                      (default: RGB565,QVGA)\n"
           "  --name NAME         the streaming function (default jpeg_image_stream)\n"
           "  --queue-depth N     frames in flight, 1..255 (default %d)\n"
           "  --out-dir DIR       where s saves view-DATE-TIME-NN.jpg (default .)\n"
           "  --count N           stop after N frames\n"
           "  --screenshot FILE   save the last frame drawn as a BMP (with --count)\n"
           "  --press KEYS        act as if KEYS were pressed, one per frame (e.g. s; the\n"
           "                      byte 0x03 is Ctrl-C, 0x1b Esc)\n\n",
           CLI_DEFAULT_QUEUE_DEPTH);
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_view(int argc, char **argv)
{
    static const struct option extra[] = {CLI_ARGUMENT_OPTIONS,
                                          CLI_IMAGE_OPTIONS,
                                          {"queue-depth", required_argument, NULL, OPT_QUEUE_DEPTH},
                                          {"count", required_argument, NULL, OPT_COUNT},
                                          {"screenshot", required_argument, NULL, OPT_SCREENSHOT},
                                          {"name", required_argument, NULL, OPT_NAME},
                                          {"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                          {"press", required_argument, NULL, OPT_PRESS},
                                          {NULL, 0, NULL, 0}};
    view_opts o;
    memset(&o, 0, sizeof(o));
    o.name = CLI_JPEG_STREAM_FUNCTION;
    o.queue_depth = CLI_DEFAULT_QUEUE_DEPTH;
    o.out_dir = ".";
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, view_option, &o, 0, &opts, &first);
    if (rc < 0) {
        view_help();
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc) {
        fprintf(stderr, "omv-rpc view: no arguments expected (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && o.screenshot != NULL && o.count == 0) {
        fprintf(stderr, "omv-rpc view: --screenshot needs --count N\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0) {
        /* view always shows JPEG frames: the image default applies
         * whatever --name says. */
        rc = cli_image_argument(&o.image, &o.arg, CLI_JPEG_STREAM_FUNCTION, "view");
    }
    if (rc != 0) {
        return rc;
    }
    cli_install_signals();
    viewer v;
    memset(&v, 0, sizeof(v));
    v.o = &o;
    /* The window first: with no display there is no point in calling. */
    rc = view_window_open(&v.win) != 0 ? CLI_EXIT_FAILURE : cli_argument_load(&o.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    if (rc == CLI_EXIT_OK) {
        v.win.fps_start_ms = cli_now_ms();
        omv_rpc_status st = cli_call(master, &opts, o.name, o.arg.bytes, o.arg.len, NULL, NULL);
        if (st == OMV_RPC_OK) {
            st = omv_rpc_master_stream_reader(master, on_frame, &v, o.queue_depth,
                                              OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS);
            if (st == OMV_RPC_ERR_ABORTED && cli_interrupted) {
                st = OMV_RPC_OK; /* Ctrl-C while the reader waited: a clean end */
            }
        }
        if (st != OMV_RPC_OK) {
            cli_report(o.name, st);
            rc = cli_exit_for_call(st);
        } else {
            rc = v.rc;
        }
        if (!opts.quiet) {
            fprintf(stderr, "omv-rpc: showed %llu frames\n", (unsigned long long)v.frames);
        }
    }
    view_window_close(&v.win);
    free(v.jpeg);
    cli_free_master(master);
    cli_argument_free(&o.arg);
    return rc;
}
