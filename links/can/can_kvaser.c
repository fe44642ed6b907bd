/* Kvaser CANlib backend, loaded at run time (dlopen / LoadLibrary) so the
 * build needs no SDK and a program without CANlib installed still runs
 * (opening then fails with OMV_RPC_ERR_UNSUPPORTED and a clear log line).
 * Each link holds its own reference to the library. */
#include <stdlib.h>
#include <string.h>

#include "can_internal.h"
#include "omv_rpc/clock.h"

#ifdef _WIN32
#include <windows.h>
#define KV_CALL __stdcall
#define KV_DEFAULT_LIBRARY "canlib32.dll"
typedef HMODULE kv_lib;
static kv_lib kv_load(const char *path)
{
    return LoadLibraryA(path);
}
static void kv_unload(kv_lib lib)
{
    FreeLibrary(lib);
}
/* Copy a function's address into `dest` (a function pointer of `size`
 * bytes); 0 when the library has no such function. */
static int load_fn(kv_lib lib, const char *name, void *dest, size_t size)
{
    FARPROC p = GetProcAddress(lib, name);
    if (p) {
        memcpy(dest, &p, size);
    }
    return p != NULL;
}
#else
#include <dlfcn.h>
#define KV_CALL
#define KV_DEFAULT_LIBRARY "libcanlib.so.1"
typedef void *kv_lib;
static kv_lib kv_load(const char *path)
{
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}
static void kv_unload(kv_lib lib)
{
    dlclose(lib);
}
/* dlsym gives an object pointer; ISO C has no conversion to a function
 * pointer, so copy the bits (POSIX guarantees they match). */
static int load_fn(kv_lib lib, const char *name, void *dest, size_t size)
{
    void *p = dlsym(lib, name);
    if (p) {
        memcpy(dest, &p, size);
    }
    return p != NULL;
}
#endif

/* CANlib's values (canlib.h, canstat.h). */
#define canOK 0
#define canERR_NOMSG (-2)
#define canERR_TIMEOUT (-7)
#define canERR_TXBUFOFL (-13)
#define canMSG_RTR 0x0001u
#define canMSG_STD 0x0002u
#define canMSG_EXT 0x0004u
#define canMSG_ERROR_FRAME 0x0020u
#define canSTAT_BUS_OFF 0x00000002ul
#define canOPEN_ACCEPT_VIRTUAL 0x0020

typedef void(KV_CALL *fn_init)(void);
typedef int(KV_CALL *fn_open)(int channel, int flags);
typedef int(KV_CALL *fn_handle)(int handle);
typedef int(KV_CALL *fn_params)(int handle, long freq, unsigned int tseg1, unsigned int tseg2,
                                unsigned int sjw, unsigned int no_samp, unsigned int syncmode);
typedef int(KV_CALL *fn_filter)(int handle, unsigned int code, unsigned int mask, int is_ext);
typedef int(KV_CALL *fn_write_wait)(int handle, long id, void *msg, unsigned int dlc,
                                    unsigned int flag, unsigned long timeout);
typedef int(KV_CALL *fn_read_wait)(int handle, long *id, void *msg, unsigned int *dlc,
                                   unsigned int *flag, unsigned long *time, unsigned long timeout);
typedef int(KV_CALL *fn_status)(int handle, unsigned long *flags);
typedef int(KV_CALL *fn_error_text)(int err, char *buf, unsigned int size);

typedef struct kv_api {
    fn_init canInitializeLibrary;
    fn_open canOpenChannel;
    fn_params canSetBusParams;
    fn_filter canSetAcceptanceFilter; /* optional: the link filters too */
    fn_handle canBusOn, canBusOff, canClose, canFlushReceiveQueue;
    fn_write_wait canWriteWait;
    fn_read_wait canReadWait;
    fn_status canReadStatus;
    fn_error_text canGetErrorText; /* optional */
} kv_api;

typedef struct kv_can {
    kv_lib lib;
    kv_api api;
    int handle;
    omv_rpc_log log;
} kv_can;

