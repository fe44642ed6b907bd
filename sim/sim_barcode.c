/* 1-D barcodes by libzint: Code 128 and EAN-13. */
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "sim_internal.h"

omv_rpc_status omvrpc_sim_encode_barcode(const char *payload, int type, omv_rpc_sim_symbol *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(payload);
    if (len == 0 || (type != OMV_RPC_SIM_CODE128 && type != OMV_RPC_SIM_EAN13)) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (type == OMV_RPC_SIM_EAN13) {
        /* 12 digits, or 13 with the right check digit (zint checks it). */
        if (len != 12 && len != 13) {
            return OMV_RPC_ERR_INVALID_ARG;
        }
        for (size_t i = 0; i < len; i++) {
            if (payload[i] < '0' || payload[i] > '9') {
                return OMV_RPC_ERR_INVALID_ARG;
            }
        }
    }
    struct zint_symbol *z = ZBarcode_Create();
    if (!z) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    z->symbology = type == OMV_RPC_SIM_EAN13 ? BARCODE_EANX : BARCODE_CODE128;
    z->input_mode = DATA_MODE;
    int rc = ZBarcode_Encode(z, (const unsigned char *)payload, (int)len);
    /* Warnings (rc below ZINT_ERROR) still give a valid symbol; an EAN
     * with add-on digits would have more than one row. */
    if (rc >= ZINT_ERROR || z->rows != 1 || z->width <= 0) {
        ZBarcode_Delete(z);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    out->dark = malloc((size_t)z->width);
    if (!out->dark) {
        ZBarcode_Delete(z);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    /* zint packs each row's modules 8 to a byte, lowest bit first. */
    for (int i = 0; i < z->width; i++) {
        out->dark[i] = (uint8_t)((z->encoded_data[0][i >> 3] >> (i & 7)) & 1u);
    }
    out->cols = z->width;
    out->rows = 1;
    ZBarcode_Delete(z);
    return OMV_RPC_OK;
}
