/* Serial links on Windows: the Win32 comm API (CreateFile, SetCommState,
 * SetCommTimeouts, ReadFile, WriteFile) behind the same link table as
 * the termios link.
 *
 * Every ReadFile is bounded by COMMTIMEOUTS set for the time left: with
 * ReadIntervalTimeout and ReadTotalTimeoutMultiplier at MAXDWORD, a read
 * returns as soon as any byte is there, or after ReadTotalTimeoutConstant
 * with none. Timeouts bound silence (quiet timeouts, link.h), and no
 * ReadFile or WriteFile waits longer than OMV_RPC_LINK_WATCH_MS while the
 * owner watches. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "omv_rpc/clock.h"
#include "serial_internal.h"
#include "common/watch.h"

typedef struct serial_port {
    HANDLE handle;
    uint32_t baudrate;
    DWORD read_wait; /* the ReadTotalTimeoutConstant in force; MAXDWORD: none set */
    omv_rpc_watcher watcher;
} serial_port;

/* The errors a vanished device (unplugged USB port) gives. */
static omv_rpc_status io_error(DWORD err)
{
    switch (err) {
    case ERROR_OPERATION_ABORTED:
    case ERROR_BAD_COMMAND:
    case ERROR_DEVICE_REMOVED:
    case ERROR_GEN_FAILURE:
    case ERROR_DEVICE_NOT_CONNECTED:
    case ERROR_ACCESS_DENIED:
    case ERROR_INVALID_HANDLE:
        return OMV_RPC_ERR_CLOSED;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

/* Make the next ReadFile wait at most `wait_ms` for its first byte
 * (0: return at once with what is there). */
static int set_read_wait(serial_port *p, DWORD wait_ms)
{
    if (p->read_wait == wait_ms) {
        return 1;
    }
    COMMTIMEOUTS t;
    memset(&t, 0, sizeof t);
    t.ReadIntervalTimeout = MAXDWORD;
    if (wait_ms) {
        t.ReadTotalTimeoutMultiplier = MAXDWORD;
        t.ReadTotalTimeoutConstant = wait_ms;
    }
    /* Each WriteFile gives up after a watch interval with what it wrote;
     * put_bytes loops until its silence runs out. */
    t.WriteTotalTimeoutConstant = OMV_RPC_LINK_WATCH_MS;
    if (!SetCommTimeouts(p->handle, &t)) {
        p->read_wait = MAXDWORD;
        return 0;
    }
    p->read_wait = wait_ms;
    return 1;
}

static omv_rpc_status serial_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    serial_port *p = ctx;
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    omv_rpc_status st = omvrpc_watcher_ask(&p->watcher);
    int first = 1;
    while (len && st == OMV_RPC_OK) {
        uint32_t wait_ms = 0;
        if (!first) {
            st = omvrpc_quiet_wait(&q, &p->watcher, &wait_ms);
            if (st != OMV_RPC_OK) {
                break;
            }
        } else {
            /* The first read may wait for what is left of the silence. */
            uint32_t left = omvrpc_quiet_left(&q);
            wait_ms = p->watcher.fn && left > OMV_RPC_LINK_WATCH_MS ? OMV_RPC_LINK_WATCH_MS : left;
        }
        first = 0;
        /* MAXDWORD is not a valid total timeout: stay below it. */
        if (!set_read_wait(p, wait_ms >= MAXDWORD ? MAXDWORD - 1 : (DWORD)wait_ms)) {
            return io_error(GetLastError());
        }
        DWORD chunk = len > 0x10000000u ? 0x10000000u : (DWORD)len;
        DWORD got = 0;
        if (!ReadFile(p->handle, buf, chunk, &got, NULL)) {
            return io_error(GetLastError());
        }
        if (got) {
            omvrpc_quiet_moved(&q);
        }
        buf += got;
        len -= got;
    }
    return st;
}

static omv_rpc_status serial_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    serial_port *p = ctx;
    omv_rpc_quiet q;
    omvrpc_quiet_start(&q, timeout_ms);
    omv_rpc_status st = omvrpc_watcher_ask(&p->watcher);
    if (st != OMV_RPC_OK) {
        return st;
    }
    while (len) {
        DWORD chunk = len > 0x10000000u ? 0x10000000u : (DWORD)len;
        DWORD put = 0;
        if (!WriteFile(p->handle, buf, chunk, &put, NULL)) {
            DWORD err = GetLastError();
            if (err != ERROR_SEM_TIMEOUT) { /* some USB drivers report a timeout so */
                return io_error(err);
            }
            put = 0;
        }
        buf += put;
        len -= put;
        if (put) {
            omvrpc_quiet_moved(&q);
        } else if (len) {
            uint32_t unused;
            st = omvrpc_quiet_wait(&q, &p->watcher, &unused); /* no progress: time? stop? */
            if (st != OMV_RPC_OK) {
                return st;
            }
        }
    }
    return OMV_RPC_OK;
}

