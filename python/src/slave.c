/* omvrpc Python extension: the Slave type (omvrpc._omvrpc.Slave), the base
 * of omvrpc.Slave and of rpc.rpc_slave. Python callbacks run on the thread
 * that runs the loop, with the GIL taken only while they run. */
#include <string.h>

#include "omvpy.h"

typedef struct SlaveObject SlaveObject;

/* One registered callback: the core keeps a pointer to it as user data. */
typedef struct {
    SlaveObject *owner; /* borrowed: the entry lives in owner->callbacks */
    PyObject *fn;
} cb_entry;

struct SlaveObject {
    PyObject_HEAD
    omv_rpc_slave *s;
    omvpy_pytransport transport;
    int has_transport;
    omvpy_busy busy;
    PyObject *callbacks; /* dict: name -> capsule(cb_entry) */
    PyObject *scheduled; /* the scheduled callback, or NULL */
    PyObject *loop_cb;
    PyObject *pending; /* the first exception a callback raised */
    Py_buffer reply;   /* the result being sent, held until the next call */
    int replying;
    PyObject *weakrefs;
};

#define SLAVE_DOC_NAME "slave"

static int check_open(SlaveObject *self)
{
    if (self->s == NULL) {
        PyErr_SetString(PyExc_ValueError, "the slave is closed (or was never set up)");
        return -1;
    }
    return 0;
}

static void keep_pending(SlaveObject *self)
{
    if (self->pending == NULL) {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyErr_NormalizeException(&et, &ev, &tb);
        if (tb != NULL && ev != NULL) {
            PyException_SetTraceback(ev, tb);
        }
        self->pending = ev;
        Py_XDECREF(et);
        Py_XDECREF(tb);
    } else {
        PyErr_Clear();
    }
    /* End the loop: the exception goes to whoever called loop(). */
    omv_rpc_slave_stop(self->s);
}

static void drop_reply(SlaveObject *self)
{
    if (self->replying) {
        PyBuffer_Release(&self->reply);
        self->replying = 0;
    }
}

/* ------------------------------------------------------- trampolines */

static void call_trampoline(omv_rpc_slave *s, const uint8_t *arg, size_t len, void *user)
{
    cb_entry *e = user;
    SlaveObject *self = e->owner;
    PyGILState_STATE g = PyGILState_Ensure();
    drop_reply(self);
    Py_CLEAR(self->scheduled); /* the core clears its own after each call */
    if (self->pending == NULL) {
        PyObject *mv = omvpy_view(arg, len);
        PyObject *r = mv ? PyObject_CallOneArg(e->fn, mv) : NULL;
        omvpy_view_release(mv);
        if (r == NULL) {
            keep_pending(self);
        } else if (r != Py_None) {
            if (omvpy_get_data(r, &self->reply, "a callback's result") < 0) {
                keep_pending(self);
            } else {
                self->replying = 1;
                /* Borrowed: the buffer stays held until the next call. */
                omv_rpc_slave_reply(s, self->reply.buf, (size_t)self->reply.len);
            }
        }
        Py_XDECREF(r);
    }
    PyGILState_Release(g);
}

static void task_run(SlaveObject *self, PyObject *fn)
{
    PyObject *r = PyObject_CallNoArgs(fn);
    if (r == NULL) {
        keep_pending(self);
    }
    Py_XDECREF(r);
}

static void scheduled_trampoline(omv_rpc_slave *s, void *user)
{
    (void)s;
    SlaveObject *self = user;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *fn = self->scheduled;
    self->scheduled = NULL;
    if (fn != NULL && self->pending == NULL) {
        task_run(self, fn);
    }
    Py_XDECREF(fn);
    PyGILState_Release(g);
}

static void loop_trampoline(omv_rpc_slave *s, void *user)
{
    (void)s;
    SlaveObject *self = user;
    PyGILState_STATE g = PyGILState_Ensure();
    if (self->loop_cb != NULL && self->pending == NULL) {
        PyObject *fn = Py_NewRef(self->loop_cb);
        task_run(self, fn);
        Py_DECREF(fn);
    }
    PyGILState_Release(g);
}

/* --------------------------------------------------------- lifetime */

