/* Data Matrix symbols by libdmtx: ASCII encodation, the smallest square
 * size that holds the payload. */
#include <dmtx.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/* Codewords ASCII encodation takes: one per character, one per pair of
 * digits, two for a character above 127. */
static int ascii_codewords(const char *s)
{
    int n = 0;
    while (*s) {
        if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') {
            s += 2;
            n += 1;
        } else {
            n += (unsigned char)*s++ > 127 ? 2 : 1;
        }
    }
    return n;
}

omv_rpc_status omvrpc_sim_encode_datamatrix(const char *payload, omv_rpc_sim_symbol *out)
{
    memset(out, 0, sizeof *out);
    if (!payload[0]) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    DmtxEncode *enc = dmtxEncodeCreate();
    if (!enc) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    /* One pixel per module, no margin: the image is the module grid. */
    dmtxEncodeSetProp(enc, DmtxPropScheme, DmtxSchemeAscii);
    dmtxEncodeSetProp(enc, DmtxPropSizeRequest, DmtxSymbolSquareAuto);
    dmtxEncodeSetProp(enc, DmtxPropModuleSize, 1);
    dmtxEncodeSetProp(enc, DmtxPropMarginSize, 0);
    omv_rpc_status st = OMV_RPC_ERR_INVALID_ARG;
    if (dmtxEncodeDataMatrix(enc, (int)strlen(payload), (unsigned char *)payload) == DmtxPass) {
        int w = enc->image->width, h = enc->image->height;
        out->dark = malloc((size_t)w * (size_t)h);
        st = out->dark ? OMV_RPC_OK : OMV_RPC_ERR_NO_MEMORY;
        for (int y = 0; st == OMV_RPC_OK && y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = 0;
                dmtxImageGetPixelValue(enc->image, x, y, 0, &v);
                out->dark[y * w + x] = v < 128;
            }
        }
        if (st == OMV_RPC_OK) {
            out->cols = w;
            out->rows = h;
            out->capacity =
                dmtxGetSymbolAttribute(DmtxSymAttribSymbolDataWords, enc->region.sizeIdx);
            out->padding = out->capacity - ascii_codewords(payload);
            /* The solid "L" finder runs down the left and along the
             * bottom; turn an image stored bottom-up the right way. */
            if (out->dark[w - 1] && !out->dark[(size_t)(h - 1) * (size_t)w + w - 1]) {
                for (int y = 0; y < h / 2; y++) {
                    for (int x = 0; x < w; x++) {
                        uint8_t t = out->dark[y * w + x];
                        out->dark[y * w + x] = out->dark[(h - 1 - y) * w + x];
                        out->dark[(h - 1 - y) * w + x] = t;
                    }
                }
            }
        }
    }
    dmtxEncodeDestroy(&enc);
    return st;
}
