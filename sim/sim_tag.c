/* AprilTags from libapriltag's tag36h11 family: its codes and bit
 * layout drawn into cells, as the family defines them. */
#include <apriltag/apriltag.h>
#include <apriltag/tag36h11.h>
#include <string.h>

#include "sim_internal.h"

omv_rpc_status omvrpc_sim_encode_tag(int id, uint8_t cells[10 * 10])
{
    apriltag_family_t *family = tag36h11_create();
    if (!family) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_status st = OMV_RPC_ERR_INVALID_ARG;
    /* tag36h11: 10 cells across, a black border 8 cells across inside a
     * white one-cell outline (not reversed), 36 data bits inside. */
    if (id >= 0 && (uint32_t)id < family->ncodes && family->total_width == 10 &&
        family->width_at_border == 8 && !family->reversed_border) {
        int border = (family->total_width - family->width_at_border) / 2;
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 10; x++) {
                cells[y * 10 + x] = !(x == 0 || y == 0 || x == 9 || y == 9);
            }
        }
        uint64_t code = family->codes[id];
        for (uint32_t i = 0; i < family->nbits; i++) {
            int lit = (int)((code >> (family->nbits - 1 - i)) & 1u);
            int x = (int)family->bit_x[i] + border, y = (int)family->bit_y[i] + border;
            if (x >= 0 && x < 10 && y >= 0 && y < 10) {
                cells[y * 10 + x] = !lit;
            }
        }
        st = OMV_RPC_OK;
    }
    tag36h11_destroy(family);
    return st;
}
