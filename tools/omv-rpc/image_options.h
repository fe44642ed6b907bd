/* omv-rpc: --pixformat and --framesize, shared by `snapshot`, `stream` and
 * `view`. OpenMV's image functions take "PIXFORMAT,FRAMESIZE" as their
 * argument (e.g. "sensor.RGB565,sensor.QVGA"); these options build it, so
 * that the three commands take an image size the same way. */
#ifndef OMV_RPC_CLI_IMAGE_OPTIONS_H
#define OMV_RPC_CLI_IMAGE_OPTIONS_H

#include <stddef.h>

#include "argument.h"

#define CLI_DEFAULT_PIXFORMAT "sensor.RGB565"
#define CLI_DEFAULT_FRAMESIZE "sensor.QVGA"
/* The functions whose argument defaults to the image above when none is
 * given. */
#define CLI_JPEG_STREAM_FUNCTION "jpeg_image_stream"

typedef struct cli_image {
    const char *pixformat; /* NULL: not given */
    const char *framesize;
    char text[160]; /* the built argument */
} cli_image;

enum { CLI_OPT_PIXFORMAT = 2100, CLI_OPT_FRAMESIZE };

#define CLI_IMAGE_OPTIONS                                       \
    {"pixformat", required_argument, NULL, CLI_OPT_PIXFORMAT},  \
    {                                                           \
        "framesize", required_argument, NULL, CLI_OPT_FRAMESIZE \
    }

#define CLI_IMAGE_HELP                                                                       \
    "  --pixformat F       sensor pixel format, e.g. RGB565 or GRAYSCALE (default RGB565)\n" \
    "  --framesize S       sensor frame size, e.g. QQVGA, QVGA, VGA (default QVGA)\n"

/* Handle --pixformat / --framesize: 0 when taken, 1 when not ours. */
int cli_image_option(cli_image *img, int opt, const char *arg);

/* "sensor.PIXFORMAT,sensor.FRAMESIZE" with the defaults for what was not
 * given (a name without "sensor." gets it). */
const char *cli_image_text(cli_image *img);

/* The call argument for `name`: the image options, when given (a usage
 * error, with a message, if --data/--hex/--file was given too); else the
 * default image for jpeg_image_stream when no argument was given. 0 or
 * CLI_EXIT_USAGE. */
int cli_image_argument(cli_image *img, cli_argument *arg, const char *name, const char *cmd);

#endif
