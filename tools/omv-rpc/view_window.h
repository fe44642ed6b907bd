/* omv-rpc view: the window. Frames are decoded with libturbojpeg and
 * scaled to the (resizable) window keeping their aspect; the frame rate is
 * shown in the title. Opening fails with no display: SDL would otherwise
 * fall back to drawing in memory, unseen, unless SDL_VIDEODRIVER asks for
 * offscreen or dummy by name (for tests). */
#ifndef OMV_RPC_CLI_VIEW_WINDOW_H
#define OMV_RPC_CLI_VIEW_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>
#include <turbojpeg.h>

typedef struct view_window {
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    tjhandle tj;
    uint8_t *rgb;
    int width, height; /* the current frame's size */
    uint64_t fps_frames, fps_start_ms;
} view_window;

/* Opens the window into *v, which need not be initialised. 0, or -1 after
 * a message on stderr (then still call view_window_close). */
int view_window_open(view_window *v);
void view_window_close(view_window *v);

/* Decode and draw one JPEG frame (not shown until view_window_present):
 * 0 drawn, 1 skipped (not a JPEG; said on stderr), -1 failure. */
int view_window_draw(view_window *v, const uint8_t *jpeg, size_t len);
void view_window_present(view_window *v);

/* Save what is drawn (before presenting) as a BMP: 0, or -1 with a message. */
int view_window_screenshot(view_window *v, const char *path);

#endif
