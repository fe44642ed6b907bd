/* omv-rpc stream NAME: make the call, then read the stream that follows;
 * frames go raw one after another to stdout or --out FILE (JPEG frames
 * then make an MJPEG stream that ffplay -f mjpeg plays), or to numbered
 * files in --out-dir. Ctrl-C, --count or a closed pipe end it cleanly. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"
#include "image_options.h"
#include "output.h"
#include "progress.h"

#define FRAME_PREFIX "frame-"
#define FRAME_DIGITS 6
#define FRAME_SUFFIX ".jpg"

typedef struct stream_opts {
    cli_argument arg;
    cli_image image;
    const char *out;     /* NULL: stdout (not a terminal) */
    const char *out_dir; /* numbered files instead */
    uint32_t queue_depth;
    uint32_t count; /* 0: until Ctrl-C */
} stream_opts;

typedef struct stream_state {
    const stream_opts *o;
    int fd; /* --out's descriptor, when not --out-dir */
    uint64_t frames, bytes;
    cli_progress progress;
    int rc; /* CLI_EXIT_* of the reader callback */
} stream_state;

enum { OPT_OUT = 'o', OPT_OUT_DIR = 3000, OPT_QUEUE_DEPTH, OPT_COUNT };

static int stream_option(void *ctx, int opt, const char *arg)
{
    stream_opts *s = ctx;
    int r = cli_argument_option(&s->arg, opt, arg);
    if (r == 1) {
        r = cli_image_option(&s->image, opt, arg);
    }
    if (r != 1) {
        return r;
    }
    switch (opt) {
    case OPT_OUT:
        s->out = arg;
        return 0;
    case OPT_OUT_DIR:
        s->out_dir = arg;
        return 0;
    case OPT_QUEUE_DEPTH:
        return cli_parse_u32(arg, 1, 255, "--queue-depth", &s->queue_depth);
    case OPT_COUNT:
        return cli_parse_u32(arg, 1, 0xFFFFFFFFu, "--count", &s->count);
    default:
        return -1;
    }
}

static int on_frame(void *user_data, const uint8_t *frame, size_t len)
{
    stream_state *s = user_data;
    if (cli_interrupted) {
        return 1; /* Ctrl-C: end the stream; the reader drains it cleanly */
    }
    if (s->o->out_dir == NULL) {
        if (cli_write_all(s->fd, frame, len) != 0) {
            if (errno != EPIPE) {
                fprintf(stderr, "omv-rpc: cannot write %s: %s\n",
                        s->fd == STDOUT_FILENO ? "stdout" : s->o->out, strerror(errno));
                s->rc = CLI_EXIT_FILE;
            }
            return 1; /* the player went away: a clean end */
        }
    } else {
        char path[4096];
        snprintf(path, sizeof(path), "%s/" FRAME_PREFIX "%0*llu" FRAME_SUFFIX, s->o->out_dir,
                 FRAME_DIGITS, (unsigned long long)s->frames + 1);
        if (cli_write_file(path, frame, len) != CLI_EXIT_OK) {
            s->rc = CLI_EXIT_FILE;
            return 1;
        }
    }
    s->frames++;
    s->bytes += len;
    cli_progress_update(&s->progress, s->bytes, 0, s->frames);
    return s->o->count != 0 && s->frames >= s->o->count;
}

