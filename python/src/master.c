/* omvrpc Python extension: the Master type (omvrpc._omvrpc.Master), the
 * base of omvrpc.Master and of rpc.rpc_master. It carries both faces of
 * the API: the modern methods (seconds, exceptions) and the underscored
 * OpenMV-compatible ones (milliseconds, None on failure) that the rpc
 * module binds under OpenMV's names. */
#include "omvpy.h"

#include <time.h>

typedef struct {
    PyObject_HEAD
    omv_rpc_master *m;
    omvpy_pytransport transport;
    int has_transport;
    omvpy_busy busy;
    /* Ctrl-C came just after a call had ended: the abort request it made
     * is still waiting for the next call, which must not pay for it. */
    int stale_abort;
    /* The zero-copy result handed out by call(view=True), while a view of
     * it lives (borrowed: the result clears it when it goes). */
    struct ResultObject *live_view;
    PyObject *weakrefs;
} MasterObject;

/* A result left in the master's buffer, exported read-only without a
 * copy. The master refuses to reuse the buffer while it is exported. */
typedef struct ResultObject {
    PyObject_HEAD
    MasterObject *owner; /* strong */
    const uint8_t *p;
    Py_ssize_t len;
} ResultObject;

static int result_getbuffer(ResultObject *self, Py_buffer *view, int flags)
{
    static char empty[1];
    return PyBuffer_FillInfo(view, (PyObject *)self, self->len ? (void *)self->p : empty, self->len,
                             1, flags);
}

static void result_dealloc(ResultObject *self)
{
    if (self->owner != NULL) {
        if (self->owner->live_view == self) {
            self->owner->live_view = NULL;
        }
        Py_DECREF(self->owner);
    }
    PyObject_Free(self);
}

static PyBufferProcs result_as_buffer = {(getbufferproc)result_getbuffer, NULL};

static PyTypeObject ResultType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.Result",
    .tp_basicsize = sizeof(ResultObject),
    .tp_dealloc = (destructor)result_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A result in the master's buffer (see Master.call(view=True)).",
    .tp_as_buffer = &result_as_buffer,
};

static int check_no_view(MasterObject *self)
{
    if (self->live_view != NULL) {
        PyErr_SetString(PyExc_BufferError,
                        "a zero-copy result (call(..., view=True)) still points into the "
                        "master's buffer: release it (view.release() or del) first");
        return -1;
    }
    return 0;
}

#define MASTER_DOC_NAME "master"

static int check_open(MasterObject *self)
{
    if (self->m == NULL) {
        PyErr_SetString(PyExc_ValueError, "the master is closed (or was never set up)");
        return -1;
    }
    return 0;
}

/* Leave a library call: re-raise a transport's exception, then deliver
 * Ctrl-C. Returns -1 with an exception set, else 0. */
