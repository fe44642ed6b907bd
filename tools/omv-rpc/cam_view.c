/* omv-rpc cam view: the camera's frame buffer live in a window, over
 * Protocol V2 (the IDE's frame buffer view), in the window `omv-rpc view`
 * uses (view_window.h). Window close, q, Esc or Ctrl-C end it. For scripts
 * and tests: --count N stops after N frames, --screenshot FILE.bmp saves
 * the last one as drawn. JPEG frames (the camera's default stream). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "cam_view.h"
#include "cli.h"
#include "view_window.h"

#define CAM_VIEW_FRAME_MAX (4u << 20)

static int quit_asked(void)
{
    SDL_Event e;
    int quit = 0;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) {
            quit = 1;
        } else if (e.type == SDL_KEYDOWN) {
            SDL_Keycode key = e.key.keysym.sym;
            quit |= key == SDLK_q || key == SDLK_ESCAPE ||
                    (key == SDLK_c && (e.key.keysym.mod & KMOD_CTRL) != 0);
        }
    }
    return quit;
}

int cam_view(omv_rpc_v2 *v2, int argc, char **argv, volatile sig_atomic_t *interrupted)
{
    uint32_t count = 0, shown = 0, idle = 0;
    const char *shot = NULL;
    view_window win;
    uint8_t *buf;
    omv_rpc_status st;
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (cli_parse_u32(argv[++i], 1, 0xFFFFFFFFu, "--count", &count) != 0) {
                return CLI_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--screenshot") && i + 1 < argc) {
            shot = argv[++i];
        } else {
            fprintf(stderr, "usage: omv-rpc cam view [--count N [--screenshot FILE.bmp]]\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (shot && !count) {
        fprintf(stderr, "omv-rpc cam view: --screenshot needs --count (the last frame is saved)\n");
        return CLI_EXIT_USAGE;
    }
    buf = malloc(CAM_VIEW_FRAME_MAX);
    if (!buf) {
        return CLI_EXIT_FAILURE;
    }
    if (view_window_open(&win) != 0) {
        view_window_close(&win);
        free(buf);
        return CLI_EXIT_FAILURE;
    }
    st = omv_rpc_v2_stream_enable(v2, 1);
    while (st == OMV_RPC_OK && (!count || shown < count) && !*interrupted && !quit_asked()) {
        omv_rpc_v2_frame f;
        st = omv_rpc_v2_stream_read(v2, &f, buf, CAM_VIEW_FRAME_MAX);
        if (st == OMV_RPC_ERR_NOT_READY || st == OMV_RPC_ERR_RESET) {
            /* No frame yet (or a script just ended): wait a little, take events. */
            if (++idle > 2000) {
                fprintf(stderr, "omv-rpc cam view: no frame came\n");
                rc = CLI_EXIT_TIMEOUT;
                break;
            }
            st = omv_rpc_v2_poll_events(v2, 10);
            st = st == OMV_RPC_ERR_TIMEOUT ? OMV_RPC_OK : st;
            continue;
        }
        if (st != OMV_RPC_OK) {
            break;
        }
        idle = 0;
        if (view_window_draw(&win, buf, f.data_len) < 0) {
            rc = CLI_EXIT_FAILURE;
            break;
        }
        shown++;
        if (shot && shown == count && view_window_screenshot(&win, shot) != 0) {
            rc = CLI_EXIT_FILE;
        }
        view_window_present(&win);
    }
    if (st != OMV_RPC_OK && rc == CLI_EXIT_OK) {
        fprintf(stderr, "omv-rpc cam view: %s\n", omv_rpc_status_message(st));
        rc = CLI_EXIT_LINK_BROKEN;
    }
    fprintf(stderr, "omv-rpc cam view: showed %u frames\n", shown);
    view_window_close(&win);
    free(buf);
    return rc;
}
