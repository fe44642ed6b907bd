/* Encoding a painted frame with libturbojpeg. */
#include <stdlib.h>
#include <turbojpeg.h>

#include "sim_internal.h"

omv_rpc_status omvrpc_sim_encode(const omv_rpc_sim *sim, const omv_rpc_sim_scene *scene,
                                 omv_rpc_sim_pixformat format, int width, int height, int quality,
                                 uint8_t **jpeg, size_t *len)
{
    int gray = format == OMV_RPC_SIM_GRAYSCALE;
    size_t channels = gray ? 1 : 3;
    uint8_t *pixels = malloc((size_t)width * (size_t)height * channels);
    if (!pixels) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omvrpc_sim_paint(sim, scene, width, height, gray, pixels);

    /* A compressor per frame: renders may run on several threads at once,
     * and a handle is single-threaded. */
    tjhandle tj = tjInitCompress();
    if (!tj) {
        free(pixels);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    int rc = tjCompress2(tj, pixels, width, 0, height, gray ? TJPF_GRAY : TJPF_RGB, &out, &out_len,
                         gray ? TJSAMP_GRAY : TJSAMP_420, quality, 0);
    tjDestroy(tj);
    free(pixels);
    if (rc != 0) {
        tjFree(out);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    *jpeg = out;
    *len = out_len;
    return OMV_RPC_OK;
}

void omv_rpc_sim_free_buffer(uint8_t *buf)
{
    tjFree(buf);
}