static int after_call_st(MasterObject *self, omvpy_intr *g, omv_rpc_status st)
{
    int interrupted = omvpy_intr_end(g);
    if (interrupted && st != OMV_RPC_ERR_ABORTED) {
        self->stale_abort = 1;
    }
    int rc = 0;
    if (self->has_transport && omvpy_pytransport_reraise(&self->transport) < 0) {
        rc = -1;
    }
    if (interrupted) {
        if (rc < 0) {
            /* The transport's own exception (often the KeyboardInterrupt
             * itself) wins; the flag is consumed by running the handler. */
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

/* For operations whose status is not looked at here. */
static int after_call(MasterObject *self, omvpy_intr *g)
{
    return after_call_st(self, g, OMV_RPC_ERR_ABORTED);
}

static int before_call(MasterObject *self, omvpy_intr *g)
{
    if (check_open(self) < 0 || check_no_view(self) < 0 ||
        omvpy_busy_enter(&self->busy, 0, MASTER_DOC_NAME) < 0) {
        return -1;
    }
    omvpy_intr_begin(g, self->m, NULL);
    return 0;
}

/* --------------------------------------------------------- lifetime */

static void master_free_handle(MasterObject *self)
{
    if (self->m != NULL) {
        omv_rpc_master *m = self->m;
        self->m = NULL;
        /* Closing a serial or network link does not block; a Python
         * transport's close needs the GIL, which we hold. */
        omv_rpc_master_free(m);
    }
    self->has_transport = 0;
}

static int master_init(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"link", "max_payload", NULL};
    PyObject *link = Py_None;
    unsigned long max_payload = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$k", names, &link, &max_payload)) {
        return -1;
    }
    if (self->m != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the master is already set up");
        return -1;
    }
    if (max_payload > 0xFFFFFFFFul) {
        PyErr_SetString(PyExc_ValueError, "max_payload must fit 32 bits");
        return -1;
    }
    omv_rpc_link l;
    if (PyObject_TypeCheck(link, &omvpy_LinkType)) {
        if (omvpy_link_take(link, &l) < 0) {
            return -1;
        }
    } else {
        /* A Python transport: the object itself (a subclass implementing
         * get_bytes / put_bytes, held without a reference) or another
         * object (held). */
        PyObject *obj = link == Py_None ? (PyObject *)self : link;
        if (omvpy_pytransport_open(&l, &self->transport, obj, obj != (PyObject *)self) < 0) {
            return -1;
        }
        self->has_transport = 1;
    }
    omv_rpc_config cfg;
    omvpy_config(&cfg, (uint32_t)max_payload);
    omv_rpc_status st = omv_rpc_master_new(&self->m, &l, &cfg);
    if (st != OMV_RPC_OK) {
        self->m = NULL;
        self->has_transport = 0;
        omvpy_raise(st, "cannot create the master");
        return -1;
    }
    return 0;
}

static int master_traverse(MasterObject *self, visitproc visit, void *arg)
{
    if (self->has_transport && self->transport.strong) {
        Py_VISIT(self->transport.obj);
    }
    return 0;
}

static int master_clear(MasterObject *self)
{
    if (self->busy.depth == 0) {
        master_free_handle(self);
    }
    return 0;
}

static void master_dealloc(MasterObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    master_free_handle(self);
    /* A Python subclass's type reference is dropped by subtype_dealloc. */
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *master_close(MasterObject *self, PyObject *unused)
{
    (void)unused;
    if (self->busy.depth > 0) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close the master while a call runs on it");
        return NULL;
    }
    if (check_no_view(self) < 0) {
        return NULL;
    }
    master_free_handle(self);
    Py_RETURN_NONE;
}

static PyObject *master_abort(MasterObject *self, PyObject *unused)
{
    (void)unused;
    if (self->m != NULL) {
        omv_rpc_master_abort(self->m);
    }
    Py_RETURN_NONE;
}

static PyObject *master_enter(MasterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    return Py_NewRef((PyObject *)self);
}

static PyObject *master_exit(MasterObject *self, PyObject *args)
{
    (void)args;
    PyObject *r = master_close(self, NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

/* ------------------------------------------------------------ calls */

/* Parse the name, run the call. Returns -1 with an exception set (bad
 * arguments, a transport's exception, Ctrl-C), else 0 with *st set. */
static int run_call(MasterObject *self, PyObject *name, PyObject *data, uint32_t send_ms,
                    uint32_t recv_ms, const uint8_t **res, size_t *len, omv_rpc_status *st)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "name must be str, not %.100s", Py_TYPE(name)->tp_name);
        return -1;
    }
    Py_ssize_t nlen;
    const char *n = PyUnicode_AsUTF8AndSize(name, &nlen);
    if (n == NULL) {
        return -1;
    }
    Py_buffer arg;
    if (omvpy_get_data(data, &arg, "data") < 0) {
        return -1;
    }
    omvpy_intr g;
    if (before_call(self, &g) < 0) {
        PyBuffer_Release(&arg);
        return -1;
    }
    uint32_t hash = omv_rpc_hash(n, (size_t)nlen);
    unsigned long sigints = g.count_at_start;
    int stale = self->stale_abort;
    self->stale_abort = 0;
    Py_BEGIN_ALLOW_THREADS
        *st = omv_rpc_master_call_hash(self->m, hash, arg.buf, (size_t)arg.len, res, len, send_ms,
                                       recv_ms);
        if (*st == OMV_RPC_ERR_ABORTED && stale && omvpy_intr_count() == sigints) {
            /* That was the old request (no Ctrl-C since): the real call now. */
            *st = omv_rpc_master_call_hash(self->m, hash, arg.buf, (size_t)arg.len, res, len,
                                           send_ms, recv_ms);
        }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&arg);
    return after_call_st(self, &g, *st);
}