static void slave_free_handle(SlaveObject *self)
{
    if (self->s != NULL) {
        omv_rpc_slave *s = self->s;
        self->s = NULL;
        omv_rpc_slave_free(s);
    }
    self->has_transport = 0;
    drop_reply(self);
}

static void entry_free(PyObject *capsule)
{
    cb_entry *e = PyCapsule_GetPointer(capsule, "omvrpc.callback");
    if (e != NULL) {
        Py_XDECREF(e->fn);
        PyMem_Free(e);
    }
}

static int slave_init(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"link", "max_payload", NULL};
    PyObject *link = Py_None;
    unsigned long max_payload = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$k", names, &link, &max_payload)) {
        return -1;
    }
    if (self->s != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the slave is already set up");
        return -1;
    }
    if (max_payload > 0xFFFFFFFFul) {
        PyErr_SetString(PyExc_ValueError, "max_payload must fit 32 bits");
        return -1;
    }
    if (self->callbacks == NULL && (self->callbacks = PyDict_New()) == NULL) {
        return -1;
    }
    omv_rpc_link l;
    if (PyObject_TypeCheck(link, &omvpy_LinkType)) {
        if (omvpy_link_take(link, &l) < 0) {
            return -1;
        }
    } else {
        PyObject *obj = link == Py_None ? (PyObject *)self : link;
        if (omvpy_pytransport_open(&l, &self->transport, obj, obj != (PyObject *)self) < 0) {
            return -1;
        }
        self->has_transport = 1;
    }
    omv_rpc_config cfg;
    omvpy_config(&cfg, (uint32_t)max_payload);
    omv_rpc_status st = omv_rpc_slave_new(&self->s, &l, &cfg);
    if (st != OMV_RPC_OK) {
        self->s = NULL;
        self->has_transport = 0;
        omvpy_raise(st, "cannot create the slave");
        return -1;
    }
    return 0;
}

static int slave_traverse(SlaveObject *self, visitproc visit, void *arg)
{
    if (self->has_transport && self->transport.strong) {
        Py_VISIT(self->transport.obj);
    }
    Py_VISIT(self->callbacks);
    Py_VISIT(self->scheduled);
    Py_VISIT(self->loop_cb);
    Py_VISIT(self->pending);
    return 0;
}

static int slave_clear(SlaveObject *self)
{
    if (self->busy.depth == 0) {
        slave_free_handle(self);
        Py_CLEAR(self->callbacks);
        Py_CLEAR(self->scheduled);
        Py_CLEAR(self->loop_cb);
        Py_CLEAR(self->pending);
    }
    return 0;
}

static void slave_dealloc(SlaveObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    slave_free_handle(self);
    Py_CLEAR(self->callbacks);
    Py_CLEAR(self->scheduled);
    Py_CLEAR(self->loop_cb);
    Py_CLEAR(self->pending);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *slave_close(SlaveObject *self, PyObject *unused)
{
    (void)unused;
    if (self->busy.depth > 0) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close the slave while its loop runs");
        return NULL;
    }
    slave_free_handle(self);
    Py_RETURN_NONE;
}

static PyObject *slave_enter(SlaveObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    return Py_NewRef((PyObject *)self);
}

