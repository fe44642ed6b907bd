/* omv-rpc view: a live window of the camera's JPEG stream. Frames are
 * decoded with libturbojpeg, scaled to the (resizable) window keeping their
 * aspect, and the frame rate is shown in the title. Window close, q, Esc or
 * Ctrl-C (in the window or the terminal) end it cleanly; s saves the frame
 * on screen as a JPEG (the camera's own bytes). With no display it fails
 * (SDL would otherwise fall back to drawing off screen, unseen), unless
 * SDL_VIDEODRIVER asks for offscreen or dummy. For scripts and tests:
 * --count N stops after N frames, --screenshot FILE.bmp saves the last one
 * as drawn, --press KEYS acts as if the keys were pressed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL.h>
#include <turbojpeg.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"
#include "image_options.h"

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
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    tjhandle tj;
    uint8_t *rgb;
    int width, height; /* the current frame's size */
    uint64_t frames, fps_frames, fps_start_ms;
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
        fprintf(stderr, "omv-rpc: saved %s (%dx%d, %zu bytes)\n", path, v->width, v->height,
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

/* Make the texture and pixel buffer fit a new frame size. */
static int fit_frame(viewer *v, int width, int height)
{
    if (v->texture != NULL && width == v->width && height == v->height) {
        return 0;
    }
    SDL_DestroyTexture(v->texture);
    free(v->rgb);
    v->rgb = malloc((size_t)width * (size_t)height * 3u);
    v->texture = SDL_CreateTexture(v->renderer, SDL_PIXELFORMAT_RGB24,
                                   SDL_TEXTUREACCESS_STREAMING, width, height);
    if (v->rgb == NULL || v->texture == NULL) {
        fprintf(stderr, "omv-rpc: cannot make a %dx%d texture: %s\n", width, height,
                SDL_GetError());
        return -1;
    }
    v->width = width;
    v->height = height;
    return 0;
}

/* The largest rectangle of the frame's aspect that fits the window. */
static SDL_Rect letterbox(const viewer *v)
{
    int ww = 0, wh = 0;
    SDL_GetRendererOutputSize(v->renderer, &ww, &wh);
    SDL_Rect r = {0, 0, ww, wh};
    if ((long)ww * v->height > (long)wh * v->width) {
        r.w = (int)((long)wh * v->width / v->height);
        r.x = (ww - r.w) / 2;
    } else {
        r.h = (int)((long)ww * v->height / v->width);
        r.y = (wh - r.h) / 2;
    }
    return r;
}

static int save_screenshot(viewer *v)
{
    int ww = 0, wh = 0;
    SDL_GetRendererOutputSize(v->renderer, &ww, &wh);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, ww, wh, 24, SDL_PIXELFORMAT_RGB24);
    int ok = s != NULL &&
             SDL_RenderReadPixels(v->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) == 0 &&
             SDL_SaveBMP(s, v->o->screenshot) == 0;
    if (!ok) {
        fprintf(stderr, "omv-rpc: cannot save %s: %s\n", v->o->screenshot, SDL_GetError());
    }
    SDL_FreeSurface(s);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FILE;
}

static void show_fps(viewer *v)
{
    uint64_t now = cli_now_ms();
    v->fps_frames++;
    if (now - v->fps_start_ms >= 500) {
        char title[128];
        snprintf(title, sizeof(title), "omv-rpc view - %dx%d - %.1f fps", v->width, v->height,
                 (double)v->fps_frames * 1000.0 / (double)(now - v->fps_start_ms));
        SDL_SetWindowTitle(v->window, title);
        v->fps_frames = 0;
        v->fps_start_ms = now;
    }
}