PyDoc_STRVAR(call_doc,
             "call(name, data=b'', *, send_timeout=1.0, recv_timeout=1.0, view=False) -> bytes\n\n"
             "Run the slave's function `name` with `data` (bytes-like or str, sent\n"
             "UTF-8 encoded) and return its result. An unknown function gives b''.\n"
             "Timeouts are in seconds: send_timeout bounds getting the slave to take\n"
             "the command, recv_timeout getting the result (they bound waiting, not\n"
             "transferring: large data keeps its attempt alive while it moves).\n"
             "Raises omvrpc.TimeoutError (with .phase 'send' or 'recv'), LinkError,\n"
             "ProtocolError, TooLargeError; KeyboardInterrupt on Ctrl-C.\n"
             "view=True returns a read-only memoryview of the result where it was\n"
             "received (no copy); the master then refuses its next call or close with\n"
             "BufferError until that view is released (view.release() or del).");

static PyObject *master_call(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", "data", "send_timeout", "recv_timeout", "view", NULL};
    PyObject *name, *data = NULL, *sto = NULL, *rto = NULL;
    int as_view = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$OOp", names, &name, &data, &sto, &rto,
                                     &as_view)) {
        return NULL;
    }
    uint32_t s, r;
    if (omvpy_seconds_to_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0 ||
        omvpy_seconds_to_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0) {
        return NULL;
    }
    const uint8_t *res = NULL;
    size_t len = 0;
    omv_rpc_status st;
    if (run_call(self, name, data, s, r, &res, &len, &st) < 0) {
        return NULL;
    }
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "call failed");
    }
    if (!as_view) {
        return PyBytes_FromStringAndSize((const char *)res, (Py_ssize_t)len);
    }
    ResultObject *ro = PyObject_New(ResultObject, &ResultType);
    if (ro == NULL) {
        return NULL;
    }
    ro->owner = (MasterObject *)Py_NewRef((PyObject *)self);
    ro->p = res;
    ro->len = (Py_ssize_t)len;
    PyObject *mv = PyMemoryView_FromObject((PyObject *)ro);
    if (mv != NULL) {
        self->live_view = ro; /* cleared when the last view of it goes */
    }
    Py_DECREF(ro);
    return mv;
}

PyDoc_STRVAR(call_into_doc,
             "call_into(name, buffer, data=b'', *, send_timeout=1.0, recv_timeout=1.0) -> int\n\n"
             "As call(), but the result is received straight into `buffer` (a writable\n"
             "bytes-like object: no copy); returns its length. A result larger than the\n"
             "buffer raises TooLargeError before it is read.");

static PyObject *master_call_into(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", "buffer", "data", "send_timeout", "recv_timeout", NULL};
    PyObject *name, *data = NULL, *sto = NULL, *rto = NULL;
    Py_buffer out;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Ow*|O$OO", names, &name, &out, &data, &sto, &rto)) {
        return NULL;
    }
    PyObject *ret = NULL;
    uint32_t s, r;
    Py_buffer arg;
    arg.obj = NULL;
    omvpy_intr g;
    if (omvpy_seconds_to_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0 ||
        omvpy_seconds_to_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0) {
        goto done;
    }
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "name must be str, not %.100s", Py_TYPE(name)->tp_name);
        goto done;
    }
    const char *n = PyUnicode_AsUTF8(name);
    if (n == NULL || omvpy_get_data(data, &arg, "data") < 0) {
        goto done;
    }
    if (before_call(self, &g) < 0) {
        PyBuffer_Release(&arg);
        goto done;
    }
    size_t len = 0;
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_master_call_into(self->m, n, arg.buf, (size_t)arg.len, out.buf,
                                      (size_t)out.len, &len, s, r);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&arg);
    if (after_call(self, &g) < 0) {
        goto done;
    }
    if (st != OMV_RPC_OK) {
        omvpy_raise(st, "call failed");
        goto done;
    }
    ret = PyLong_FromSize_t(len);
