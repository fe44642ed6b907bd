/* omv-rpc: OpenMV's JPEG image transfer as the controller: ask the camera
 * to take a JPEG snapshot (jpeg_image_snapshot "PIXFORMAT,FRAMESIZE" gives
 * its size), then read it with jpeg_image_read, in 32 KiB chunks of up to 3
 * tries each, or in one cut-through transfer right after the call. */
#ifndef OMV_RPC_CLI_SNAPSHOT_H
#define OMV_RPC_CLI_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define CLI_SNAPSHOT_CHUNK (32u * 1024u)
#define CLI_SNAPSHOT_TRIES 3
#define CLI_CUT_THROUGH_TIMEOUT_MS 5000u

/* `image` is jpeg_image_snapshot's argument, "PIXFORMAT,FRAMESIZE"
 * (image_options.h). On CLI_EXIT_OK, *jpeg is a malloc'd image of *len
 * bytes. */
int cli_fetch_snapshot(omv_rpc_master *master, const cli_link_opts *opts, const char *image,
                       int cut_through, uint8_t **jpeg, size_t *len);

#endif
