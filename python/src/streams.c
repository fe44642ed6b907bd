/* omvrpc Python extension: the stream callbacks shared by Master and
 * Slave. The reader hands each frame to Python as a memoryview over the
 * library's buffer (no copy, valid during the callback); the writer sends
 * the bytes-like object the callback returns straight from its memory,
 * holding it until the next frame is asked for. */
#include "omvpy.h"

static void keep_first(omvpy_stream_ctx *c)
{
    if (c->pending == NULL) {
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        PyErr_NormalizeException(&et, &ev, &tb);
        if (tb != NULL && ev != NULL) {
            PyException_SetTraceback(ev, tb);
        }
        c->pending = ev;
        Py_XDECREF(et);
        Py_XDECREF(tb);
    } else {
        PyErr_Clear();
    }
}

int omvpy_stream_read_cb(void *user, const uint8_t *frame, size_t len)
{
    omvpy_stream_ctx *c = user;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 1;
    PyObject *mv = omvpy_view(frame, len);
    if (mv == NULL) {
        keep_first(c);
    } else {
        PyObject *r = PyObject_CallOneArg(c->fn, mv);
        if (r == NULL) {
            keep_first(c);
        } else {
            /* OpenMV's callbacks return nothing; False ends the stream
             * (the modern API's way to stop without an exception). */
            stop = (r == Py_False);
            c->frames++;
            Py_DECREF(r);
        }
        omvpy_view_release(mv);
    }
    PyGILState_Release(g);
    return stop;
}

int omvpy_stream_write_cb(void *user, const uint8_t **frame, size_t *len)
{
    omvpy_stream_ctx *c = user;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 1;
    if (c->holding) {
        PyBuffer_Release(&c->held);
        c->holding = 0;
    }
    PyObject *r = PyObject_CallNoArgs(c->fn);
    if (r == NULL) {
        keep_first(c);
    } else if (r == Py_None) {
        stop = 1; /* None ends the stream (OpenMV's writers never return it) */
    } else if (omvpy_get_data(r, &c->held, "a stream frame") < 0) {
        keep_first(c);
    } else {
        c->holding = 1;
        *frame = c->held.buf;
        *len = (size_t)c->held.len;
        c->frames++;
        stop = 0;
    }
    Py_XDECREF(r);
    PyGILState_Release(g);
    return stop;
}

void omvpy_stream_ctx_done(omvpy_stream_ctx *c)
{
    if (c->holding) {
        PyBuffer_Release(&c->held);
        c->holding = 0;
    }
}
