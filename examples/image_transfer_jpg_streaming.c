/*
 * image_transfer_jpg_streaming.c: show an OpenMV Cam's JPEG stream in a
 * window. The camera runs OpenMV's "image transfer jpg streaming as the
 * remote device" script (or `omv-rpc sim`): one jpeg_image_stream call sets
 * the sensor up, then the camera streams JPEG frames until we stop reading.
 *
 *   usage: image_transfer_jpg_streaming [PORT] [FRAMES]
 *   FRAMES: stop after that many frames (default: until the window closes)
 *
 * Build: links omvrpc, SDL2 and libturbojpeg.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <turbojpeg.h>

#include <omv_rpc/omv_rpc.h>

typedef struct view {
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    tjhandle jpeg;
    uint8_t *rgb;
    int w, h;
    long frames, max_frames;
} view;

/* Called by the stream reader for each frame; returning non-zero ends
 * the stream. */
static int on_frame(void *user_data, const uint8_t *frame, size_t len)
{
    view *v = user_data;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) {
            return 1;
        }
    }
    int w, h, subsamp, colorspace;
    if (tjDecompressHeader3(v->jpeg, frame, (unsigned long)len, &w, &h, &subsamp, &colorspace) !=
        0) {
        return 0; /* not a JPEG: skip it */
    }
    if (w != v->w || h != v->h) { /* first frame, or the size changed */
        SDL_DestroyTexture(v->texture);
        free(v->rgb);
        v->rgb = malloc((size_t)w * (size_t)h * 3);
        v->texture = SDL_CreateTexture(v->renderer, SDL_PIXELFORMAT_RGB24,
                                       SDL_TEXTUREACCESS_STREAMING, w, h);
        if (v->rgb == NULL || v->texture == NULL) {
            return 1;
        }
        v->w = w;
        v->h = h;
    }
    tjDecompress2(v->jpeg, frame, (unsigned long)len, v->rgb, w, w * 3, h, TJPF_RGB, 0);
    SDL_UpdateTexture(v->texture, NULL, v->rgb, w * 3);
    SDL_RenderClear(v->renderer);
    SDL_RenderCopy(v->renderer, v->texture, NULL, NULL); /* scaled to the window */
    SDL_RenderPresent(v->renderer);
    v->frames++;
    return v->max_frames > 0 && v->frames >= v->max_frames;
}

int main(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "auto";
    view v;
    memset(&v, 0, sizeof(v));
    v.max_frames = argc > 2 ? atol(argv[2]) : 0;

    omv_rpc_master *cam = NULL;
    omv_rpc_status st = omv_rpc_usb_vcp_master_new(&cam, port, NULL);
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "cannot open %s: %s\n", port, omv_rpc_status_message(st));
        return 1;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0 ||
        (v.window = SDL_CreateWindow("OpenMV Cam", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                     640, 480, SDL_WINDOW_RESIZABLE)) == NULL ||
        (v.renderer = SDL_CreateRenderer(v.window, -1, 0)) == NULL ||
        (v.jpeg = tjInitDecompress()) == NULL) {
        fprintf(stderr, "cannot open a window: %s\n", SDL_GetError());
        omv_rpc_master_free(cam);
        SDL_Quit();
        return 1;
    }

    /* Set the sensor up and start the stream, then read frames (a queue of
     * 2 frames in flight keeps the link busy). */
    static const char arg[] = "sensor.RGB565,sensor.QVGA";
    st = omv_rpc_master_call(cam, "jpeg_image_stream", arg, strlen(arg), NULL, NULL, 1000, 1000);
    if (st == OMV_RPC_OK) {
        st = omv_rpc_master_stream_reader(cam, on_frame, &v, 2, 5000);
    }
    if (st != OMV_RPC_OK) {
        fprintf(stderr, "stream: %s\n", omv_rpc_status_message(st));
    }
    printf("%ld frames shown\n", v.frames);

    tjDestroy(v.jpeg);
    free(v.rgb);
    SDL_DestroyTexture(v.texture);
    SDL_DestroyRenderer(v.renderer);
    SDL_DestroyWindow(v.window);
    SDL_Quit();
    omv_rpc_master_free(cam);
    return st == OMV_RPC_OK ? 0 : 1;
}
