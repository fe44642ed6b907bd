/*
 * omvrpc Python extension (omvrpc._omvrpc): declarations shared by its
 * files. Layer 3: it uses only libomvrpc's public API.
 *
 * Threading model: every blocking call into the library runs with the GIL
 * released; the library's callbacks (slave callbacks, stream callbacks,
 * Python transports, the log hook) take it back with PyGILState_Ensure,
 * which nests correctly when a callback itself blocks in the library.
 */
#ifndef OMVPY_H
#define OMVPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <signal.h>
#include <stdatomic.h>

#include <omv_rpc/omv_rpc.h>

/* ------------------------------------------------------------ errors */

/* The exception classes (module attributes), created at import. */
extern PyObject *omvpy_Error;
extern PyObject *omvpy_TimeoutError;
extern PyObject *omvpy_LinkError;
extern PyObject *omvpy_ProtocolError;
extern PyObject *omvpy_TooLargeError;
extern PyObject *omvpy_StoppedError;
extern PyObject *omvpy_DeviceError;
extern PyObject *omvpy_ResetError;

int omvpy_errors_init(PyObject *module);
/* Raise the exception class for `st` with `what` in its message; sets
 * .status (the C name), .code (the number) and .phase ("send", "recv" or
 * None). Returns NULL for `return omvpy_raise(...)`. */
PyObject *omvpy_raise(omv_rpc_status st, const char *what);
/* As omvpy_raise, for a V2 camera: `device_status` (the name of the
 * camera's NAK status, or NULL) goes into .device_status and makes a
 * refusal a DeviceError (even BUSY, which is a port in use elsewhere). */
PyObject *omvpy_raise_device(omv_rpc_status st, const char *what, const char *device_status);

/* ------------------------------------------------------------ logging */

/* The log hook that forwards library lines to logging.getLogger("omvrpc"). */
omv_rpc_log omvpy_log_hook(void);
int omvpy_log_init(void);

/* -------------------------------------------------------------- links */

/* An opened link not yet handed to a master or slave. */
typedef struct {
    PyObject_HEAD
    omv_rpc_link link;
    int open;
    PyObject *name; /* str: a pty path, a port name; may be None */
    int keep_fd;    /* pty: the terminal side, kept open (see pty_link) */
} omvpy_Link;

extern PyTypeObject omvpy_LinkType;
/* A Link object holding `link` (closed when that fails); `name` may be NULL. */
PyObject *omvpy_link_new(const omv_rpc_link *link, PyObject *name);
/* Take the link out of `obj` (which then holds nothing). */
int omvpy_link_take(PyObject *obj, omv_rpc_link *out);
/* Module-level link openers (module.c's method table). */
extern PyMethodDef omvpy_link_functions[];

/* A link whose functions call a Python object's get_bytes / put_bytes /
 * _flush. `owner` is the object; `strong` tells whether the link holds a
 * reference (an outside transport) or not (the master or slave itself). */
typedef struct {
    PyObject *obj;
    int strong;
    PyObject *pending; /* the first exception a method raised, or NULL */
} omvpy_pytransport;

int omvpy_pytransport_open(omv_rpc_link *link, omvpy_pytransport *t, PyObject *obj, int strong);
/* After a library call: re-raise what the transport caught (returns -1
 * with the exception set) or return 0. Takes the GIL's holder's view. */
int omvpy_pytransport_reraise(omvpy_pytransport *t);

/* ------------------------------------------------------------- Ctrl-C */

/* Around a blocking library call on the main thread, SIGINT stops the
 * slave / aborts the master (so the call returns early) and trips
 * Python's own SIGINT flag; afterwards Python's handler runs as usual
 * (KeyboardInterrupt by default). Elsewhere these do nothing. */
typedef struct omvpy_intr {
    int installed;
    int is_main;
    unsigned long count_at_start;
    void *prev_master;
    void *prev_slave;
    void *prev_flag;
#ifndef _WIN32
    struct sigaction old_action;
#else
    void (*old_handler)(int);
#endif
} omvpy_intr;

void omvpy_intr_begin(omvpy_intr *g, omv_rpc_master *m, omv_rpc_slave *s);
/* The same for a handle that stops when `flag` is set (a Camera: its
 * link's watcher looks at the flag). */
