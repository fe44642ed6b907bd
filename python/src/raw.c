/* omvrpc Python extension: cut-through transfers (read_raw / write_raw and
 * OpenMV's get_bytes / put_bytes), shared by Master and Slave. Each type
 * gives its own guard: how it enters and leaves a library call (busy
 * check, Ctrl-C) and which link it moves the bytes on. */
#include "omvpy.h"

PyObject *omvpy_raw_get(PyObject *self, const omvpy_guard *guard, PyObject *target, uint32_t ms,
                        int strict)
{
    PyObject *owned = NULL;
    if (PyLong_Check(target)) {
        Py_ssize_t n = PyLong_AsSsize_t(target);
        if (n < 0) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "size must be >= 0");
            }
            return NULL;
        }
        if ((owned = PyByteArray_FromStringAndSize(NULL, n)) == NULL) {
            return NULL;
        }
        target = owned;
    }
    Py_buffer b;
    if (PyObject_GetBuffer(target, &b, PyBUF_WRITABLE) < 0) {
        Py_XDECREF(owned);
        return NULL;
    }
    omvpy_intr g;
    if (guard->enter(self, &g) < 0) {
        PyBuffer_Release(&b);
        Py_XDECREF(owned);
        return NULL;
    }
    omv_rpc_status st;
    omv_rpc_link *link = guard->link(self);
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_get_bytes(link, b.buf, (size_t)b.len, ms);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&b);
    if (guard->leave(self, &g) < 0) {
        Py_XDECREF(owned);
        return NULL;
    }
    if (st != OMV_RPC_OK) {
        Py_XDECREF(owned);
        if (strict) {
            return omvpy_raise(st, "raw read failed");
        }
        Py_RETURN_NONE;
    }
    if (owned != NULL) {
        PyObject *bytes = PyBytes_FromObject(owned);
        Py_DECREF(owned);
        return bytes;
    }
    return Py_NewRef(target);
}

PyObject *omvpy_raw_put(PyObject *self, const omvpy_guard *guard, PyObject *data, uint32_t ms,
                        int strict)
{
    Py_buffer b;
    if (omvpy_get_data(data, &b, "data") < 0) {
        return NULL;
    }
    omvpy_intr g;
    if (guard->enter(self, &g) < 0) {
        PyBuffer_Release(&b);
        return NULL;
    }
    omv_rpc_status st;
    omv_rpc_link *link = guard->link(self);
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_put_bytes(link, b.buf, (size_t)b.len, ms);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&b);
    if (guard->leave(self, &g) < 0) {
        return NULL;
    }
    if (st != OMV_RPC_OK && strict) {
        return omvpy_raise(st, "raw write failed");
    }
    Py_RETURN_NONE;
}