static PyObject *slave_exit(SlaveObject *self, PyObject *args)
{
    (void)args;
    PyObject *r = slave_close(self, NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

/* ---------------------------------------------------- registration */

PyDoc_STRVAR(register_doc,
             "register(name, fn)\n\n"
             "Serve `fn` under `name`: fn(arg) gets a memoryview of the argument (valid\n"
             "during the call only: keep bytes(arg) if you need it later) and returns a\n"
             "bytes-like object or str (the result) or None (an empty result).\n"
             "Registering a name again replaces its callback.");

static PyObject *slave_register(SlaveObject *self, PyObject *args)
{
    PyObject *name, *fn;
    if (!PyArg_ParseTuple(args, "UO", &name, &fn)) {
        return NULL;
    }
    if (check_open(self) < 0) {
        return NULL;
    }
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "the callback must be callable");
        return NULL;
    }
    const char *n = PyUnicode_AsUTF8(name);
    if (n == NULL) {
        return NULL;
    }
    cb_entry *e = PyMem_Malloc(sizeof(*e));
    if (e == NULL) {
        return PyErr_NoMemory();
    }
    e->owner = self;
    e->fn = Py_NewRef(fn);
    PyObject *cap = PyCapsule_New(e, "omvrpc.callback", entry_free);
    if (cap == NULL) {
        Py_DECREF(e->fn);
        PyMem_Free(e);
        return NULL;
    }
    omv_rpc_status st = omv_rpc_slave_register_callback(self->s, n, call_trampoline, e);
    if (st != OMV_RPC_OK) {
        Py_DECREF(cap);
        return omvpy_raise(st, "cannot register the callback");
    }
    /* After the core points at the new entry, the old one may go. */
    int rc = PyDict_SetItem(self->callbacks, name, cap);
    Py_DECREF(cap);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *slave_unregister(SlaveObject *self, PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "name must be str");
        return NULL;
    }
    if (check_open(self) < 0) {
        return NULL;
    }
    const char *n = PyUnicode_AsUTF8(name);
    if (n == NULL) {
        return NULL;
    }
    omv_rpc_slave_unregister_callback(self->s, n);
    if (PyDict_DelItem(self->callbacks, name) < 0) {
        PyErr_Clear();
    }
    Py_RETURN_NONE;
}

static PyObject *slave_register_callback(SlaveObject *self, PyObject *cb)
{
    PyObject *name = PyObject_GetAttrString(cb, "__name__");
    if (name == NULL) {
        return NULL;
    }
    PyObject *args = PyTuple_Pack(2, name, cb);
    Py_DECREF(name);
    if (args == NULL) {
        return NULL;
    }
    PyObject *r = slave_register(self, args);
    Py_DECREF(args);
    return r;
}

static PyObject *slave_schedule_callback(SlaveObject *self, PyObject *cb)
{
    if (check_open(self) < 0) {
        return NULL;
    }
    if (cb == Py_None) {
        Py_CLEAR(self->scheduled);
        omv_rpc_slave_schedule_callback(self->s, NULL, NULL);
        Py_RETURN_NONE;
    }
    if (!PyCallable_Check(cb)) {
        PyErr_SetString(PyExc_TypeError, "the callback must be callable");
        return NULL;
    }
    Py_XSETREF(self->scheduled, Py_NewRef(cb));
    omv_rpc_slave_schedule_callback(self->s, scheduled_trampoline, self);
    Py_RETURN_NONE;
}

