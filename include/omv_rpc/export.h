/*
 * omvrpc: OMV_RPC_API marks every function the library exports.
 *
 * The library is built with hidden visibility, so only what is marked
 * here is visible from outside the shared library: the declarations in
 * these headers. Everything else (the omvrpc_ internal functions shared
 * by the library's files) stays inside.
 *
 * Windows: the library's own build defines OMV_RPC_BUILDING_LIBRARY and
 * exports with __declspec(dllexport). A program using the DLL needs
 * nothing (functions link through the import library); defining
 * OMV_RPC_USE_DLL adds __declspec(dllimport), which saves one indirection
 * per call.
 */
#ifndef OMV_RPC_EXPORT_H
#define OMV_RPC_EXPORT_H

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(OMV_RPC_BUILDING_LIBRARY)
#define OMV_RPC_API __declspec(dllexport)
#elif defined(OMV_RPC_USE_DLL)
#define OMV_RPC_API __declspec(dllimport)
#else
#define OMV_RPC_API
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define OMV_RPC_API __attribute__((visibility("default")))
#else
#define OMV_RPC_API
#endif

#endif
