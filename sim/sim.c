/* The virtual camera's life and its scene time. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

omv_rpc_status omv_rpc_sim_new(omv_rpc_sim **out)
{
    if (!out) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *out = NULL;
    omv_rpc_sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_status st = omvrpc_sim_builtin_scene(&sim->def);
    if (st != OMV_RPC_OK) {
        free(sim);
        return st;
    }
    atomic_init(&sim->frames, 0u);
    atomic_init(&sim->base_ms, 0u);
    atomic_init(&sim->frozen, false);
    /* What sensor.reset() and the examples' set-up leave. */
    sim->pixformat = OMV_RPC_SIM_RGB565;
    sim->width = 320;
    sim->height = 240;
    sim->stream_timeout_ms = OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS;
    *out = sim;
    return OMV_RPC_OK;
}

void omv_rpc_sim_free(omv_rpc_sim *sim)
{
    if (!sim) {
        return;
    }
    omv_rpc_sim_free_buffer(sim->fb);
    omv_rpc_sim_free_buffer(sim->stream_frame);
    omvrpc_sim_scene_def_free(&sim->def);
    free(sim);
}

void omv_rpc_sim_set_time(omv_rpc_sim *sim, uint32_t t_ms)
{
    if (!sim) {
        return;
    }
    atomic_store(&sim->base_ms, t_ms);
    atomic_store(&sim->frozen, true);
}

void omv_rpc_sim_release_time(omv_rpc_sim *sim)
{
    if (!sim) {
        return;
    }
    atomic_store(&sim->frames, 0u);
    atomic_store(&sim->frozen, false);
}

void omv_rpc_sim_set_clock(omv_rpc_sim *sim, uint32_t (*now_ms)(void *user_data), void *user_data)
{
    if (!sim) {
        return;
    }
    sim->clock = now_ms;
    sim->clock_user_data = user_data;
    sim->clock_start = now_ms ? now_ms(user_data) : 0;
}

void omv_rpc_sim_set_stream_timeout(omv_rpc_sim *sim, uint32_t timeout_ms)
{
    if (sim) {
        sim->stream_timeout_ms = timeout_ms;
    }
}

static uint32_t time_after(const omv_rpc_sim *sim, unsigned frames)
{
    if (atomic_load(&((omv_rpc_sim *)sim)->frozen)) {
        return atomic_load(&((omv_rpc_sim *)sim)->base_ms);
    }
    if (sim->clock) {
        return sim->clock(sim->clock_user_data) - sim->clock_start;
    }
    return atomic_load(&((omv_rpc_sim *)sim)->base_ms) + frames * OMV_RPC_SIM_FRAME_MS;
}

uint32_t omv_rpc_sim_time(const omv_rpc_sim *sim)
{
    return sim ? time_after(sim, atomic_load(&((omv_rpc_sim *)sim)->frames)) : 0;
}

uint32_t omvrpc_sim_take_time(omv_rpc_sim *sim)
{
    return time_after(sim, atomic_fetch_add(&sim->frames, 1u));
}

omv_rpc_status omv_rpc_sim_render_jpeg(omv_rpc_sim *sim, const char *pixformat,
                                       const char *framesize, int quality, uint8_t **jpeg,
                                       size_t *len)
{
    omv_rpc_sim_pixformat format;
    int width, height;
    if (!sim || !pixformat || !framesize || !jpeg || !len || quality < 1 || quality > 100 ||
        omv_rpc_sim_parse_pixformat(pixformat, strlen(pixformat), &format) != OMV_RPC_OK ||
        omv_rpc_sim_parse_framesize(framesize, strlen(framesize), &width, &height) != OMV_RPC_OK) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_sim_scene scene;
    omv_rpc_sim_scene_at(sim, omvrpc_sim_take_time(sim), &scene);
    return omvrpc_sim_encode(sim, &scene, format, width, height, quality, jpeg, len);
}

omv_rpc_status omv_rpc_sim_snapshot(omv_rpc_sim *sim, omv_rpc_sim_pixformat format, int width,
                                    int height, uint8_t *pixels, omv_rpc_sim_scene *scene)
{
    if (!sim || !pixels || width < 1 || height < 1 || width > 4096 || height > 4096 ||
        (format != OMV_RPC_SIM_GRAYSCALE && format != OMV_RPC_SIM_RGB565)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_sim_scene s;
    omv_rpc_sim_scene_at(sim, omvrpc_sim_take_time(sim), &s);
    omvrpc_sim_paint(sim, &s, width, height, format == OMV_RPC_SIM_GRAYSCALE, pixels);
    if (scene) {
        *scene = s;
    }
    return OMV_RPC_OK;
}