static PyObject *slave_setup_loop_callback(SlaveObject *self, PyObject *cb)
{
    if (check_open(self) < 0) {
        return NULL;
    }
    if (cb != Py_None && !PyCallable_Check(cb)) {
        PyErr_SetString(PyExc_TypeError, "the callback must be callable or None");
        return NULL;
    }
    if (cb == Py_None) {
        Py_CLEAR(self->loop_cb);
        omv_rpc_slave_setup_loop_callback(self->s, NULL, NULL);
    } else {
        Py_XSETREF(self->loop_cb, Py_NewRef(cb));
        omv_rpc_slave_setup_loop_callback(self->s, loop_trampoline, self);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------- loop */

/* After a library call on the slave: re-raise a callback's or the
 * transport's exception, deliver Ctrl-C. -1: exception set; 0: go on;
 * 1: Ctrl-C came and Python's handler did not raise. */
static int slave_after(SlaveObject *self, omvpy_intr *g)
{
    int interrupted = omvpy_intr_end(g);
    PyObject *exc = self->pending;
    self->pending = NULL;
    if (exc != NULL) {
        omv_rpc_slave_clear_stop(self->s);
    }
    if (exc == NULL && self->has_transport && self->transport.pending != NULL) {
        exc = self->transport.pending;
        self->transport.pending = NULL;
    }
    int rc = 0;
    if (interrupted) {
        omv_rpc_slave_clear_stop(self->s);
        if (exc != NULL) {
            if (omvpy_intr_deliver() < 0) {
                PyErr_Clear();
            }
        } else if (omvpy_intr_deliver() < 0) {
            rc = -1;
        } else {
            rc = 1;
        }
    }
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
        rc = -1;
    }
    return rc;
}

static PyObject *run_loop(SlaveObject *self, uint32_t recv_ms, uint32_t send_ms)
{
    if (check_open(self) < 0 || omvpy_busy_enter(&self->busy, 0, SLAVE_DOC_NAME) < 0) {
        return NULL;
    }
    PyObject *ret = NULL;
    for (;;) {
        omvpy_intr g;
        omvpy_intr_begin(&g, NULL, self->s);
        omv_rpc_status st;
        Py_BEGIN_ALLOW_THREADS
            st = omv_rpc_slave_loop(self->s, recv_ms, send_ms);
        Py_END_ALLOW_THREADS
        int rc = slave_after(self, &g);
        if (rc < 0) {
            break;
        }
        if (rc == 1) {
            continue; /* Ctrl-C handled by the program's own handler */
        }
        if (st == OMV_RPC_ERR_STOPPED) {
            omv_rpc_slave_clear_stop(self->s);
            ret = Py_NewRef(Py_None);
        } else {
            omvpy_raise(st, "the slave loop ended");
        }
        break;
    }
    drop_reply(self);
    omvpy_busy_leave(&self->busy);
    return ret;
}

PyDoc_STRVAR(loop_doc, "loop(recv_timeout=1.0, send_timeout=1.0)\n\n"
                       "Serve calls until stop() (from another thread or a callback; returns\n"
                       "None), an exception in a callback (re-raised here), Ctrl-C\n"
                       "(KeyboardInterrupt) or a broken link (LinkError). Timeouts in seconds:\n"
                       "recv_timeout is one pass's wait for a command, send_timeout how long a\n"
                       "result waits for the master to take it.");

static PyObject *slave_loop(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"recv_timeout", "send_timeout", NULL};
    PyObject *rto = NULL, *sto = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &rto, &sto)) {
        return NULL;
    }
    uint32_t r, s;
    if (omvpy_seconds_to_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0 ||
        omvpy_seconds_to_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0) {
        return NULL;
    }
    return run_loop(self, r, s);
}

static PyObject *slave_rpc_loop(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"recv_timeout", "send_timeout", NULL};
    PyObject *rto = NULL, *sto = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &rto, &sto)) {
        return NULL;
    }
    uint32_t r, s;
    if (omvpy_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0 ||
        omvpy_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0) {
        return NULL;
    }
    return run_loop(self, r, s);
}

PyDoc_STRVAR(loop_once_doc,
             "loop_once(recv_timeout=1.0, send_timeout=1.0) -> bool\n\n"
             "Wait up to recv_timeout seconds for one call and serve it, then run the\n"
             "scheduled and loop callbacks. True when a call was served, False when\n"
             "none came (or the master stopped asking for the result, or stop()).");

static PyObject *slave_loop_once(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"recv_timeout", "send_timeout", NULL};
    PyObject *rto = NULL, *sto = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &rto, &sto)) {
        return NULL;
    }
    uint32_t r, s;
    if (omvpy_seconds_to_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0 ||
        omvpy_seconds_to_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0) {
        return NULL;
    }
    if (check_open(self) < 0 || omvpy_busy_enter(&self->busy, 0, SLAVE_DOC_NAME) < 0) {
        return NULL;
    }
    omvpy_intr g;
    omvpy_intr_begin(&g, NULL, self->s);
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_slave_loop_once(self->s, r, s);
    Py_END_ALLOW_THREADS
    int rc = slave_after(self, &g);
    drop_reply(self);
    omvpy_busy_leave(&self->busy);
    if (rc < 0) {
        return NULL;
    }
    switch (st) {
    case OMV_RPC_OK:
        Py_RETURN_TRUE;
    case OMV_RPC_ERR_STOPPED:
        omv_rpc_slave_clear_stop(self->s);
        Py_RETURN_FALSE;
    case OMV_RPC_ERR_TIMEOUT:
    case OMV_RPC_ERR_RECV_TIMEOUT:
    case OMV_RPC_ERR_SEND_TIMEOUT:
    case OMV_RPC_ERR_BAD_PACKET:
        Py_RETURN_FALSE;
    default:
        return omvpy_raise(st, "loop_once failed");
    }
}

