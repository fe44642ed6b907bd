/* omv-rpc: the JPEG image transfer (see snapshot.h). */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

static void put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int read_chunked(omv_rpc_master *master, const cli_link_opts *opts, uint8_t *img,
                        uint32_t size)
{
    cli_progress progress;
    cli_progress_begin(&progress, "snapshot", opts->quiet);
    int rc = CLI_EXIT_OK;
    for (uint32_t offset = 0; offset < size && rc == CLI_EXIT_OK;) {
        uint32_t want = size - offset < CLI_SNAPSHOT_CHUNK ? size - offset : CLI_SNAPSHOT_CHUNK;
        uint8_t arg[8];
        put_u32le(arg, offset);
        put_u32le(arg + 4, want);
        omv_rpc_status st = OMV_RPC_ERR_RECV_TIMEOUT;
        size_t got = 0;
        /* As OpenMV's example: a chunk gets three tries before giving up. */
        for (int attempt = 0; attempt < CLI_SNAPSHOT_TRIES && !cli_interrupted; attempt++) {
            cli_call_start start = cli_call_begin(master);
            st = omv_rpc_master_call_into(master, "jpeg_image_read", arg, sizeof(arg), img + offset,
                                          want, &got, opts->send_timeout_ms, opts->recv_timeout_ms);
            cli_call_note(master, opts, "jpeg_image_read", st, &start, got);
            if (st == OMV_RPC_OK) {
                break;
            }
        }
        if (st != OMV_RPC_OK) {
            cli_report("jpeg_image_read", st);
            rc = cli_exit_for_call(st);
        } else if (got != want) {
            fprintf(stderr, "omv-rpc: jpeg_image_read gave %zu bytes at offset %lu, not %lu\n", got,
                    (unsigned long)offset, (unsigned long)want);
            rc = CLI_EXIT_BAD_RESULT;
        } else {
            offset += want;
            cli_progress_update(&progress, offset, size, 0);
        }
    }
    cli_progress_end(&progress);
    return rc;
}

static int read_cut_through(omv_rpc_master *master, const cli_link_opts *opts, uint8_t *img,
                            uint32_t size)
{
    /* An empty argument asks for the whole image as raw bytes right after
     * the call's result. */
    omv_rpc_status st = cli_call(master, opts, "jpeg_image_read", NULL, 0, NULL, NULL);
    if (st == OMV_RPC_OK) {
        cli_progress spinner;
        cli_progress_spin_start(&spinner, "snapshot", opts->quiet);
        st = omv_rpc_get_bytes(omv_rpc_master_link(master), img, size, CLI_CUT_THROUGH_TIMEOUT_MS);
        cli_progress_spin_stop(&spinner);
    }
    if (st != OMV_RPC_OK) {
        cli_report("jpeg_image_read (cut-through)", st);
        return cli_exit_for_call(st);
    }
    return CLI_EXIT_OK;
}

int cli_fetch_snapshot(omv_rpc_master *master, const cli_link_opts *opts, const char *image,
                       int cut_through, uint8_t **jpeg, size_t *len)
{
    const char *arg = image;
    uint8_t size_le[4];
    size_t got = 0;
    cli_call_start start = cli_call_begin(master);
    omv_rpc_status st = omv_rpc_master_call_into(master, "jpeg_image_snapshot", arg, strlen(arg),
                                                 size_le, sizeof(size_le), &got,
                                                 opts->send_timeout_ms, opts->recv_timeout_ms);
    cli_call_note(master, opts, "jpeg_image_snapshot", st, &start, got);
    if (st == OMV_RPC_ERR_BUFFER_TOO_SMALL) {
        fprintf(stderr, "omv-rpc: jpeg_image_snapshot gave %zu bytes, not a 4-byte size\n", got);
        return CLI_EXIT_BAD_RESULT;
    }
    if (st != OMV_RPC_OK) {
        cli_report("jpeg_image_snapshot", st);
        return cli_exit_for_call(st);
    }
    if (got != sizeof(size_le)) {
        fprintf(stderr,
                "omv-rpc: jpeg_image_snapshot gave %zu bytes, not a 4-byte size "
                "(does the camera know \"%s\"?)\n",
                got, arg);
        return CLI_EXIT_BAD_RESULT;
    }
    uint32_t size = (uint32_t)size_le[0] | (uint32_t)size_le[1] << 8 | (uint32_t)size_le[2] << 16 |
                    (uint32_t)size_le[3] << 24;
    if (size == 0 || size > OMV_RPC_DEFAULT_MAX_PAYLOAD) {
        fprintf(stderr, "omv-rpc: the camera announced a %lu-byte image\n", (unsigned long)size);
        return CLI_EXIT_BAD_RESULT;
    }
    uint8_t *img = malloc(size);
    if (img == NULL) {
        return CLI_EXIT_FAILURE;
    }
    int rc = cut_through ? read_cut_through(master, opts, img, size)
                         : read_chunked(master, opts, img, size);
    if (rc != CLI_EXIT_OK) {
        free(img);
        return rc;
    }
    *jpeg = img;
    *len = size;
    return CLI_EXIT_OK;
}