static void stream_help(void)
{
    printf("Usage: omv-rpc stream NAME [argument] [--count N] [--queue-depth N]\n"
           "                      [--out FILE|- | --out-dir DIR]\n"
           "Call NAME, then read the stream of frames the slave sends.\n"
           "Example: omv-rpc stream jpeg_image_stream --framesize QVGA --out - | ffplay -f mjpeg "
           "-\n\n" CLI_ARGUMENT_HELP CLI_IMAGE_HELP
           "                      (jpeg_image_stream with no argument: RGB565,QVGA)\n"
           "  --count N           stop after N frames (default: until Ctrl-C)\n"
           "  --queue-depth N     frames in flight, 1..255 (default %d)\n"
           "  -o, --out FILE|-    the frames back to back (default stdout, not a terminal)\n"
           "  --out-dir DIR       the frames as DIR/" FRAME_PREFIX "000001" FRAME_SUFFIX
           ", ... (those of an\n"
           "                      earlier run there are removed first)\n\n",
           CLI_DEFAULT_QUEUE_DEPTH);
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

/* The call, then the stream; the summary line on stderr. */
static int run_stream(omv_rpc_master *master, const cli_link_opts *opts, const char *name,
                      stream_opts *o, int fd)
{
    size_t result_len = 0;
    omv_rpc_status st = cli_call(master, opts, name, o->arg.bytes, o->arg.len, NULL, &result_len);
    if (st != OMV_RPC_OK) {
        cli_report(name, st);
        return cli_exit_for_call(st);
    }
    stream_state s = {o, fd, 0, 0, {0}, CLI_EXIT_OK};
    cli_progress_begin(&s.progress, "stream", opts->quiet);
    uint64_t start = cli_now_ms();
    st = omv_rpc_master_stream_reader(master, on_frame, &s, o->queue_depth,
                                      OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS);
    cli_progress_end(&s.progress);
    if (st == OMV_RPC_ERR_ABORTED && cli_interrupted) {
        st = OMV_RPC_OK; /* Ctrl-C while the reader waited: a clean end too */
    }
    double secs = (double)(cli_now_ms() - start) / 1000.0;
    int rc = s.rc;
    if ((st == OMV_RPC_ERR_TIMEOUT || st == OMV_RPC_ERR_RECV_TIMEOUT) && s.frames == 0) {
        /* The call itself worked: NAME is not a stream (or not this
         * camera's), which "timed out" alone would hide. */
        fprintf(stderr,
                "omv-rpc: %s answered (%zu-byte result) but no stream followed; "
                "is %s a streaming function?\n",
                name, result_len, name);
        return CLI_EXIT_BAD_RESULT;
    }
    if (st != OMV_RPC_OK) {
        cli_report("stream", st);
        rc = cli_exit_for_call(st);
    }
    if (!opts->quiet) {
        fprintf(stderr, "omv-rpc: %llu frames, %llu bytes in %.2f s (%.1f fps)\n",
                (unsigned long long)s.frames, (unsigned long long)s.bytes, secs,
                secs > 0 ? (double)s.frames / secs : 0.0);
    }
    return rc;
}

int cmd_stream(int argc, char **argv)
{
    static const struct option extra[] = {CLI_ARGUMENT_OPTIONS,
                                          CLI_IMAGE_OPTIONS,
                                          {"out", required_argument, NULL, OPT_OUT},
                                          {"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                          {"queue-depth", required_argument, NULL, OPT_QUEUE_DEPTH},
                                          {"count", required_argument, NULL, OPT_COUNT},
                                          {NULL, 0, NULL, 0}};
    stream_opts o;
    memset(&o, 0, sizeof(o));
    o.queue_depth = CLI_DEFAULT_QUEUE_DEPTH;
    cli_link_opts opts;
    int first = 0;
    int rc = cli_parse(argc, argv, extra, stream_option, &o, 0, &opts, &first);
    if (rc < 0) {
        stream_help();
        return CLI_EXIT_OK;
    }
    if (rc == 0 && first != argc - 1) {
        fprintf(stderr, "omv-rpc stream: give one function NAME (see --help)\n");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && o.out != NULL && o.out_dir != NULL) {
        fprintf(stderr, "omv-rpc stream: give --out or --out-dir, not both\n");
        rc = CLI_EXIT_USAGE;
    }
    const char *name = rc == 0 ? argv[first] : NULL;
    if (rc == 0) {
        rc = cli_image_argument(&o.image, &o.arg, name, "stream");
    }
    if (rc == 0 && o.out_dir == NULL) {
        rc = cli_out_check("stream", o.out, 1);
    }
    if (rc != 0) {
        return rc;
    }
    if (o.out_dir != NULL &&
        cli_out_dir_prepare(o.out_dir, FRAME_PREFIX, FRAME_DIGITS, FRAME_SUFFIX) != 0) {
        return CLI_EXIT_FILE;
    }
    int fd = -1;
    if (o.out_dir == NULL && cli_out_open(o.out, &fd) != CLI_EXIT_OK) {
        return CLI_EXIT_FILE;
    }
    cli_install_signals();
    rc = cli_argument_load(&o.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    if (rc == CLI_EXIT_OK) {
        rc = run_stream(master, &opts, name, &o, fd);
    }
    int close_rc = cli_out_close(o.out, fd);
    cli_free_master(master);
    cli_argument_free(&o.arg);
    return rc != CLI_EXIT_OK ? rc : close_rc;
}