static PyObject *slave_stop(SlaveObject *self, PyObject *unused)
{
    (void)unused;
    if (self->s != NULL) {
        omv_rpc_slave_stop(self->s);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------- raw transfers, streams */

static int nested_enter(SlaveObject *self, omvpy_intr *g)
{
    if (check_open(self) < 0 || omvpy_busy_enter(&self->busy, 1, SLAVE_DOC_NAME) < 0) {
        return -1;
    }
    omvpy_intr_begin(g, NULL, self->s);
    return 0;
}

static int nested_leave(SlaveObject *self, omvpy_intr *g)
{
    /* A nested call's exception must not end the outer loop later. */
    int interrupted = omvpy_intr_end(g);
    int rc = 0;
    if (self->has_transport && omvpy_pytransport_reraise(&self->transport) < 0) {
        rc = -1;
    }
    if (interrupted) {
        if (self->busy.depth == 1) {
            omv_rpc_slave_clear_stop(self->s);
        }
        if (rc < 0) {
            PyObject *et, *ev, *tb;
            PyErr_Fetch(&et, &ev, &tb);
            if (omvpy_intr_deliver() < 0) {
                PyErr_Clear();
            }
            PyErr_Restore(et, ev, tb);
        } else if (omvpy_intr_deliver() < 0) {
            rc = -1;
        }
    }
    omvpy_busy_leave(&self->busy);
    return rc;
}

static int raw_enter(PyObject *o, omvpy_intr *g)
{
    return nested_enter((SlaveObject *)o, g);
}

static int raw_leave(PyObject *o, omvpy_intr *g)
{
    return nested_leave((SlaveObject *)o, g);
}

static omv_rpc_link *raw_link(PyObject *o)
{
    return omv_rpc_slave_link(((SlaveObject *)o)->s);
}

static const omvpy_guard raw_guard = {raw_enter, raw_leave, raw_link};

static PyObject *raw_get(SlaveObject *self, PyObject *target, uint32_t ms, int strict)
{
    return omvpy_raw_get((PyObject *)self, &raw_guard, target, ms, strict);
}

static PyObject *raw_put(SlaveObject *self, PyObject *data, uint32_t ms, int strict)
{
    return omvpy_raw_put((PyObject *)self, &raw_guard, data, ms, strict);
}

static PyObject *slave_read_raw(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"size_or_buffer", "timeout", NULL};
    PyObject *target, *to = NULL;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", names, &target, &to) ||
        omvpy_seconds_to_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "timeout") < 0) {
        return NULL;
    }
    return raw_get(self, target, ms, 1);
}

static PyObject *slave_write_raw(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"data", "timeout", NULL};
    PyObject *data, *to = NULL;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", names, &data, &to) ||
        omvpy_seconds_to_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "timeout") < 0) {
        return NULL;
    }
    return raw_put(self, data, ms, 1);
}

static PyObject *slave_rpc_get_bytes(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"buff", "timeout_ms", NULL};
    PyObject *buff, *to;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", names, &buff, &to) ||
        omvpy_ms(to, 0, &ms, "timeout_ms") < 0) {
        return NULL;
    }
    if (PyLong_Check(buff)) {
        PyErr_SetString(PyExc_TypeError, "buff must be a writable buffer (bytearray, memoryview)");
        return NULL;
    }
    return raw_get(self, buff, ms, 0);
}

static PyObject *slave_rpc_put_bytes(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"data", "timeout_ms", NULL};
    PyObject *data, *to;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", names, &data, &to) ||
        omvpy_ms(to, 0, &ms, "timeout_ms") < 0) {
        return NULL;
    }
    return raw_put(self, data, ms, 0);
}

static PyObject *stream_result(SlaveObject *self, omvpy_intr *g, omvpy_stream_ctx *c,
                               omv_rpc_status st, int strict, const char *what)
{
    omvpy_stream_ctx_done(c);
    if (nested_leave(self, g) < 0) {
        Py_CLEAR(c->pending);
        /* OpenMV's streams end quietly when a transport raises OSError. */
        if (!strict && PyErr_ExceptionMatches(PyExc_OSError)) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        return NULL;
    }
    if (c->pending != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(c->pending), c->pending);
        Py_CLEAR(c->pending);
        return NULL;
    }
    if (!strict) {
        Py_RETURN_NONE;
    }
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, what);
    }
    return PyLong_FromUnsignedLong(c->frames);
}