static void serial_flush(void *ctx)
{
    serial_port *p = ctx;
    PurgeComm(p->handle, PURGE_RXCLEAR);
}

static void serial_close(void *ctx)
{
    serial_port *p = ctx;
    CloseHandle(p->handle);
    free(p);
}

static uint32_t serial_transfer_ms(void *ctx, size_t len)
{
    serial_port *p = ctx;
    return omvrpc_serial_wire_ms(p->baudrate, 0, len);
}

static void serial_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    omvrpc_watcher_set(&((serial_port *)ctx)->watcher, fn, arg);
}

static omv_rpc_status serial_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                                  uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_recv_each(serial_get, ctx, iov, count, timeout_ms);
}

static omv_rpc_status serial_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                                  uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    return omv_rpc_link_send_each(serial_put, ctx, iov, count, timeout_ms);
}

static const omv_rpc_link_ops serial_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = serial_recv,
    .send = serial_send,
    .flush = serial_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = serial_close,
    .transfer_ms = serial_transfer_ms,
    .watch = serial_watch,
};

static omv_rpc_status open_error(const char *name, DWORD err, const omv_rpc_log *log)
{
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "no serial port %s", name);
        return OMV_RPC_ERR_NO_SUCH_PORT;
    case ERROR_ACCESS_DENIED: /* Windows' answer for a port already open */
    case ERROR_SHARING_VIOLATION:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "%s is in use by another program (OpenMV IDE, a serial monitor?)", name);
        return OMV_RPC_ERR_BUSY;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return OMV_RPC_ERR_NO_MEMORY;
    default:
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "cannot open %s (Windows error %lu)", name,
                         (unsigned long)err);
        return OMV_RPC_ERR_LINK;
    }
}

omv_rpc_status omv_rpc_serial_open(omv_rpc_link *link, const char *port, uint32_t baudrate,
                                   const omv_rpc_log *log)
{
    if (!link) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    memset(link, 0, sizeof *link);
    char name[256], path[272];
    omv_rpc_status st = omvrpc_serial_resolve_port(port, name, sizeof name, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    /* COM10 and above only open through the device namespace. */
    if (strncmp(name, "\\\\.\\", 4) == 0) {
        memcpy(path, name, strlen(name) + 1);
    } else {
        memcpy(path, "\\\\.\\", 4);
        memcpy(path + 4, name, strlen(name) + 1);
    }
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        return open_error(name, GetLastError(), log);
    }
    DCB dcb;
    memset(&dcb, 0, sizeof dcb);
    dcb.DCBlength = sizeof dcb;
    if (!GetCommState(h, &dcb)) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s is not a serial port", name);
        CloseHandle(h);
        return OMV_RPC_ERR_NO_SUCH_PORT;
    }
    /* Raw 8N1, no flow control; DTR and RTS raised as terminals do. */
    if (baudrate) {
        dcb.BaudRate = baudrate;
    }
    dcb.fBinary = TRUE;
    dcb.fParity = FALSE;
    dcb.ByteSize = 8;
    dcb.Parity = NOPARITY;
    dcb.StopBits = ONESTOPBIT;
    dcb.fOutxCtsFlow = FALSE;
    dcb.fOutxDsrFlow = FALSE;
    dcb.fDtrControl = DTR_CONTROL_ENABLE;
    dcb.fDsrSensitivity = FALSE;
    dcb.fOutX = FALSE;
    dcb.fInX = FALSE;
    dcb.fErrorChar = FALSE;
    dcb.fNull = FALSE;
    dcb.fRtsControl = RTS_CONTROL_ENABLE;
    dcb.fAbortOnError = FALSE;
    if (!SetCommState(h, &dcb)) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "%s: the driver refuses %lu baud 8N1", name,
                         (unsigned long)baudrate);
        CloseHandle(h);
        return OMV_RPC_ERR_UNSUPPORTED;
    }
    SetupComm(h, 65536, 65536); /* a hint; drivers may keep their own sizes */
    PurgeComm(h, PURGE_RXCLEAR | PURGE_TXCLEAR);
    serial_port *p = calloc(1, sizeof *p);
    if (!p) {
        CloseHandle(h);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    p->handle = h;
    p->baudrate = baudrate;
    p->read_wait = MAXDWORD;
    if (!set_read_wait(p, 0)) {
        CloseHandle(h);
        free(p);
        return OMV_RPC_ERR_LINK;
    }
    *link =
        (omv_rpc_link){.ops = &serial_ops, .ctx = p, .flags = omvrpc_serial_link_flags(baudrate)};
    return OMV_RPC_OK;
}