done:
    PyBuffer_Release(&out);
    return ret;
}

PyDoc_STRVAR(rpc_call_doc,
             "_rpc_call(name, data=bytes(), send_timeout=1000, recv_timeout=1000)\n\n"
             "OpenMV's call(): timeouts in milliseconds; returns a memoryview of the\n"
             "result (empty for an unknown function) or None when the call failed.");

static PyObject *master_rpc_call(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", "data", "send_timeout", "recv_timeout", NULL};
    PyObject *name, *data = NULL, *sto = NULL, *rto = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOO", names, &name, &data, &sto, &rto)) {
        return NULL;
    }
    uint32_t s, r;
    if (omvpy_ms(sto, OMV_RPC_DEFAULT_SEND_TIMEOUT_MS, &s, "send_timeout") < 0 ||
        omvpy_ms(rto, OMV_RPC_DEFAULT_RECV_TIMEOUT_MS, &r, "recv_timeout") < 0) {
        return NULL;
    }
    const uint8_t *res = NULL;
    size_t len = 0;
    omv_rpc_status st;
    if (run_call(self, name, data, s, r, &res, &len, &st) < 0) {
        return NULL;
    }
    if (st != OMV_RPC_OK) {
        Py_RETURN_NONE;
    }
    /* A view of our own copy: it stays valid after the next call, as
     * OpenMV's results do (the examples keep them). */
    PyObject *b = PyBytes_FromStringAndSize((const char *)res, (Py_ssize_t)len);
    if (b == NULL) {
        return NULL;
    }
    PyObject *mv = PyMemoryView_FromObject(b);
    Py_DECREF(b);
    return mv;
}

/* --------------------------------------------------- raw transfers */

/* strict: raise on failure (modern) or return None (OpenMV). */
static int raw_enter(PyObject *o, omvpy_intr *g)
{
    return before_call((MasterObject *)o, g);
}

static int raw_leave(PyObject *o, omvpy_intr *g)
{
    return after_call((MasterObject *)o, g);
}

static omv_rpc_link *raw_link(PyObject *o)
{
    return omv_rpc_master_link(((MasterObject *)o)->m);
}

static const omvpy_guard raw_guard = {raw_enter, raw_leave, raw_link};

static PyObject *raw_get(MasterObject *self, PyObject *target, uint32_t ms, int strict)
{
    return omvpy_raw_get((PyObject *)self, &raw_guard, target, ms, strict);
}

static PyObject *raw_put(MasterObject *self, PyObject *data, uint32_t ms, int strict)
{
    return omvpy_raw_put((PyObject *)self, &raw_guard, data, ms, strict);
}

PyDoc_STRVAR(read_raw_doc,
             "read_raw(size_or_buffer, timeout=5.0)\n\n"
             "Cut-through read right after a call: an int gives that many bytes as a\n"
             "bytes object; a writable buffer is filled (no copy) and returned.\n"
             "`timeout` (seconds) bounds silence. Raises omvrpc.TimeoutError etc.");

static PyObject *master_read_raw(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"size_or_buffer", "timeout", NULL};
    PyObject *target, *to = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", names, &target, &to)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_seconds_to_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "timeout") < 0) {
        return NULL;
    }
    return raw_get(self, target, ms, 1);
}

PyDoc_STRVAR(write_raw_doc,
             "write_raw(data, timeout=5.0)\n\n"
             "Cut-through write right after a call (no framing). Raises on failure.");

static PyObject *master_write_raw(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"data", "timeout", NULL};
    PyObject *data, *to = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", names, &data, &to)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_seconds_to_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "timeout") < 0) {
        return NULL;
    }
    return raw_put(self, data, ms, 1);
}

static PyObject *master_rpc_get_bytes(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"buff", "timeout_ms", NULL};
    PyObject *buff, *to = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", names, &buff, &to)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_ms(to, 0, &ms, "timeout_ms") < 0) {
        return NULL;
    }
    if (PyLong_Check(buff)) {
        PyErr_SetString(PyExc_TypeError, "buff must be a writable buffer (bytearray, memoryview)");
        return NULL;
    }
    return raw_get(self, buff, ms, 0);
}