static PyObject *slave_stream_read(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"call_back", "queue_depth", "read_timeout_ms", "strict", NULL};
    PyObject *fn, *to = NULL;
    unsigned int depth = 1;
    int strict = 0;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|IO$p", names, &fn, &depth, &to, &strict) ||
        omvpy_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "read_timeout_ms") < 0) {
        return NULL;
    }
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "call_back must be callable");
        return NULL;
    }
    if (depth < 1 || depth > 255) {
        PyErr_SetString(PyExc_ValueError, "queue_depth must be 1..255");
        return NULL;
    }
    omvpy_stream_ctx c;
    memset(&c, 0, sizeof(c));
    c.fn = fn;
    omvpy_intr g;
    if (nested_enter(self, &g) < 0) {
        return NULL;
    }
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_slave_stream_reader(self->s, omvpy_stream_read_cb, &c, depth, ms);
    Py_END_ALLOW_THREADS
    return stream_result(self, &g, &c, st, strict, "stream read failed");
}

static PyObject *slave_stream_write(SlaveObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"call_back", "write_timeout_ms", "strict", NULL};
    PyObject *fn, *to = NULL;
    int strict = 0;
    uint32_t ms;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$p", names, &fn, &to, &strict) ||
        omvpy_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "write_timeout_ms") < 0) {
        return NULL;
    }
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "call_back must be callable");
        return NULL;
    }
    omvpy_stream_ctx c;
    memset(&c, 0, sizeof(c));
    c.fn = fn;
    omvpy_intr g;
    if (nested_enter(self, &g) < 0) {
        return NULL;
    }
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_slave_stream_writer(self->s, omvpy_stream_write_cb, &c, ms);
    Py_END_ALLOW_THREADS
    return stream_result(self, &g, &c, st, strict, "stream write failed");
}

/* -------------------------------------------------------- properties */

static PyObject *slave_get_calls_served(SlaveObject *self, void *closure)
{
    (void)closure;
    if (check_open(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(omv_rpc_slave_calls_served(self->s));
}

static PyObject *slave_get_closed(SlaveObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->s == NULL);
}

/* The slave's timing by name: "omvrpc" (ours) or "openmv_camera" (OpenMV's
 * camera-side rpc.py: omv_rpc_slave_set_timing). */
static PyObject *slave_get_timing(SlaveObject *self, void *closure)
{
    (void)closure;
    if (check_open(self) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(
        omv_rpc_slave_get_timing(self->s) == OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA ? "openmv_camera"
                                                                                : "omvrpc");
}

static int slave_set_timing(SlaveObject *self, PyObject *value, void *closure)
{
    (void)closure;
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "the timing cannot be deleted");
        return -1;
    }
    const char *name = PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;
    if (!name) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "timing is \"omvrpc\" or \"openmv_camera\"");
        }
        return -1;
    }
    omv_rpc_slave_timing timing;
    if (strcmp(name, "omvrpc") == 0) {
        timing = OMV_RPC_SLAVE_TIMING_OMVRPC;
    } else if (strcmp(name, "openmv_camera") == 0) {
        timing = OMV_RPC_SLAVE_TIMING_OPENMV_CAMERA;
    } else {
        PyErr_Format(PyExc_ValueError, "timing is \"omvrpc\" or \"openmv_camera\", not \"%s\"",
                     name);
        return -1;
    }
    /* Not while the loop runs (on this thread's callback or another's). */
    if (check_open(self) < 0 || omvpy_busy_enter(&self->busy, 0, SLAVE_DOC_NAME) < 0) {
        return -1;
    }
    omv_rpc_status st = omv_rpc_slave_set_timing(self->s, timing);
    omvpy_busy_leave(&self->busy);
    if (st != OMV_RPC_OK) {
        omvpy_raise(st, "cannot change the slave's timing");
        return -1;
    }
    return 0;
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

