/*
 * A helper for the omv-rpc command-line tests (tests/cli/test_cli.sh): it
 * checks the files the tool writes and makes the odd resource the shell
 * cannot. Exit 0 when the check passes, 1 (with the reason on stderr) when
 * it fails, 2 on bad usage.
 *
 *   jpeg FILE W H          FILE is one JPEG (SOI...EOI) of W x H that decodes
 *   mjpeg FILE W H         FILE is JPEGs back to back, each W x H; prints the count
 *   bmp FILE JPEG          the screenshot FILE is mostly not black and its mean
 *                          colour is close to the decoded JPEG's
 *   pty-hold               open a pseudo-terminal, print its path, keep it open
 *                          (nobody answering) until killed
 *   free-port              print a port free for UDP and TCP on 127.0.0.1 and .2
 *   on-tty CMD...          run CMD with its stdout on a new pseudo-terminal (what
 *                          it writes there comes out on our stdout); exit with
 *                          CMD's exit status
 */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <unistd.h>

#include <SDL.h>
#include <turbojpeg.h>

static int fail(const char *what)
{
    fprintf(stderr, "test_cli_helper: %s\n", what);
    return 1;
}

static unsigned char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Decode one JPEG to RGB; check its size when w, h > 0. Returns the pixels
 * (malloc'd) or NULL. */
static unsigned char *decode(const unsigned char *jpeg, size_t len, int want_w, int want_h,
                             int *out_w, int *out_h)
{
    if (len < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 || jpeg[len - 2] != 0xFF ||
        jpeg[len - 1] != 0xD9) {
        fail("not a JPEG: no SOI at the start or no EOI at the end");
        return NULL;
    }
    tjhandle tj = tjInitDecompress();
    int w = 0, h = 0, ss = 0, cs = 0;
    unsigned char *rgb = NULL;
    if (tj != NULL && tjDecompressHeader3(tj, jpeg, (unsigned long)len, &w, &h, &ss, &cs) == 0) {
        if ((want_w > 0 && w != want_w) || (want_h > 0 && h != want_h)) {
            fprintf(stderr, "test_cli_helper: JPEG is %dx%d, expected %dx%d\n", w, h, want_w,
                    want_h);
        } else if ((rgb = malloc((size_t)w * (size_t)h * 3)) != NULL &&
                   tjDecompress2(tj, jpeg, (unsigned long)len, rgb, w, 0, h, TJPF_RGB, 0) != 0) {
            fprintf(stderr, "test_cli_helper: JPEG does not decode: %s\n", tjGetErrorStr2(tj));
            free(rgb);
            rgb = NULL;
        }
    } else {
        fail("JPEG header does not parse");
    }
    if (tj != NULL) {
        tjDestroy(tj);
    }
    *out_w = w;
    *out_h = h;
    return rgb;
}

static int check_jpeg(const char *path, int w, int h)
{
    size_t len = 0;
    unsigned char *data = load(path, &len);
    if (data == NULL) {
        return fail("cannot read the file");
    }
    int dw, dh;
    unsigned char *rgb = decode(data, len, w, h, &dw, &dh);
    free(data);
    free(rgb);
    return rgb != NULL ? 0 : 1;
}

/* Frames back to back: a frame ends at the first EOI marker (FF D9) after
 * its SOI; entropy-coded data stuffs FF bytes, so EOI cannot occur inside. */
static int check_mjpeg(const char *path, int w, int h)
{
    size_t len = 0;
    unsigned char *data = load(path, &len);
    if (data == NULL) {
        return fail("cannot read the file");
    }
    int count = 0, rc = 0;
    size_t at = 0;
    while (at < len && rc == 0) {
        size_t end = at + 2;
        while (end + 1 < len && !(data[end] == 0xFF && data[end + 1] == 0xD9)) {
            end++;
        }
        if (end + 1 >= len) {
            rc = fail("the stream ends inside a frame");
            break;
        }
        int dw, dh;
        unsigned char *rgb = decode(data + at, end + 2 - at, w, h, &dw, &dh);
        rc = rgb != NULL ? 0 : 1;
        free(rgb);
        count++;
        at = end + 2;
    }
    free(data);
    printf("%d\n", count);
    return rc != 0 || count == 0;
}

static int check_bmp(const char *bmp_path, const char *jpeg_path)
{
    SDL_Surface *loaded = SDL_LoadBMP(bmp_path);
    if (loaded == NULL) {
        return fail("cannot load the BMP");
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(loaded);
    size_t len = 0;
    unsigned char *jpeg = load(jpeg_path, &len);
    int jw = 0, jh = 0;
    unsigned char *rgb = jpeg != NULL ? decode(jpeg, len, 0, 0, &jw, &jh) : NULL;
    free(jpeg);
    if (s == NULL || rgb == NULL) {
        SDL_FreeSurface(s);
        free(rgb);
        return fail("cannot decode the screenshot or the JPEG");
    }
    double shot[3] = {0, 0, 0}, frame[3] = {0, 0, 0};
    long lit = 0, total = (long)s->w * s->h;
    for (int y = 0; y < s->h; y++) {
        const unsigned char *row = (const unsigned char *)s->pixels + (size_t)y * (size_t)s->pitch;
        for (int x = 0; x < s->w; x++) {
            const unsigned char *p = row + 3 * x;
            lit += p[0] + p[1] + p[2] > 30;
            for (int c = 0; c < 3; c++) {
                shot[c] += p[c];
            }
        }
    }
    for (long i = 0; i < (long)jw * jh; i++) {
        for (int c = 0; c < 3; c++) {
            frame[c] += rgb[3 * i + c];
        }
    }
    int rc = 0;
    printf("screenshot %dx%d, %.0f%% lit, mean", s->w, s->h, 100.0 * (double)lit / (double)total);
    for (int c = 0; c < 3; c++) {
        shot[c] /= (double)total;
        frame[c] /= (double)jw * jh;
        printf(" %.0f/%.0f", shot[c], frame[c]);
        if (shot[c] - frame[c] > 40 || frame[c] - shot[c] > 40) {
            rc = 1;
        }
    }
    printf("\n");
    if (lit * 2 < total) {
        rc = fail("the screenshot is mostly black");
    } else if (rc != 0) {
        fail("the screenshot's mean colour is far from the frame's");
    }
    SDL_FreeSurface(s);
    free(rgb);
    return rc;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static int pty_hold(void)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname(fd) == NULL) {
        return fail("no pseudo-terminal");
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("%s\n", ptsname(fd));
    fflush(stdout);
    for (;;) {
        pause();
    }
}

static int bind_ok(int type, const char *addr, unsigned short port)
{
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, addr, &a.sin_addr);
    int ok = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (s >= 0) {
        close(s);
    }
    return ok;
}

static int free_port(void)
{
    for (unsigned tries = 0; tries < 200; tries++) {
        unsigned short port = (unsigned short)(20000 + (getpid() * 7 + tries * 131) % 40000);
        if (bind_ok(SOCK_DGRAM, "127.0.0.1", port) && bind_ok(SOCK_STREAM, "127.0.0.1", port) &&
            bind_ok(SOCK_DGRAM, "127.0.0.2", port) && bind_ok(SOCK_STREAM, "127.0.0.2", port)) {
            printf("%u\n", port);
            return 0;
        }
    }
    return fail("no free port");
}

static int on_tty(char **cmd)
{
    int controller = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = NULL;
    if (controller < 0 || grantpt(controller) != 0 || unlockpt(controller) != 0 ||
        (name = ptsname(controller)) == NULL) {
        return fail("no pseudo-terminal");
    }
    int terminal = open(name, O_RDWR | O_NOCTTY);
    if (terminal < 0) {
        return fail("cannot open the pseudo-terminal");
    }
    pid_t pid = fork();
    if (pid < 0) {
        return fail("cannot fork");
    }
    if (pid == 0) {
        dup2(terminal, STDOUT_FILENO);
        close(terminal);
        close(controller);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    close(terminal);
    /* Drain the terminal (its buffer is small) until the child is gone:
     * reads then fail with EIO. */
    char buf[4096];
    for (;;) {
        ssize_t n = read(controller, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        fwrite(buf, 1, (size_t)n, stdout);
    }
    fflush(stdout);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(controller);
    return WIFEXITED(status) ? WEXITSTATUS(status)
                             : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "on-tty") == 0) {
        return on_tty(argv + 2);
    }
    if (argc == 5 && strcmp(argv[1], "jpeg") == 0) {
        return check_jpeg(argv[2], atoi(argv[3]), atoi(argv[4]));
    }
    if (argc == 5 && strcmp(argv[1], "mjpeg") == 0) {
        return check_mjpeg(argv[2], atoi(argv[3]), atoi(argv[4]));
    }
    if (argc == 4 && strcmp(argv[1], "bmp") == 0) {
        return check_bmp(argv[2], argv[3]);
    }
    if (argc == 2 && strcmp(argv[1], "pty-hold") == 0) {
        return pty_hold();
    }
    if (argc == 2 && strcmp(argv[1], "free-port") == 0) {
        return free_port();
    }
    fprintf(stderr, "usage: test_cli_helper jpeg|mjpeg|bmp|pty-hold|free-port|on-tty ...\n");
    return 2;
}