static PyObject *master_rpc_put_bytes(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"data", "timeout_ms", NULL};
    PyObject *data, *to = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO", names, &data, &to)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_ms(to, 0, &ms, "timeout_ms") < 0) {
        return NULL;
    }
    return raw_put(self, data, ms, 0);
}

/* ---------------------------------------------------------- streams */

/* How a stream's outcome is reported: OpenMV returns None on any error;
 * the modern API raises for errors and returns the frame count. An
 * exception from the callback propagates either way. */
static PyObject *stream_result(MasterObject *self, omvpy_intr *g, omvpy_stream_ctx *c,
                               omv_rpc_status st, int strict, const char *what)
{
    omvpy_stream_ctx_done(c);
    if (after_call(self, g) < 0) {
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

static PyObject *master_stream_read(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"call_back", "queue_depth", "read_timeout_ms", "strict", NULL};
    PyObject *fn, *to = NULL;
    unsigned int depth = 1;
    int strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|IO$p", names, &fn, &depth, &to, &strict)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "read_timeout_ms") < 0) {
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
    if (before_call(self, &g) < 0) {
        return NULL;
    }
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_master_stream_reader(self->m, omvpy_stream_read_cb, &c, depth, ms);
    Py_END_ALLOW_THREADS
    return stream_result(self, &g, &c, st, strict, "stream read failed");
}

static PyObject *master_stream_write(MasterObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"call_back", "write_timeout_ms", "strict", NULL};
    PyObject *fn, *to = NULL;
    int strict = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$p", names, &fn, &to, &strict)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_ms(to, OMV_RPC_DEFAULT_STREAM_TIMEOUT_MS, &ms, "write_timeout_ms") < 0) {
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
    if (before_call(self, &g) < 0) {
        return NULL;
    }
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_master_stream_writer(self->m, omvpy_stream_write_cb, &c, ms);
    Py_END_ALLOW_THREADS
    return stream_result(self, &g, &c, st, strict, "stream write failed");
}

/* ------------------------------------------------ benchmark baseline */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The C master's own figures on this very link, for the benchmark's
 * ratios: `count` calls in a C loop, no Python in between. */
static PyObject *master_c_calls(MasterObject *self, PyObject *args)
{
    const char *name;
    Py_buffer arg;
    unsigned long count;
    if (!PyArg_ParseTuple(args, "sy*k", &name, &arg, &count)) {
        return NULL;
    }
    omvpy_intr g;
    if (before_call(self, &g) < 0) {
        PyBuffer_Release(&arg);
        return NULL;
    }
    omv_rpc_status st = OMV_RPC_OK;
    double t0 = now_s(), t1;
    Py_BEGIN_ALLOW_THREADS
        for (unsigned long i = 0; i < count && st == OMV_RPC_OK; i++) {
            st = omv_rpc_master_call(self->m, name, arg.buf, (size_t)arg.len, NULL, NULL, 1000,
                                     1000);
        }
        t1 = now_s();
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&arg);
    if (after_call(self, &g) < 0) {
        return NULL;
    }
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "benchmark call failed");
    }
    return PyFloat_FromDouble(t1 - t0);
}

typedef struct {
    unsigned long left;
    unsigned long long bytes;
} c_stream_count;

static int count_frame(void *user, const uint8_t *frame, size_t len)
{
    (void)frame;
    c_stream_count *c = user;
    c->bytes += len;
    return --c->left == 0;
}

static PyObject *master_c_stream(MasterObject *self, PyObject *args)
{
    unsigned long frames;
    unsigned int depth;
    if (!PyArg_ParseTuple(args, "kI", &frames, &depth) || frames == 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "frames must be > 0");
        }
        return NULL;
    }
    omvpy_intr g;
    if (before_call(self, &g) < 0) {
        return NULL;
    }
    c_stream_count c = {frames, 0};
    omv_rpc_status st;
    double t0 = now_s(), t1;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_master_stream_reader(self->m, count_frame, &c, depth, 5000);
        t1 = now_s();
    Py_END_ALLOW_THREADS
    if (after_call(self, &g) < 0) {
        return NULL;
    }
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "benchmark stream failed");
    }
    return Py_BuildValue("dK", t1 - t0, c.bytes);
}

