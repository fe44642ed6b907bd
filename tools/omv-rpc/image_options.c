/* omv-rpc: the image options (see image_options.h). */
#include "image_options.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_image_option(cli_image *img, int opt, const char *arg)
{
    if (opt == CLI_OPT_PIXFORMAT) {
        img->pixformat = arg;
        return 0;
    }
    if (opt == CLI_OPT_FRAMESIZE) {
        img->framesize = arg;
        return 0;
    }
    return 1;
}

/* The camera evaluates the names in its sensor module's terms. */
static const char *prefix_for(const char *name)
{
    return strchr(name, '.') != NULL ? "" : "sensor.";
}

const char *cli_image_text(cli_image *img)
{
    const char *p = img->pixformat != NULL ? img->pixformat : CLI_DEFAULT_PIXFORMAT;
    const char *f = img->framesize != NULL ? img->framesize : CLI_DEFAULT_FRAMESIZE;
    snprintf(img->text, sizeof(img->text), "%s%s,%s%s", prefix_for(p), p, prefix_for(f), f);
    return img->text;
}

int cli_image_argument(cli_image *img, cli_argument *arg, const char *name, const char *cmd)
{
    int has_arg = arg->data != NULL || arg->hex != NULL || arg->file != NULL;
    if (img->pixformat != NULL || img->framesize != NULL) {
        if (has_arg) {
            fprintf(stderr,
                    "omv-rpc %s: give --pixformat/--framesize or --data/--hex/--file, "
                    "not both\n",
                    cmd);
            return CLI_EXIT_USAGE;
        }
        arg->data = cli_image_text(img);
    } else if (!has_arg && strcmp(name, CLI_JPEG_STREAM_FUNCTION) == 0) {
        arg->data = cli_image_text(img);
    }
    return CLI_EXIT_OK;
}
