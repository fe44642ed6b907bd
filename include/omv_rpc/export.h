/*
 * omvrpc: OMV_RPC_API marks every function the library exports
 * (OMV_RPC_SIM_API those of the virtual camera library, omvrpc_sim).
 *
 * The libraries are built with hidden visibility, so only what is marked
 * here is visible from outside a shared library: the declarations in
 * these headers. Everything else (the omvrpc_ internal functions shared
 * by the library's files) stays inside.
 *
 * Windows: each library's own build defines OMV_RPC_BUILDING_LIBRARY
 * (OMV_RPC_BUILDING_SIM) and exports with __declspec(dllexport). A program
 * using the DLL needs nothing (functions link through the import library);
 * defining OMV_RPC_USE_DLL adds __declspec(dllimport), which saves one
 * indirection per call.
 */
#ifndef OMV_RPC_EXPORT_H
#define OMV_RPC_EXPORT_H

#if defined(_WIN32) || defined(__CYGWIN__)
#define OMV_RPC_EXPORT_ __declspec(dllexport)
#if defined(OMV_RPC_USE_DLL)
#define OMV_RPC_IMPORT_ __declspec(dllimport)
#else
#define OMV_RPC_IMPORT_
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define OMV_RPC_EXPORT_ __attribute__((visibility("default")))
#define OMV_RPC_IMPORT_ __attribute__((visibility("default")))
#else
#define OMV_RPC_EXPORT_
#define OMV_RPC_IMPORT_
#endif

#if defined(OMV_RPC_BUILDING_LIBRARY)
#define OMV_RPC_API OMV_RPC_EXPORT_
#else
#define OMV_RPC_API OMV_RPC_IMPORT_
#endif

#if defined(OMV_RPC_BUILDING_SIM)
#define OMV_RPC_SIM_API OMV_RPC_EXPORT_
#else
#define OMV_RPC_SIM_API OMV_RPC_IMPORT_
#endif

#endif
