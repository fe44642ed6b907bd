/* omv-rpc: the output rule (see output.h). */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_platform.h"

static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int refuse_terminal(const char *cmd)
{
    fprintf(stderr,
            "omv-rpc %s: not writing binary data to a terminal; give --out FILE, or "
            "--out - to write it here anyway\n",
            cmd);
    return CLI_EXIT_USAGE;
}

int cli_out_check(const char *cmd, const char *out, int binary)
{
    if (out != NULL && strcmp(out, "-") != 0 && is_folder(out)) {
        fprintf(stderr, "omv-rpc %s: --out %s is a folder; give a file name%s%s%s\n", cmd, out,
                strcmp(cmd, "stream") == 0 ? " (or --out-dir " : "",
                strcmp(cmd, "stream") == 0 ? out : "",
                strcmp(cmd, "stream") == 0 ? " for numbered files)" : "");
        return CLI_EXIT_USAGE;
    }
    if (out == NULL && binary && isatty(STDOUT_FILENO)) {
        return refuse_terminal(cmd);
    }
    return CLI_EXIT_OK;
}

int cli_out_check_data(const char *cmd, const char *out, const uint8_t *data, size_t len)
{
    if (out != NULL || !isatty(STDOUT_FILENO)) {
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
            return refuse_terminal(cmd);
        }
    }
    return CLI_EXIT_OK;
}

int cli_out_open(const char *out, int *fd)
{
    if (out == NULL || strcmp(out, "-") == 0) {
        *fd = STDOUT_FILENO;
        return CLI_EXIT_OK;
    }
    *fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | CLI_O_BINARY, 0666);
    if (*fd < 0) {
        fprintf(stderr, "omv-rpc: cannot write %s: %s\n", out, strerror(errno));
        return CLI_EXIT_FILE;
    }
    return CLI_EXIT_OK;
}

int cli_out_close(const char *out, int fd)
{
    if (fd == STDOUT_FILENO || fd < 0) {
        return CLI_EXIT_OK;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "omv-rpc: cannot write %s: %s\n", out, strerror(errno));
        return CLI_EXIT_FILE;
    }
    return CLI_EXIT_OK;
}

/* PREFIX, exactly `digits` digits, SUFFIX: one of our numbered files. */
static int is_ours(const char *name, const char *prefix, int digits, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    if (strlen(name) != p + (size_t)digits + s || strncmp(name, prefix, p) != 0 ||
        strcmp(name + p + (size_t)digits, suffix) != 0) {
        return 0;
    }
    for (int i = 0; i < digits; i++) {
        if (name[p + (size_t)i] < '0' || name[p + (size_t)i] > '9') {
            return 0;
        }
    }
    return 1;
}

int cli_out_dir_prepare(const char *dir, const char *prefix, int digits, const char *suffix)
{
    if (cli_mkdir(dir) != 0 && !(errno == EEXIST && is_folder(dir))) {
        fprintf(stderr, "omv-rpc: cannot make the folder %s: %s\n", dir, strerror(errno));
        return CLI_EXIT_FILE;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "omv-rpc: cannot read the folder %s: %s\n", dir, strerror(errno));
        return CLI_EXIT_FILE;
    }
    unsigned long removed = 0;
    char first[256] = "", last[256] = "";
    int rc = CLI_EXIT_OK;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (!is_ours(e->d_name, prefix, digits, suffix)) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) {
            fprintf(stderr, "omv-rpc: cannot remove %s of an earlier run: %s\n", path,
                    strerror(errno));
            rc = CLI_EXIT_FILE;
            break;
        }
        /* Same length and pattern: string order is number order. */
        if (removed == 0 || strcmp(e->d_name, first) < 0) {
            snprintf(first, sizeof(first), "%s", e->d_name);
        }
        if (removed == 0 || strcmp(e->d_name, last) > 0) {
            snprintf(last, sizeof(last), "%s", e->d_name);
        }
        removed++;
    }
    closedir(d);
    if (removed == 1) {
        fprintf(stderr, "omv-rpc: removed %s/%s of an earlier run\n", dir, first);
    } else if (removed > 1) {
        fprintf(stderr, "omv-rpc: removed %lu files of an earlier run from %s (%s to %s)\n",
                removed, dir, first, last);
    }
    return rc;
}