static const char *load_api(kv_lib lib, kv_api *api)
{
#define REQUIRED(f)                                  \
    if (!load_fn(lib, #f, &api->f, sizeof api->f)) { \
        return #f;                                   \
    }
    REQUIRED(canInitializeLibrary)
    REQUIRED(canOpenChannel)
    REQUIRED(canSetBusParams)
    REQUIRED(canBusOn)
    REQUIRED(canBusOff)
    REQUIRED(canClose)
    REQUIRED(canFlushReceiveQueue)
    REQUIRED(canWriteWait)
    REQUIRED(canReadWait)
    REQUIRED(canReadStatus)
#undef REQUIRED
    load_fn(lib, "canSetAcceptanceFilter", &api->canSetAcceptanceFilter,
            sizeof api->canSetAcceptanceFilter);
    load_fn(lib, "canGetErrorText", &api->canGetErrorText, sizeof api->canGetErrorText);
    return NULL;
}

static void log_error(kv_can *k, const char *what, int err)
{
    char text[128] = "";
    if (k->api.canGetErrorText) {
        k->api.canGetErrorText(err, text, sizeof text);
        text[sizeof text - 1] = 0;
    }
    omvrpc_link_logf(&k->log, OMV_RPC_LOG_ERROR, "can: kvaser %s failed: %d %s", what, err, text);
}

static int bus_off(kv_can *k)
{
    unsigned long flags = 0;
    return k->api.canReadStatus(k->handle, &flags) == canOK && (flags & canSTAT_BUS_OFF);
}

/* A timeout or a full queue: bus off when the controller says so. */
static omv_rpc_status stalled(kv_can *k)
{
    if (bus_off(k)) {
        omvrpc_link_logf(&k->log, OMV_RPC_LOG_ERROR, "can: kvaser channel is bus off");
        return OMV_RPC_ERR_LINK_DOWN;
    }
    return OMV_RPC_ERR_TIMEOUT;
}

static omv_rpc_status kv_send(void *ctx, const omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    kv_can *k = ctx;
    unsigned int flag = (frame->flags & OMV_RPC_CAN_FRAME_EXT) ? canMSG_EXT : canMSG_STD;
    if (frame->flags & OMV_RPC_CAN_FRAME_RTR) {
        flag |= canMSG_RTR;
    }
    uint8_t data[8];
    memcpy(data, frame->data, 8);
    int r = k->api.canWriteWait(k->handle, (long)frame->id, data, frame->len, flag,
                                timeout_ms ? timeout_ms : 1u);
    if (r == canOK) {
        return OMV_RPC_OK;
    }
    if (r == canERR_TIMEOUT || r == canERR_TXBUFOFL) {
        return stalled(k);
    }
    log_error(k, "canWriteWait", r);
    return OMV_RPC_ERR_LINK;
}

static omv_rpc_status kv_recv(void *ctx, omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    kv_can *k = ctx;
    const uint32_t start = omv_rpc_clock_ms(NULL);
    for (;;) {
        long id = 0;
        unsigned int dlc = 0, flag = 0;
        unsigned long stamp = 0;
        uint8_t data[8] = {0};
        uint32_t spent = omv_rpc_clock_ms(NULL) - start;
        int r = k->api.canReadWait(k->handle, &id, data, &dlc, &flag, &stamp,
                                   spent >= timeout_ms ? 0u : timeout_ms - spent);
        if (r == canERR_NOMSG || r == canERR_TIMEOUT) {
            return stalled(k);
        }
        if (r != canOK) {
            log_error(k, "canReadWait", r);
            return OMV_RPC_ERR_LINK;
        }
        if (flag & canMSG_ERROR_FRAME) {
            continue;
        }
        frame->id = (uint32_t)id;
        frame->flags = (uint8_t)(((flag & canMSG_EXT) ? OMV_RPC_CAN_FRAME_EXT : 0) |
                                 ((flag & canMSG_RTR) ? OMV_RPC_CAN_FRAME_RTR : 0));
        frame->len = (uint8_t)(dlc > 8 ? 8 : dlc);
        memcpy(frame->data, data, 8);
        return OMV_RPC_OK;
    }
}

static void kv_flush(void *ctx)
{
    kv_can *k = ctx;
    k->api.canFlushReceiveQueue(k->handle);
}

static void kv_close(void *ctx)
{
    kv_can *k = ctx;
    if (k->handle >= 0) {
        k->api.canBusOff(k->handle);
        k->api.canClose(k->handle);
    }
    kv_unload(k->lib);
    free(k);
}

static const omv_rpc_can_bus_ops kv_ops = {kv_send, kv_recv, kv_flush, kv_close};

/* Open the channel and go bus on; OMV_RPC_OK or the failure. */
static omv_rpc_status start_channel(kv_can *k, int channel, uint32_t message_id, uint32_t bit_rate,
                                    const omv_rpc_can_timing *t)
{
    k->api.canInitializeLibrary();
    k->handle = k->api.canOpenChannel(channel, canOPEN_ACCEPT_VIRTUAL);
    if (k->handle < 0) {
        log_error(k, "canOpenChannel", k->handle);
        omvrpc_link_logf(&k->log, OMV_RPC_LOG_ERROR, "can: no kvaser channel %d", channel);
        return OMV_RPC_ERR_NO_SUCH_PORT;
    }
    int r = k->api.canSetBusParams(k->handle, (long)bit_rate, t->tseg1, t->tseg2, t->sjw, 1, 0);
    if (r != canOK) {
        log_error(k, "canSetBusParams", r);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (k->api.canSetAcceptanceFilter) {
        r = k->api.canSetAcceptanceFilter(k->handle, message_id, 0x7FFu, 0);
        if (r != canOK) {
            log_error(k, "canSetAcceptanceFilter", r); /* the link filters anyway */
        }
    }
    r = k->api.canBusOn(k->handle);
    if (r != canOK) {
        log_error(k, "canBusOn", r);
        return OMV_RPC_ERR_LINK;
    }
    if (bus_off(k)) {
        omvrpc_link_logf(&k->log, OMV_RPC_LOG_ERROR,
                         "can: kvaser channel %d is bus off (check wiring, termination and "
                         "that every node uses %u bit/s)",
                         channel, (unsigned)bit_rate);
        return OMV_RPC_ERR_LINK_DOWN;
    }
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_can_open_kvaser(omv_rpc_link *link, int channel, uint32_t message_id,
                                       uint32_t bit_rate, uint32_t sample_point,
                                       const char *library, const omv_rpc_log *log)
{
    if (!link || channel < 0) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_status st = omvrpc_can_check_params(message_id, bit_rate, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    omv_rpc_can_timing timing;
    if (omv_rpc_can_bit_timing(sample_point, &timing) != OMV_RPC_OK) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: no bit timing of 8 quanta has a sample point of %u%% (try 75, 50, "
                         "88, 63 or 25)",
                         (unsigned)sample_point);
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (!library) {
        library = getenv("OMV_RPC_CANLIB");
    }
    if (!library || !*library) {
        library = KV_DEFAULT_LIBRARY;
    }
    kv_lib lib = kv_load(library);
    if (!lib) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "can: cannot load Kvaser CANlib (%s): install Kvaser's CANlib (linuxcan "
                         "or the Windows driver), or name the library in OMV_RPC_CANLIB",
                         library);
        return OMV_RPC_ERR_UNSUPPORTED;
    }
    kv_can *k = calloc(1, sizeof *k);
    if (!k) {
        kv_unload(lib);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    k->lib = lib;
    k->handle = -1;
    if (log) {
        k->log = *log;
    }
    const char *missing = load_api(lib, &k->api);
    if (missing) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "can: %s has no function %s: not Kvaser CANlib?",
                         library, missing);
        st = OMV_RPC_ERR_UNSUPPORTED;
    } else {
        st = start_channel(k, channel, message_id, bit_rate, &timing);
    }
    if (st != OMV_RPC_OK) {
        if (missing) {
            kv_unload(k->lib);
            free(k);
        } else {
            kv_close(k);
        }
        return st;
    }
    return omv_rpc_can_open_bus(link, &kv_ops, k, message_id, bit_rate, log);
}
