/* omv-rpc view: a live window of the camera's JPEG stream. Frames are
 * decoded with libturbojpeg, scaled to the (resizable) window keeping their
 * aspect, and the frame rate is shown in the title. Window close, q, Esc or
 * Ctrl-C end it cleanly. For tests: --frames N stops after N frames and
 * --screenshot FILE.bmp saves the last one as drawn (works under
 * SDL_VIDEODRIVER=offscreen or dummy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <turbojpeg.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"

typedef struct view_opts {
    cli_argument arg;
    const char *name;
    uint32_t queue_depth;
    uint32_t frames; /* 0: until closed */
    const char *screenshot;
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
    int rc;
} viewer;

enum { OPT_QUEUE_DEPTH = 3500, OPT_FRAMES, OPT_SCREENSHOT, OPT_NAME };

static int view_option(void *ctx, int opt, const char *arg)
{
    view_opts *v = ctx;
    int r = cli_argument_option(&v->arg, opt, arg);
    if (r != 1) {
        return r;
    }
    switch (opt) {
    case OPT_QUEUE_DEPTH:
        return cli_parse_u32(arg, 1, 255, "--queue-depth", &v->queue_depth);
    case OPT_FRAMES:
        return cli_parse_u32(arg, 1, 0xFFFFFFFFu, "--frames", &v->frames);
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

/* Handle window events; non-zero when the user asked to quit. */
static int user_quit(void)
{
    SDL_Event e;
    int quit = 0;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) {
            quit = 1;
        } else if (e.type == SDL_KEYDOWN &&
                   (e.key.keysym.sym == SDLK_q || e.key.keysym.sym == SDLK_ESCAPE)) {
            quit = 1;
        }
    }
    return quit || cli_interrupted;
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
    if (user_quit()) {
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
    SDL_UpdateTexture(v->texture, NULL, v->rgb, w * 3);
    SDL_SetRenderDrawColor(v->renderer, 0, 0, 0, 255);
    SDL_RenderClear(v->renderer);
    SDL_Rect dst = letterbox(v);
    SDL_RenderCopy(v->renderer, v->texture, NULL, &dst);
    v->frames++;
    int last = v->o->frames != 0 && v->frames >= v->o->frames;
    if (last && v->o->screenshot != NULL) {
        v->rc = save_screenshot(v); /* read back before presenting */
    }
    SDL_RenderPresent(v->renderer);
    show_fps(v);
    return last;
}

static int open_window(viewer *v)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* keep our Ctrl-C handler */
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "omv-rpc: cannot start SDL video: %s\n", SDL_GetError());
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
    SDL_DestroyTexture(v->texture);
    SDL_DestroyRenderer(v->renderer);
    SDL_DestroyWindow(v->window);
    SDL_Quit();
}

static void view_help(void)
{
    printf("Usage: omv-rpc view [--data ARG] [--queue-depth N]\n"
           "Show the camera's jpeg_image_stream live in a window (q, Esc or closing\n"
           "the window ends it).\n\n" CLI_ARGUMENT_HELP
           "                      (default: --data sensor.RGB565,sensor.QVGA)\n"
           "  --queue-depth N     frames in flight, 1..255 (default 2)\n"
           "  --frames N          stop after N frames\n"
           "  --screenshot FILE   save the last frame drawn as a BMP (with --frames)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_view(int argc, char **argv)
{
    static const struct option extra[] = {CLI_ARGUMENT_OPTIONS,
                                          {"queue-depth", required_argument, NULL, OPT_QUEUE_DEPTH},
                                          {"frames", required_argument, NULL, OPT_FRAMES},
                                          {"screenshot", required_argument, NULL, OPT_SCREENSHOT},
                                          {"name", required_argument, NULL, OPT_NAME},
                                          {NULL, 0, NULL, 0}};
    view_opts o = {{0}, "jpeg_image_stream", 2, 0, NULL};
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
    if (rc == 0 && o.screenshot != NULL && o.frames == 0) {
        fprintf(stderr, "omv-rpc view: --screenshot needs --frames N\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    if (o.arg.data == NULL && o.arg.hex == NULL && o.arg.file == NULL) {
        o.arg.data = "sensor.RGB565,sensor.QVGA";
    }
    cli_install_signals();
    rc = cli_argument_load(&o.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    viewer v;
    memset(&v, 0, sizeof(v));
    v.o = &o;
    v.fps_start_ms = cli_now_ms();
    if (rc == CLI_EXIT_OK && open_window(&v) != 0) {
        rc = CLI_EXIT_FAILURE;
    }
    if (rc == CLI_EXIT_OK) {
        omv_rpc_status st = omv_rpc_master_call(master, o.name, o.arg.bytes, o.arg.len, NULL, NULL,
                                                opts.send_timeout_ms, opts.recv_timeout_ms);
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
