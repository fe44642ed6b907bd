/* omv-rpc stream NAME: make the call, then read the stream that follows;
 * frames go to numbered files in a folder, or raw one after another to
 * stdout (JPEG frames then make an MJPEG stream that ffplay -f mjpeg
 * plays). Ctrl-C, --count or a closed pipe end it cleanly. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argument.h"
#include "cli.h"
#include "commands.h"
#include "progress.h"

typedef struct stream_opts {
    cli_argument arg;
    const char *out;
    uint32_t queue_depth;
    uint32_t count; /* 0: until Ctrl-C */
} stream_opts;

typedef struct stream_state {
    const stream_opts *o;
    uint64_t frames, bytes;
    cli_progress progress;
    int rc; /* CLI_EXIT_* of the reader callback */
} stream_state;

enum { OPT_OUT = 'o', OPT_QUEUE_DEPTH = 3000, OPT_COUNT };

static int stream_option(void *ctx, int opt, const char *arg)
{
    stream_opts *s = ctx;
    int r = cli_argument_option(&s->arg, opt, arg);
    if (r != 1) {
        return r;
    }
    switch (opt) {
    case OPT_OUT:
        s->out = arg;
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
    if (strcmp(s->o->out, "-") == 0) {
        if (cli_write_all(STDOUT_FILENO, frame, len) != 0) {
            if (errno != EPIPE) {
                fprintf(stderr, "omv-rpc: cannot write stdout: %s\n", strerror(errno));
                s->rc = CLI_EXIT_FILE;
            }
            return 1; /* the player went away: a clean end */
        }
    } else {
        char path[4096];
        snprintf(path, sizeof(path), "%s/frame-%06llu.jpg", s->o->out,
                 (unsigned long long)s->frames + 1);
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
    printf("Usage: omv-rpc stream NAME [argument] [--queue-depth N] [--count N] [--out DIR|-]\n"
           "Call NAME, then read the stream of frames the slave sends.\n"
           "Example: omv-rpc stream jpeg_image_stream --data sensor.RGB565,sensor.QVGA \\\n"
           "             --out - | ffplay -f mjpeg -\n\n" CLI_ARGUMENT_HELP
           "  --queue-depth N     frames in flight, 1..255 (default 1)\n"
           "  --count N           stop after N frames (default: until Ctrl-C)\n"
           "  -o, --out DIR|-     frames to DIR/frame-000001.jpg, ... or raw to stdout (default)\n\n");
    cli_print_link_help(0);
    printf("\n");
    cli_print_exit_codes();
}

int cmd_stream(int argc, char **argv)
{
    static const struct option extra[] = {CLI_ARGUMENT_OPTIONS,
                                          {"out", required_argument, NULL, OPT_OUT},
                                          {"queue-depth", required_argument, NULL, OPT_QUEUE_DEPTH},
                                          {"count", required_argument, NULL, OPT_COUNT},
                                          {NULL, 0, NULL, 0}};
    stream_opts o = {{0}, "-", 1, 0};
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
    if (rc != 0) {
        return rc;
    }
    if (strcmp(o.out, "-") != 0) {
        struct stat st;
        if (mkdir(o.out, 0777) != 0 && !(errno == EEXIST && stat(o.out, &st) == 0 && S_ISDIR(st.st_mode))) {
            fprintf(stderr, "omv-rpc: cannot make the folder %s: %s\n", o.out, strerror(errno));
            return CLI_EXIT_FILE;
        }
    }
    cli_install_signals();
    rc = cli_argument_load(&o.arg);
    omv_rpc_master *master = NULL;
    if (rc == CLI_EXIT_OK) {
        rc = cli_open_master(&opts, &master);
    }
    if (rc == CLI_EXIT_OK) {
        const char *name = argv[first];
        omv_rpc_status st = omv_rpc_master_call(master, name, o.arg.bytes, o.arg.len, NULL, NULL,
                                                opts.send_timeout_ms, opts.recv_timeout_ms);
        if (st != OMV_RPC_OK) {
            cli_report(name, st);
            rc = cli_exit_for_call(st);
        } else {
            stream_state s = {&o, 0, 0, {0}, CLI_EXIT_OK};
            cli_progress_begin(&s.progress, "stream", opts.quiet);
            uint64_t start = cli_now_ms();
            st = omv_rpc_master_stream_reader(master, on_frame, &s, o.queue_depth,
                                              OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS);
            cli_progress_end(&s.progress);
            double secs = (double)(cli_now_ms() - start) / 1000.0;
            if (st != OMV_RPC_OK) {
                cli_report("stream", st);
                rc = cli_exit_for_call(st);
            } else {
                rc = s.rc;
            }
            if (!opts.quiet) {
                fprintf(stderr, "omv-rpc: %llu frames, %llu bytes in %.2f s (%.1f fps)\n",
                        (unsigned long long)s.frames, (unsigned long long)s.bytes, secs,
                        secs > 0 ? (double)s.frames / secs : 0.0);
            }
        }
    }
    omv_rpc_master_free(master);
    cli_argument_free(&o.arg);
    return rc;
}
