/* omvrpc Python extension: a link table whose functions call a Python
 * object's transport methods, as OpenMV's rpc classes expect of their
 * subclasses:
 *   get_bytes(buff, timeout_ms) -> buff (filled) or None on timeout
 *   put_bytes(data, timeout_ms)  -> ignored
 *   _flush()                      (optional) drop what was received
 * The link is not a byte stream: each packet is one get_bytes / put_bytes,
 * as OpenMV's code makes it. An exception a method raises fails
 * the transfer and is re-raised by the Master or Slave method that was
 * running. */
#include "omvpy.h"

static void keep_first(omvpy_pytransport *t)
{
    if (t->pending == NULL) {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyErr_NormalizeException(&et, &ev, &tb);
        if (tb != NULL && ev != NULL) {
            PyException_SetTraceback(ev, tb);
        }
        t->pending = ev ? ev : Py_NewRef(Py_None);
        Py_XDECREF(et);
        Py_XDECREF(tb);
    } else {
        PyErr_Clear();
    }
}

static omv_rpc_status py_get(void *ctx, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    omvpy_pytransport *t = ctx;
    if (len == 0) {
        return OMV_RPC_OK;
    }
    PyGILState_STATE g = PyGILState_Ensure();
    omv_rpc_status st = OMV_RPC_ERR_LINK;
    if (t->pending != NULL) {
        goto out; /* a method already raised: stop at once */
    }
    PyObject *mv = PyMemoryView_FromMemory((char *)buf, (Py_ssize_t)len, PyBUF_WRITE);
    if (mv == NULL) {
        keep_first(t);
        goto out;
    }
    PyObject *r = PyObject_CallMethod(t->obj, "get_bytes", "OI", mv, (unsigned)timeout_ms);
    if (r == NULL) {
        keep_first(t);
    } else if (r == Py_None) {
        st = OMV_RPC_ERR_TIMEOUT;
    } else if (r == mv) {
        st = OMV_RPC_OK;
    } else {
        /* Another object: its bytes are the data (a transport that
         * returns what it read rather than filling the buffer). */
        Py_buffer b;
        if (PyObject_GetBuffer(r, &b, PyBUF_SIMPLE) < 0) {
            keep_first(t);
        } else {
            if ((size_t)b.len == len) {
                if (b.buf != buf) {
                    memcpy(buf, b.buf, len);
                }
                st = OMV_RPC_OK;
            } else {
                st = OMV_RPC_ERR_TIMEOUT; /* short read: nothing usable */
            }
            PyBuffer_Release(&b);
        }
    }
    Py_XDECREF(r);
    omvpy_view_release(mv);
out:
    PyGILState_Release(g);
    return st;
}

static omv_rpc_status py_put(void *ctx, const uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    omvpy_pytransport *t = ctx;
    if (len == 0) {
        return OMV_RPC_OK;
    }
    PyGILState_STATE g = PyGILState_Ensure();
    omv_rpc_status st = OMV_RPC_ERR_LINK;
    if (t->pending == NULL) {
        /* bytes, as OpenMV hands its transports (a copy: the transport may
         * keep it). */
        PyObject *data = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)len);
        PyObject *r =
            data ? PyObject_CallMethod(t->obj, "put_bytes", "OI", data, (unsigned)timeout_ms)
                 : NULL;
        if (r == NULL) {
            keep_first(t);
        } else {
            st = OMV_RPC_OK;
        }
        Py_XDECREF(r);
        Py_XDECREF(data);
    }
    PyGILState_Release(g);
    return st;
}

static void py_flush(void *ctx)
{
    omvpy_pytransport *t = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    if (t->pending == NULL) {
        PyObject *f = PyObject_GetAttrString(t->obj, "_flush");
        if (f == NULL) {
            PyErr_Clear(); /* optional */
        } else {
            PyObject *r = PyObject_CallNoArgs(f);
            if (r == NULL) {
                keep_first(t);
            }
            Py_XDECREF(r);
            Py_DECREF(f);
        }
    }
    PyGILState_Release(g);
}

static void py_close(void *ctx)
{
    omvpy_pytransport *t = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    if (t->strong) {
        Py_CLEAR(t->obj);
    }
    t->obj = NULL;
    Py_CLEAR(t->pending);
    PyGILState_Release(g);
}

/* A packet in pieces (magic, payload, CRC) is still one get_bytes /
 * put_bytes: the pieces go through one buffer. */
static omv_rpc_status py_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    if (count == 1) {
        return py_get(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    uint8_t *flat = malloc(total ? total : 1);
    if (flat == NULL) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omv_rpc_status st = py_get(ctx, flat, total, timeout_ms);
    for (size_t i = 0, off = 0; st == OMV_RPC_OK && i < count; off += iov[i++].len) {
        if (iov[i].len) {
            memcpy(iov[i].base, flat + off, iov[i].len);
        }
    }
    free(flat);
    return st;
}

static omv_rpc_status py_send(void *ctx, const omv_rpc_out_iov *iov, size_t count,
                              uint32_t timeout_ms, uint32_t xfer)
{
    (void)xfer;
    if (count == 1) {
        return py_put(ctx, iov[0].base, iov[0].len, timeout_ms);
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += iov[i].len;
    }
    uint8_t *flat = malloc(total ? total : 1);
    if (flat == NULL) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    for (size_t i = 0, off = 0; i < count; off += iov[i++].len) {
        if (iov[i].len) {
            memcpy(flat + off, iov[i].base, iov[i].len);
        }
    }
    omv_rpc_status st = py_put(ctx, flat, total, timeout_ms);
    free(flat);
    return st;
}

static const omv_rpc_link_ops py_ops = {
    .size = sizeof(omv_rpc_link_ops),
    .recv = py_recv,
    .send = py_send,
    .flush = py_flush,
    .now_ms = omv_rpc_clock_ms,
    .close = py_close,
};

int omvpy_pytransport_open(omv_rpc_link *link, omvpy_pytransport *t, PyObject *obj, int strong)
{
    if (!PyObject_HasAttrString(obj, "get_bytes") || !PyObject_HasAttrString(obj, "put_bytes")) {
        PyErr_Format(PyExc_TypeError,
                     "a transport needs get_bytes(buff, timeout_ms) and put_bytes(data, "
                     "timeout_ms) methods; %.100s has not both",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    memset(link, 0, sizeof(*link));
    t->obj = obj;
    t->strong = strong;
    t->pending = NULL;
    if (strong) {
        Py_INCREF(obj);
    }
    link->ops = &py_ops;
    link->ctx = t;
    return 0;
}

int omvpy_pytransport_reraise(omvpy_pytransport *t)
{
    if (t == NULL || t->pending == NULL) {
        return 0;
    }
    PyObject *e = t->pending;
    t->pending = NULL;
    if (e == Py_None) {
        Py_DECREF(e);
        PyErr_SetString(PyExc_RuntimeError, "the transport failed");
        return -1;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(e), e);
    Py_DECREF(e);
    return -1;
}
