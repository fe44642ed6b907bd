/* omv-rpc: the few calls that differ between POSIX and Windows (mingw-w64,
 * MSVC-friendly), so that the subcommands are written once. */
#ifndef OMV_RPC_CLI_PLATFORM_H
#define OMV_RPC_CLI_PLATFORM_H

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#else
#include <unistd.h>
#endif

/* The printf archetype of format checks: mingw-w64's `printf` is msvcrt's,
 * which knows no %zu; omvrpc builds with its C99 printf
 * (__USE_MINGW_ANSI_STDIO), gcc's gnu_printf. */
#if defined(__MINGW32__)
#define CLI_PRINTF_FORMAT gnu_printf
#else
#define CLI_PRINTF_FORMAT printf
#endif

/* Files are bytes: Windows would otherwise turn \n into \r\n in a JPEG. */
#ifdef O_BINARY
#define CLI_O_BINARY O_BINARY
#else
#define CLI_O_BINARY 0
#endif

/* Make a folder (Windows' mkdir takes no mode). 0 or -1 with errno set. */
static inline int cli_mkdir(const char *path)
{
#ifdef _WIN32
    return _mkdir(path);
#else
    return mkdir(path, 0777);
#endif
}

/* The local time of `t`; 0 on success. */
static inline int cli_localtime(time_t t, struct tm *out)
{
#ifdef _WIN32
    return localtime_s(out, &t) == 0 ? 0 : -1;
#else
    return localtime_r(&t, out) != NULL ? 0 : -1;
#endif
}

/* Standard output and input carry bytes unchanged (no newline
 * translation on Windows; nothing to do elsewhere). */
static inline void cli_binary_stdio(void)
{
#ifdef _WIN32
    _setmode(0, O_BINARY);
    _setmode(1, O_BINARY);
#endif
}

#endif
