/* omv-rpc cam view (cam_view.c): built with SDL2 and libturbojpeg. */
#ifndef OMV_RPC_CLI_CAM_VIEW_H
#define OMV_RPC_CLI_CAM_VIEW_H

#include <signal.h>

#include <omv_rpc/v2.h>

/* The live frame buffer until the window closes, `interrupted` is set, or
 * --count frames were shown. Returns a CLI_EXIT_*. */
int cam_view(omv_rpc_v2 *v2, int argc, char **argv, volatile sig_atomic_t *interrupted);

#endif
