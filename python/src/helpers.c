/* omvrpc Python extension: argument conversions, views, the busy check,
 * the log bridge. */
#include "omvpy.h"

#include <math.h>

int omvpy_get_data(PyObject *obj, Py_buffer *view, const char *what)
{
    if (obj == NULL || obj == Py_None) {
        /* An empty argument: a zero-length buffer over a static byte. */
        static const char empty[1] = {0};
        return PyBuffer_FillInfo(view, NULL, (void *)empty, 0, 1, PyBUF_SIMPLE);
    }
    if (PyUnicode_Check(obj)) {
        Py_ssize_t len = 0;
        const char *utf8 = PyUnicode_AsUTF8AndSize(obj, &len);
        if (utf8 == NULL) {
            return -1;
        }
        /* The str owns its UTF-8 form for its lifetime; the view holds the
         * str. */
        return PyBuffer_FillInfo(view, obj, (void *)utf8, len, 1, PyBUF_SIMPLE);
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be bytes-like or str, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    return PyObject_GetBuffer(obj, view, PyBUF_SIMPLE);
}

PyObject *omvpy_view(const uint8_t *p, size_t len)
{
    static char empty[1];
    return PyMemoryView_FromMemory(len ? (char *)p : empty, (Py_ssize_t)len, PyBUF_READ);
}

void omvpy_view_release(PyObject *view)
{
    if (view == NULL) {
        return;
    }
    /* The memory goes away after this: a view kept past the callback
     * raises ValueError on use instead of reading freed memory. Keeps an
     * exception the callback raised. */
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *r = PyObject_CallMethod(view, "release", NULL);
    if (r == NULL) {
        /* Still exported (e.g. a numpy array over it): nothing more can
         * be done; the documentation says the view is valid during the
         * call only. */
        PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_DECREF(view);
    PyErr_Restore(et, ev, tb);
}

static int to_ms(double v, uint32_t *out, const char *what)
{
    if (isnan(v) || v < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be a number >= 0", what);
        return -1;
    }
    *out = v >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)v;
    return 0;
}

int omvpy_seconds_to_ms(PyObject *obj, uint32_t dflt, uint32_t *out, const char *what)
{
    if (obj == NULL || obj == Py_None) {
        *out = dflt;
        return 0;
    }
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    return to_ms(ceil(v * 1000.0), out, what);
}

int omvpy_ms(PyObject *obj, uint32_t dflt, uint32_t *out, const char *what)
{
    if (obj == NULL || obj == Py_None) {
        *out = dflt;
        return 0;
    }
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    return to_ms(v, out, what);
}

int omvpy_busy_enter(omvpy_busy *b, int nest_ok, const char *what)
{
    unsigned long me = PyThread_get_thread_ident();
    if (b->depth > 0 && (b->thread != me || !nest_ok)) {
        PyErr_Format(
            PyExc_RuntimeError,
            "this %s is in use (%s); a master or slave is used by one thread at "
            "a time, and not from its own callbacks",
            what, b->thread == me ? "by a call in progress on this thread" : "by another thread");
        return -1;
    }
    b->thread = me;
    b->depth++;
    return 0;
}

void omvpy_busy_leave(omvpy_busy *b)
{
    b->depth--;
}

/* ---------------------------------------------------------- logging */

static PyObject *logger; /* logging.getLogger("omvrpc") */

int omvpy_log_init(void)
{
    PyObject *logging = PyImport_ImportModule("logging");
    if (logging == NULL) {
        return -1;
    }
    logger = PyObject_CallMethod(logging, "getLogger", "s", "omvrpc");
    Py_DECREF(logging);
    return logger ? 0 : -1;
}

static void log_line(void *user, omv_rpc_log_level level, const char *message)
{
    (void)user;
    static const int py_level[] = {40, 30, 20, 10};
    int lv = (unsigned)level < 4 ? py_level[level] : 10;
    PyGILState_STATE g = PyGILState_Ensure();
    /* Keep whatever exception is being handled (a log line may come
     * while one is pending). */
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *r = PyObject_CallMethod(logger, "log", "is", lv, message);
    if (r == NULL) {
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            /* Ctrl-C's flag was consumed by the logging code: trip it
             * again, so that the call that is running ends with it. */
            PyErr_Clear();
            PyErr_SetInterrupt();
        } else {
            PyErr_WriteUnraisable(logger);
        }
    }
    Py_XDECREF(r);
    PyErr_Restore(et, ev, tb);
    PyGILState_Release(g);
}

omv_rpc_log omvpy_log_hook(void)
{
    omv_rpc_log log = {log_line, NULL};
    return log;
}

void omvpy_config(omv_rpc_config *cfg, uint32_t max_payload)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_payload = max_payload;
    cfg->log = omvpy_log_hook();
}