static int on_frame(void *user_data, const uint8_t *frame, size_t len)
{
    viewer *v = user_data;
    if (user_quit(v)) {
        return 1;
    }
    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(v->tj, frame, (unsigned long)len, &w, &h, &subsamp, &colorspace) != 0 ||
        w <= 0 || h <= 0) {
        fprintf(stderr, "omv-rpc: skipped a frame that is not a JPEG (%zu bytes)\n", len);
        return 0;
    }
    if (fit_frame(v, w, h) != 0) {
        v->rc = CLI_EXIT_FAILURE;
        return 1;
    }
    if (tjDecompress2(v->tj, frame, (unsigned long)len, v->rgb, w, w * 3, h, TJPF_RGB, 0) != 0 &&
        tjGetErrorCode(v->tj) == TJERR_FATAL) {
        fprintf(stderr, "omv-rpc: skipped a bad JPEG frame: %s\n", tjGetErrorStr2(v->tj));
        return 0;
    }
    if (keep_jpeg(v, frame, len) != 0) {
        fprintf(stderr, "omv-rpc: out of memory\n");
        v->rc = CLI_EXIT_FAILURE;
        return 1;
    }
    SDL_UpdateTexture(v->texture, NULL, v->rgb, w * 3);
    SDL_SetRenderDrawColor(v->renderer, 0, 0, 0, 255);
    SDL_RenderClear(v->renderer);
    SDL_Rect dst = letterbox(v);
    SDL_RenderCopy(v->renderer, v->texture, NULL, &dst);
    v->frames++;
    int last = v->o->count != 0 && v->frames >= v->o->count;
    if (last && v->o->screenshot != NULL) {
        v->rc = save_screenshot(v); /* read back before presenting */
    }
    SDL_RenderPresent(v->renderer);
    show_fps(v);
    press_next_key(v);
    /* Keys pressed while this frame was drawn act now, not a frame later
     * (the last frame's included). */
    return user_quit(v) || last;
}

static int open_window(viewer *v)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* keep our Ctrl-C handler */
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "omv-rpc view: no display (%s); run it on a desktop, or set DISPLAY "
                        "or WAYLAND_DISPLAY\n", SDL_GetError());
        return -1;
    }
    /* With no display SDL falls back to drawing in memory, where nobody
     * sees the frames; that is only wanted when asked for by name. */
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (driver != NULL && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        (asked == NULL || strcmp(asked, driver) != 0)) {
        fprintf(stderr, "omv-rpc view: no display (SDL found none and fell back to its %s "
                        "driver); run it on a desktop, or set DISPLAY or WAYLAND_DISPLAY "
                        "(SDL_VIDEODRIVER=%s draws unseen, for tests)\n", driver, driver);
        return -1;
    }
    v->window = SDL_CreateWindow("omv-rpc view", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                 640, 480, SDL_WINDOW_RESIZABLE);
    if (v->window != NULL) {
        v->renderer = SDL_CreateRenderer(v->window, -1, 0);
        if (v->renderer == NULL) {
            v->renderer = SDL_CreateRenderer(v->window, -1, SDL_RENDERER_SOFTWARE);
        }
    }
    if (v->window == NULL || v->renderer == NULL) {
        fprintf(stderr, "omv-rpc: cannot open a window: %s\n", SDL_GetError());
        return -1;
    }
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    v->tj = tjInitDecompress();
    if (v->tj == NULL) {
        fprintf(stderr, "omv-rpc: cannot start the JPEG decoder\n");
        return -1;
    }
    return 0;
}

static void close_window(viewer *v)
{
    if (v->tj != NULL) {
        tjDestroy(v->tj);
    }
    free(v->rgb);
    free(v->jpeg);
    SDL_DestroyTexture(v->texture);
    SDL_DestroyRenderer(v->renderer);
    SDL_DestroyWindow(v->window);
    SDL_Quit();
}

static void view_help(void)
{
    printf("Usage: omv-rpc view [--framesize S] [--pixformat F] [argument] [--queue-depth N]\n"
           "Show the camera's jpeg_image_stream live in a window: s saves the frame on\n"
           "screen as a JPEG; q, Esc, Ctrl-C or closing the window ends it.\n\n"
           CLI_IMAGE_HELP CLI_ARGUMENT_HELP
           "                      (default: RGB565,QVGA)\n"
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
    rc = open_window(&v) != 0 ? CLI_EXIT_FAILURE : cli_argument_load(&o.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    if (rc == CLI_EXIT_OK) {
        v.fps_start_ms = cli_now_ms();
        omv_rpc_status st = cli_call(master, &opts, o.name, o.arg.bytes, o.arg.len, NULL, NULL);
        if (st == OMV_RPC_OK) {
            st = omv_rpc_master_stream_reader(master, on_frame, &v, o.queue_depth,
                                              OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS);
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
    close_window(&v);
    omv_rpc_master_free(master);
    cli_argument_free(&o.arg);
    return rc;
}
