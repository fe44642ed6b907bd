/*
 * omvrpc: status codes and the log hook.
 *
 * Every function of the library that can fail returns an omv_rpc_status.
 * OMV_RPC_OK is zero; every failure is negative and has its own name
 * (omv_rpc_status_name) and a sentence a user can act on
 * (omv_rpc_status_message). The library never prints, exits or aborts.
 */
#ifndef OMV_RPC_STATUS_H
#define OMV_RPC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum omv_rpc_status {
    OMV_RPC_OK = 0,

    /* Protocol and call outcomes. */
    OMV_RPC_ERR_TIMEOUT = -1,          /* a link read or write ran out of time */
    OMV_RPC_ERR_SEND_TIMEOUT = -2,     /* call phase 1: the slave never took the command */
    OMV_RPC_ERR_RECV_TIMEOUT = -3,     /* call phase 2: no valid result arrived in time */
    OMV_RPC_ERR_TOO_LARGE = -4,        /* a length is over the configured limit */
    OMV_RPC_ERR_BAD_PACKET = -5,       /* wrong magic, wrong length or bad CRC */
    OMV_RPC_ERR_STREAM_ENDED = -6,     /* the stream peer stopped (timeout, bad header, bad ack) */
    OMV_RPC_ERR_STOPPED = -7,          /* omv_rpc_slave_stop() or a callback ended the loop */
    OMV_RPC_ERR_BUFFER_TOO_SMALL = -8, /* the caller's buffer cannot hold the data */
    OMV_RPC_ERR_ABORTED = -9,          /* omv_rpc_master_abort() ended the call or stream */

    /* Usage and resources. */
    OMV_RPC_ERR_INVALID_ARG = -20, /* NULL handle, bad parameter */
    OMV_RPC_ERR_NO_MEMORY = -21,   /* allocation failed or no allocator configured */
    OMV_RPC_ERR_UNSUPPORTED = -22, /* not available on this platform or link */
    OMV_RPC_ERR_FULL = -23,        /* a fixed-size table is full */

    /* Link failures. */
    OMV_RPC_ERR_LINK = -40,           /* an I/O error on the link */
    OMV_RPC_ERR_CLOSED = -41,         /* the peer closed the link (hang-up, EOF) */
    OMV_RPC_ERR_NO_SUCH_PORT = -42,   /* the device or interface does not exist */
    OMV_RPC_ERR_PERMISSION = -43,     /* permission denied (serial: join the dialout group) */
    OMV_RPC_ERR_BUSY = -44,           /* the port is in use by another program */
    OMV_RPC_ERR_NO_DEVICE = -45,      /* "auto": no OpenMV Cam is attached */
    OMV_RPC_ERR_AMBIGUOUS = -46,      /* "auto": several OpenMV Cams are attached */
    OMV_RPC_ERR_ADDR_IN_USE = -47,    /* network: the address and port are taken */
    OMV_RPC_ERR_HOST_NOT_FOUND = -48, /* network: the host name does not resolve */
    OMV_RPC_ERR_UNREACHABLE = -49,    /* network: no route to the host or network */
    OMV_RPC_ERR_REFUSED = -50,        /* network: the connection was refused */
    OMV_RPC_ERR_LINK_DOWN = -51,      /* CAN: the interface is down, or bus off */
    OMV_RPC_ERR_NOT_READY = -52, /* I2C/SPI: the slave answered all-equal bytes; V2: no frame */

    /* OpenMV Protocol V2 (omv_rpc/v2.h). */
    OMV_RPC_ERR_NAK = -60,  /* the device refused the command (omv_rpc_v2_last_device_status) */
    OMV_RPC_ERR_RESET = -61 /* the device soft-rebooted during the command: retry */
} omv_rpc_status;

/* The enum constant's name, e.g. "OMV_RPC_ERR_TIMEOUT"; "OMV_RPC_UNKNOWN"
 * for a value that is not a status. Returns a static string: never free it.
 * Thread-safe. */
OMV_RPC_API const char *omv_rpc_status_name(omv_rpc_status status);

/* A one-line English description of the status. Static string; thread-safe. */
OMV_RPC_API const char *omv_rpc_status_message(omv_rpc_status status);

typedef enum omv_rpc_log_level {
    OMV_RPC_LOG_ERROR = 0,
    OMV_RPC_LOG_WARNING = 1,
    OMV_RPC_LOG_INFO = 2,
    OMV_RPC_LOG_DEBUG = 3
} omv_rpc_log_level;

/* A user-set log hook. `message` is a NUL-terminated line without a
 * trailing newline, valid only during the call. The hook is called on the
 * thread that called into the library. */
typedef void (*omv_rpc_log_fn)(void *user_data, omv_rpc_log_level level, const char *message);

/* A log hook and its user data; {NULL, NULL} means "no logging". */
typedef struct omv_rpc_log {
    omv_rpc_log_fn fn;
    void *user_data;
} omv_rpc_log;

#ifdef __cplusplus
}
#endif

#endif
