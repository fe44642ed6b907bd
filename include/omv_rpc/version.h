/*
 * omvrpc: the version.
 *
 * This file is the one place the version is written. CMake reads these
 * three numbers for its project version (and so for the shared library's
 * file name, the CMake package and the pkg-config file); omv-rpc
 * --version and the Python package print the same. Semantic versioning:
 * before 1.0.0 a minor version may change the API (CHANGELOG.md lists
 * every change).
 */
#ifndef OMV_RPC_VERSION_H
#define OMV_RPC_VERSION_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OMV_RPC_VERSION_MAJOR 0
#define OMV_RPC_VERSION_MINOR 2
#define OMV_RPC_VERSION_PATCH 0

#define OMV_RPC_VERSION_STR_(x) #x
#define OMV_RPC_VERSION_STR(x) OMV_RPC_VERSION_STR_(x)
/* "MAJOR.MINOR.PATCH", e.g. "0.2.0". */
#define OMV_RPC_VERSION_STRING                 \
    OMV_RPC_VERSION_STR(OMV_RPC_VERSION_MAJOR) \
    "." OMV_RPC_VERSION_STR(OMV_RPC_VERSION_MINOR) "." OMV_RPC_VERSION_STR(OMV_RPC_VERSION_PATCH)
/* One number that compares as the version does: 0.2.0 is 200. */
#define OMV_RPC_VERSION_NUMBER \
    (OMV_RPC_VERSION_MAJOR * 10000 + OMV_RPC_VERSION_MINOR * 100 + OMV_RPC_VERSION_PATCH)

/* The version of the library the program runs with (which may differ
 * from the OMV_RPC_VERSION_* it was compiled against, with a shared
 * library): "MAJOR.MINOR.PATCH". A static string: never free it.
 * Thread-safe. */
OMV_RPC_API const char *omv_rpc_version(void);

#ifdef __cplusplus
}
#endif

#endif