void omvpy_intr_begin_flag(omvpy_intr *g, atomic_int *flag);
/* Returns 1 when SIGINT arrived during the section. Needs the GIL. */
int omvpy_intr_end(omvpy_intr *g);
/* After omvpy_intr_end returned 1: run Python's SIGINT handler; -1 when
 * it raised (KeyboardInterrupt), 0 when it did not. */
int omvpy_intr_deliver(void);
int omvpy_intr_init(void);
/* How many SIGINTs the handler has seen (async-signal-safe read). */
unsigned long omvpy_intr_count(void);

/* ------------------------------------------------------------ helpers */

/* A bytes-like argument (bytes, bytearray, memoryview, any buffer) or str
 * (sent UTF-8 encoded). Fills `view` (release with PyBuffer_Release).
 * Raises TypeError for anything else. */
int omvpy_get_data(PyObject *obj, Py_buffer *view, const char *what);
/* A read-only memoryview over `len` bytes at `p` (valid while the caller
 * says so; release it with omvpy_view_release). */
PyObject *omvpy_view(const uint8_t *p, size_t len);
void omvpy_view_release(PyObject *view);
/* Seconds (float or int, None for the default) to milliseconds. */
int omvpy_seconds_to_ms(PyObject *obj, uint32_t dflt, uint32_t *out, const char *what);
/* Milliseconds as OpenMV takes them (int or float, >= 0). */
int omvpy_ms(PyObject *obj, uint32_t dflt, uint32_t *out, const char *what);

/* Who is using a handle: a master or slave is used by one thread at a
 * time; the check gives a clear RuntimeError instead of corrupting it. */
typedef struct {
    unsigned long thread;
    int depth;
} omvpy_busy;
/* `nest_ok`: the same thread may enter again (a slave's stream or raw
 * transfer from inside its own loop's callback). */
int omvpy_busy_enter(omvpy_busy *b, int nest_ok, const char *what);
void omvpy_busy_leave(omvpy_busy *b);

/* ------------------------------------------------------- cut-through */

/* How a Master or Slave enters and leaves a library call (busy check,
 * Ctrl-C; -1 with an exception set) and the link its raw bytes move on. */
typedef struct omvpy_guard {
    int (*enter)(PyObject *self, omvpy_intr *g);
    int (*leave)(PyObject *self, omvpy_intr *g);
    omv_rpc_link *(*link)(PyObject *self);
} omvpy_guard;
/* `target`: an int (that many bytes, returned as bytes) or a writable
 * buffer (filled and returned). On failure: raise when `strict`, else
 * return None (OpenMV's get_bytes / put_bytes). */
PyObject *omvpy_raw_get(PyObject *self, const omvpy_guard *guard, PyObject *target, uint32_t ms,
                        int strict);
PyObject *omvpy_raw_put(PyObject *self, const omvpy_guard *guard, PyObject *data, uint32_t ms,
                        int strict);

/* ------------------------------------------------------------ streams */

/* One stream run: the Python callback, the buffer kept for the frame
 * being sent, the exception to re-raise. Used by master and slave. */
typedef struct {
    PyObject *fn;
    Py_buffer held;
    int holding;
    PyObject *pending;
    unsigned long frames;
} omvpy_stream_ctx;

int omvpy_stream_read_cb(void *user, const uint8_t *frame, size_t len);
int omvpy_stream_write_cb(void *user, const uint8_t **frame, size_t *len);
/* Release what the run holds (with the GIL). */
void omvpy_stream_ctx_done(omvpy_stream_ctx *c);

/* -------------------------------------------------- master and slave */

extern PyTypeObject omvpy_MasterType;
extern PyTypeObject omvpy_SlaveType;
int omvpy_master_init_type(PyObject *module);
int omvpy_slave_init_type(PyObject *module);
/* omvrpc._omvrpc.Camera: the OpenMV Protocol V2 host (camera.c). */
int omvpy_camera_init_type(PyObject *module);

/* Fill `cfg` from a max_payload value (0: default). */
void omvpy_config(omv_rpc_config *cfg, uint32_t max_payload);

#endif
