/* omv-rpc view: the window (see view_window.h). */
#include "view_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Make the texture and pixel buffer fit a new frame size. */
static int fit_frame(view_window *v, int width, int height)
{
    if (v->texture != NULL && width == v->width && height == v->height) {
        return 0;
    }
    SDL_DestroyTexture(v->texture);
    free(v->rgb);
    v->rgb = malloc((size_t)width * (size_t)height * 3u);
    v->texture = SDL_CreateTexture(v->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING,
                                   width, height);
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
static SDL_Rect letterbox(const view_window *v)
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

int view_window_screenshot(view_window *v, const char *path)
{
    int ww = 0, wh = 0;
    SDL_GetRendererOutputSize(v->renderer, &ww, &wh);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, ww, wh, 24, SDL_PIXELFORMAT_RGB24);
    int ok =
        s != NULL &&
        SDL_RenderReadPixels(v->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) == 0 &&
        SDL_SaveBMP(s, path) == 0;
    if (!ok) {
        fprintf(stderr, "omv-rpc: cannot save %s: %s\n", path, SDL_GetError());
    }
    SDL_FreeSurface(s);
    return ok ? 0 : -1;
}

/* The frame rate in the title, twice a second. */
static void show_fps(view_window *v)
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

int view_window_open(view_window *v)
{
    /* From nothing: callers keep the window on their stack, and a texture
     * pointer left from whatever was there was freed as one (omv-rpc cam
     * view crashed in SDL_DestroyTexture on its first frame). */
    memset(v, 0, sizeof *v);
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* keep our Ctrl-C handler */
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr,
                "omv-rpc view: no display (%s); run it on a desktop, or set DISPLAY "
                "or WAYLAND_DISPLAY\n",
                SDL_GetError());
        return -1;
    }
    /* With no display SDL falls back to drawing in memory, where nobody
     * sees the frames; that is only wanted when asked for by name. */
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (driver != NULL && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        (asked == NULL || strcmp(asked, driver) != 0)) {
        fprintf(stderr,
                "omv-rpc view: no display (SDL found none and fell back to its %s "
                "driver); run it on a desktop, or set DISPLAY or WAYLAND_DISPLAY "
                "(SDL_VIDEODRIVER=%s draws unseen, for tests)\n",
                driver, driver);
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

void view_window_close(view_window *v)
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

int view_window_draw(view_window *v, const uint8_t *jpeg, size_t len)
{
    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(v->tj, jpeg, (unsigned long)len, &w, &h, &subsamp, &colorspace) != 0 ||
        w <= 0 || h <= 0) {
        fprintf(stderr, "omv-rpc: skipped a frame that is not a JPEG (%zu bytes)\n", len);
        return 1;
    }
    if (fit_frame(v, w, h) != 0) {
        return -1;
    }
    if (tjDecompress2(v->tj, jpeg, (unsigned long)len, v->rgb, w, w * 3, h, TJPF_RGB, 0) != 0 &&
        tjGetErrorCode(v->tj) == TJERR_FATAL) {
        fprintf(stderr, "omv-rpc: skipped a bad JPEG frame: %s\n", tjGetErrorStr2(v->tj));
        return 1;
    }
    SDL_UpdateTexture(v->texture, NULL, v->rgb, w * 3);
    SDL_SetRenderDrawColor(v->renderer, 0, 0, 0, 255);
    SDL_RenderClear(v->renderer);
    SDL_Rect dst = letterbox(v);
    SDL_RenderCopy(v->renderer, v->texture, NULL, &dst);
    return 0;
}

void view_window_present(view_window *v)
{
    SDL_RenderPresent(v->renderer);
    show_fps(v);
}
