/* Pacing jpeg_image_stream like a sensor with a frame rate. */
#include "omv_rpc/clock.h"
#include "sim_internal.h"

void omv_rpc_sim_set_fps(omv_rpc_sim *sim, uint32_t fps)
{
    if (sim) {
        sim->fps = fps > 1000 ? 1000 : fps;
        sim->fps_started = false;
    }
}

void omvrpc_sim_pace(omv_rpc_sim *sim)
{
    if (!sim->fps) {
        return;
    }
    uint32_t now = omv_rpc_clock_ms(NULL);
    if (sim->fps_started) {
        /* Frame k is due k periods after the first; frames are counted in
         * ms * fps so that 30 fps averages 33.3 ms, not 33. */
        sim->fps_frames++;
        uint64_t due_scaled = (uint64_t)sim->fps_frames * 1000u;
        uint64_t now_scaled = (uint64_t)(uint32_t)(now - sim->fps_start_ms) * sim->fps;
        if (now_scaled < due_scaled) {
            omv_rpc_sleep_ms((uint32_t)((due_scaled - now_scaled + sim->fps - 1) / sim->fps));
            return;
        }
        if (now_scaled < due_scaled + 1000u) {
            return; /* on time, or late by less than a frame */
        }
    }
    /* The first frame, or one more than a frame late: the pace starts
     * again from it. */
    sim->fps_started = true;
    sim->fps_start_ms = now;
    sim->fps_frames = 0;
}
