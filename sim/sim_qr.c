/* QR codes by libqrencode: byte mode, error correction level M, the
 * smallest version that holds the payload. */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/* The format information the encoder wrote next to the top-left finder
 * pattern (15 bits, masked with 0x5412, as the QR standard places them):
 * error correction level (2 bits) and mask (3 bits). OpenMV reports the
 * level by these two bits: M 0, L 1, H 2, Q 3. */
static void read_format(const QRcode *qr, int *ecc_level, int *mask)
{
    static const int xs[15] = {8, 8, 8, 8, 8, 8, 8, 8, 7, 5, 4, 3, 2, 1, 0};
    static const int ys[15] = {0, 1, 2, 3, 4, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8};
    unsigned format = 0;
    for (int i = 14; i >= 0; i--) {
        format = format << 1 | (qr->data[ys[i] * qr->width + xs[i]] & 1u);
    }
    format ^= 0x5412u;
    *ecc_level = (int)(format >> 13) & 3;
    *mask = (int)(format >> 10) & 7;
}

omv_rpc_status omvrpc_sim_encode_qr(const char *payload, omv_rpc_sim_symbol *out)
{
    memset(out, 0, sizeof *out);
    if (!payload[0]) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    QRcode *qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);
    if (!qr) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    size_t n = (size_t)qr->width * (size_t)qr->width;
    out->dark = malloc(n);
    if (!out->dark) {
        QRcode_free(qr);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    /* Bit 0 of each of the encoder's cells is the module's colour. */
    for (size_t i = 0; i < n; i++) {
        out->dark[i] = qr->data[i] & 1u;
    }
    out->cols = out->rows = qr->width;
    out->version = qr->version;
    read_format(qr, &out->ecc_level, &out->mask);
    QRcode_free(qr);
    return OMV_RPC_OK;
}

void omvrpc_sim_symbol_free(omv_rpc_sim_symbol *symbol)
{
    free(symbol->dark);
    memset(symbol, 0, sizeof *symbol);
}
