/* OpenMV's pixel format and frame size names. */
#include <string.h>

#include "sim_internal.h"

typedef struct framesize {
    const char *name;
    int width, height;
} framesize;

static const framesize framesizes[] = {
    {"QQCIF", 88, 72},      {"QCIF", 176, 144},     {"CIF", 352, 288},    {"QQSIF", 88, 60},
    {"QSIF", 176, 120},     {"SIF", 352, 240},      {"QQQQVGA", 40, 30},  {"QQQVGA", 80, 60},
    {"QQVGA", 160, 120},    {"QVGA", 320, 240},     {"VGA", 640, 480},    {"HQQQQVGA", 30, 20},
    {"HQQQVGA", 60, 40},    {"HQQVGA", 120, 80},    {"HQVGA", 240, 160},  {"HVGA", 480, 320},
    {"B64X32", 64, 32},     {"B64X64", 64, 64},     {"B128X64", 128, 64}, {"B128X128", 128, 128},
    {"B160X160", 160, 160}, {"B320X320", 320, 320}, {"LCD", 128, 160},    {"QQVGA2", 128, 160},
    {"WVGA", 720, 480},     {"WVGA2", 752, 480},    {"SVGA", 800, 600},   {"XGA", 1024, 768},
    {"SXGA", 1280, 1024},   {"UXGA", 1600, 1200},   {"HD", 1280, 720},    {"FHD", 1920, 1080},
};

/* Trim blanks (Python's eval() allows them) and the "sensor." prefix. */
static void bare_name(const char **name, size_t *len)
{
    static const char prefix[] = "sensor.";
    const char *s = *name;
    size_t n = *len;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\0')) {
        n--;
    }
    if (n > sizeof prefix - 1 && memcmp(s, prefix, sizeof prefix - 1) == 0) {
        s += sizeof prefix - 1;
        n -= sizeof prefix - 1;
    }
    *name = s;
    *len = n;
}

static int same(const char *name, size_t len, const char *known)
{
    return strlen(known) == len && memcmp(name, known, len) == 0;
}

omv_rpc_status omv_rpc_sim_parse_pixformat(const char *name, size_t len, omv_rpc_sim_pixformat *out)
{
    if (!name || !out) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    bare_name(&name, &len);
    if (same(name, len, "GRAYSCALE")) {
        *out = OMV_RPC_SIM_GRAYSCALE;
        return OMV_RPC_OK;
    }
    if (same(name, len, "RGB565")) {
        *out = OMV_RPC_SIM_RGB565;
        return OMV_RPC_OK;
    }
    return OMV_RPC_ERR_INVALID_ARG;
}

omv_rpc_status omv_rpc_sim_parse_framesize(const char *name, size_t len, int *width, int *height)
{
    if (!name || !width || !height) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    bare_name(&name, &len);
    for (size_t i = 0; i < sizeof framesizes / sizeof framesizes[0]; i++) {
        if (same(name, len, framesizes[i].name)) {
            *width = framesizes[i].width;
            *height = framesizes[i].height;
            return OMV_RPC_OK;
        }
    }
    return OMV_RPC_ERR_INVALID_ARG;
}