static PyMethodDef slave_methods[] = {
    {"register", (PyCFunction)slave_register, METH_VARARGS, register_doc},
    {"unregister", (PyCFunction)slave_unregister, METH_O,
     "unregister(name)\n\nStop serving `name` (no-op when it is not served)."},
    {"register_callback", (PyCFunction)slave_register_callback, METH_O,
     "register_callback(cb)\n\nOpenMV's form: register(cb.__name__, cb)."},
    {"schedule_callback", (PyCFunction)slave_schedule_callback, METH_O,
     "schedule_callback(cb)\n\nFrom inside a callback: run cb() once right after this\n"
     "call's result was sent (to start a stream or a raw transfer)."},
    {"setup_loop_callback", (PyCFunction)slave_setup_loop_callback, METH_O,
     "setup_loop_callback(cb)\n\nRun cb() after every pass of the loop (None removes it)."},
    {"loop", KW(slave_loop), loop_doc},
    {"loop_once", KW(slave_loop_once), loop_once_doc},
    {"stop", (PyCFunction)slave_stop, METH_NOARGS,
     "stop()\n\nMake loop() return; any thread, a callback or a signal handler."},
    {"read_raw", KW(slave_read_raw),
     "read_raw(size_or_buffer, timeout=5.0): cut-through read (see Master.read_raw)."},
    {"write_raw", KW(slave_write_raw),
     "write_raw(data, timeout=5.0): cut-through write (see Master.write_raw)."},
    {"close", (PyCFunction)slave_close, METH_NOARGS,
     "close()\n\nClose the link and free the slave (idempotent)."},
    {"__enter__", (PyCFunction)slave_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)slave_exit, METH_VARARGS, NULL},
    {"_rpc_loop", KW(slave_rpc_loop),
     "_rpc_loop(recv_timeout=1000, send_timeout=1000): OpenMV's loop (milliseconds)."},
    {"_rpc_get_bytes", KW(slave_rpc_get_bytes), "OpenMV's get_bytes(buff, timeout_ms)."},
    {"_rpc_put_bytes", KW(slave_rpc_put_bytes), "OpenMV's put_bytes(data, timeout_ms)."},
    {"_stream_read", KW(slave_stream_read),
     "_stream_read(call_back, queue_depth=1, read_timeout_ms=5000, *, strict=False)"},
    {"_stream_write", KW(slave_stream_write),
     "_stream_write(call_back, write_timeout_ms=5000, *, strict=False)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef slave_getset[] = {
    {"calls_served", (getter)slave_get_calls_served, NULL, "How many calls the slave served.",
     NULL},
    {"closed", (getter)slave_get_closed, NULL, "True once close() ran.", NULL},
    {"timing", (getter)slave_get_timing, (setter)slave_set_timing,
     "How the slave times its side of a call: \"omvrpc\" (the default) or\n"
     "\"openmv_camera\" (as OpenMV's camera does: every attempt flushes, then\n"
     "waits 2 ms, 1 ms more per failed attempt; for testing a master against\n"
     "real firmware's timing). Set it between loops.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject omvpy_SlaveType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.Slave",
    .tp_basicsize = sizeof(SlaveObject),
    .tp_dealloc = (destructor)slave_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Slave(link=None, *, max_payload=0)\n\n"
              "The C core's slave on `link` (a Link, which it then owns) or on a\n"
              "Python transport (see Master). Use omvrpc.Slave's constructors.",
    .tp_traverse = (traverseproc)slave_traverse,
    .tp_clear = (inquiry)slave_clear,
    .tp_weaklistoffset = offsetof(SlaveObject, weakrefs),
    .tp_methods = slave_methods,
    .tp_getset = slave_getset,
    .tp_init = (initproc)slave_init,
    .tp_new = PyType_GenericNew,
};

int omvpy_slave_init_type(PyObject *module)
{
    if (PyType_Ready(&omvpy_SlaveType) < 0) {
        return -1;
    }
    Py_INCREF(&omvpy_SlaveType);
    if (PyModule_AddObject(module, "Slave", (PyObject *)&omvpy_SlaveType) < 0) {
        Py_DECREF(&omvpy_SlaveType);
        return -1;
    }
    return 0;
}