/* -------------------------------------------------------- properties */

static PyObject *master_get_retries(MasterObject *self, void *closure)
{
    (void)closure;
    if (check_open(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(omv_rpc_master_retries(self->m));
}

static PyObject *master_get_closed(MasterObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->m == NULL);
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

static PyMethodDef master_methods[] = {
    {"call", KW(master_call), call_doc},
    {"call_into", KW(master_call_into), call_into_doc},
    {"read_raw", KW(master_read_raw), read_raw_doc},
    {"write_raw", KW(master_write_raw), write_raw_doc},
    {"abort", (PyCFunction)master_abort, METH_NOARGS,
     "abort()\n\nEnd the call or stream running on this master (from another thread)\n"
     "within about 100 ms: it raises omvrpc.StoppedError (the drop-in returns None).\n"
     "With none running, the next one ends so. The master stays usable."},
    {"close", (PyCFunction)master_close, METH_NOARGS,
     "close()\n\nClose the link and free the master (idempotent)."},
    {"__enter__", (PyCFunction)master_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)master_exit, METH_VARARGS, NULL},
    {"_rpc_call", KW(master_rpc_call), rpc_call_doc},
    {"_rpc_get_bytes", KW(master_rpc_get_bytes),
     "_rpc_get_bytes(buff, timeout_ms): OpenMV's get_bytes; buff or None."},
    {"_rpc_put_bytes", KW(master_rpc_put_bytes),
     "_rpc_put_bytes(data, timeout_ms): OpenMV's put_bytes."},
    {"_stream_read", KW(master_stream_read),
     "_stream_read(call_back, queue_depth=1, read_timeout_ms=5000, *, strict=False)"},
    {"_stream_write", KW(master_stream_write),
     "_stream_write(call_back, write_timeout_ms=5000, *, strict=False)"},
    {"_c_calls", (PyCFunction)master_c_calls, METH_VARARGS,
     "_c_calls(name, data, count) -> seconds: the C master's loop (benchmark baseline)."},
    {"_c_stream", (PyCFunction)master_c_stream, METH_VARARGS,
     "_c_stream(frames, queue_depth) -> (seconds, bytes): the C stream reader (baseline)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef master_getset[] = {
    {"retries", (getter)master_get_retries, NULL,
     "How many attempts the master started over since it was created (0 on a clean link).", NULL},
    {"closed", (getter)master_get_closed, NULL, "True once close() ran.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject omvpy_MasterType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.Master",
    .tp_basicsize = sizeof(MasterObject),
    .tp_dealloc = (destructor)master_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Master(link=None, *, max_payload=0)\n\n"
              "The C core's master on `link` (a Link from one of the *_link\n"
              "functions, which it then owns), or on a Python transport: an object\n"
              "with get_bytes(buff, timeout_ms) and put_bytes(data, timeout_ms)\n"
              "(and optionally _flush()); None means the object itself (a subclass\n"
              "that implements them). Use omvrpc.Master's constructors instead.",
    .tp_traverse = (traverseproc)master_traverse,
    .tp_clear = (inquiry)master_clear,
    .tp_weaklistoffset = offsetof(MasterObject, weakrefs),
    .tp_methods = master_methods,
    .tp_getset = master_getset,
    .tp_init = (initproc)master_init,
    .tp_new = PyType_GenericNew,
};

int omvpy_master_init_type(PyObject *module)
{
    if (PyType_Ready(&ResultType) < 0 || PyType_Ready(&omvpy_MasterType) < 0) {
        return -1;
    }
    Py_INCREF(&omvpy_MasterType);
    if (PyModule_AddObject(module, "Master", (PyObject *)&omvpy_MasterType) < 0) {
        Py_DECREF(&omvpy_MasterType);
        return -1;
    }
    return 0;
}
