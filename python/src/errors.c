/* omvrpc Python extension: the exception classes and the status-to-
 * exception mapping of the modern API. */
#include "omvpy.h"

PyObject *omvpy_Error;
PyObject *omvpy_TimeoutError;
PyObject *omvpy_LinkError;
PyObject *omvpy_ProtocolError;
PyObject *omvpy_TooLargeError;
PyObject *omvpy_StoppedError;
PyObject *omvpy_DeviceError;
PyObject *omvpy_ResetError;

static PyObject *new_class(PyObject *module, const char *name, const char *doc, PyObject *bases)
{
    char full[64];
    PyOS_snprintf(full, sizeof(full), "omvrpc.%s", name);
    PyObject *cls = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
    if (cls == NULL) {
        return NULL;
    }
    Py_INCREF(cls);
    if (PyModule_AddObject(module, name, cls) < 0) {
        Py_DECREF(cls);
        Py_DECREF(cls);
        return NULL;
    }
    return cls;
}

static PyObject *new_sub(PyObject *module, const char *name, const char *doc, PyObject *extra)
{
    PyObject *bases = extra ? PyTuple_Pack(2, omvpy_Error, extra) : PyTuple_Pack(1, omvpy_Error);
    if (bases == NULL) {
        return NULL;
    }
    PyObject *cls = new_class(module, name, doc, bases);
    Py_DECREF(bases);
    return cls;
}

int omvpy_errors_init(PyObject *module)
{
    omvpy_Error =
        new_class(module, "Error",
                  "Base class of every omvrpc error. Attributes: status (the C status name,\n"
                  "e.g. 'OMV_RPC_ERR_RECV_TIMEOUT'), code (its number), phase ('send',\n"
                  "'recv' or None), device_status (a camera's refusal, see DeviceError;\n"
                  "else None).",
                  NULL);
    if (omvpy_Error == NULL) {
        return -1;
    }
    omvpy_TimeoutError =
        new_sub(module, "TimeoutError",
                "The peer did not answer in time. phase is 'send' (the slave never took\n"
                "the command), 'recv' (no valid result came) or None (a raw transfer or a\n"
                "stream). Also a builtins.TimeoutError.",
                PyExc_TimeoutError);
    omvpy_LinkError =
        new_sub(module, "LinkError",
                "The link cannot be opened or broke (no such port, permission, busy,\n"
                "closed by the peer, network errors). Also an OSError.",
                PyExc_OSError);
    omvpy_ProtocolError =
        new_sub(module, "ProtocolError",
                "The peer sent something the protocol refuses (bad magic or CRC, a wrong\n"
                "stream ack).",
                NULL);
    omvpy_TooLargeError =
        new_sub(module, "TooLargeError",
                "A length is over the limit (max_payload) or the buffer given.", NULL);
    omvpy_StoppedError = new_sub(module, "StoppedError",
                                 "The operation was stopped: stop() / abort() or Ctrl-C.", NULL);
    omvpy_DeviceError =
        new_sub(module, "DeviceError",
                "A camera (omvrpc.Camera) refused the command: .device_status is its\n"
                "status name ('BUSY', 'INVALID', 'FAILED', ...).",
                NULL);
    omvpy_ResetError =
        new_sub(module, "ResetError",
                "The camera soft-rebooted (its script ended) while the command ran; the\n"
                "host has resynchronised: send it again.",
                NULL);
    if (!omvpy_TimeoutError || !omvpy_LinkError || !omvpy_ProtocolError || !omvpy_TooLargeError ||
        !omvpy_StoppedError || !omvpy_DeviceError || !omvpy_ResetError) {
        return -1;
    }
    return 0;
}

static PyObject *class_for(omv_rpc_status st, const char **phase)
{
    *phase = NULL;
    switch (st) {
    case OMV_RPC_ERR_SEND_TIMEOUT:
        *phase = "send";
        return omvpy_TimeoutError;
    case OMV_RPC_ERR_RECV_TIMEOUT:
        *phase = "recv";
        return omvpy_TimeoutError;
    case OMV_RPC_ERR_TIMEOUT:
        return omvpy_TimeoutError;
    case OMV_RPC_ERR_TOO_LARGE:
    case OMV_RPC_ERR_BUFFER_TOO_SMALL:
        return omvpy_TooLargeError;
    case OMV_RPC_ERR_BAD_PACKET:
    case OMV_RPC_ERR_STREAM_ENDED:
        return omvpy_ProtocolError;
    case OMV_RPC_ERR_STOPPED:
    case OMV_RPC_ERR_ABORTED:
        return omvpy_StoppedError;
    case OMV_RPC_ERR_NAK:
        return omvpy_DeviceError;
    case OMV_RPC_ERR_RESET:
        return omvpy_ResetError;
    default:
        break;
    }
    if ((int)st <= (int)OMV_RPC_ERR_LINK) {
        return omvpy_LinkError;
    }
    if (st == OMV_RPC_ERR_NO_MEMORY) {
        return PyExc_MemoryError;
    }
    return omvpy_Error; /* usage errors */
}

PyObject *omvpy_raise(omv_rpc_status st, const char *what)
{
    return omvpy_raise_device(st, what, NULL);
}

PyObject *omvpy_raise_device(omv_rpc_status st, const char *what, const char *device_status)
{
    const char *phase;
    PyObject *cls = class_for(st, &phase);
    PyObject *msg;
    if (device_status != NULL) {
        /* The camera's NAK: BUSY is its answer, not a port in use. */
        if (st == OMV_RPC_ERR_BUSY) {
            cls = omvpy_DeviceError;
        }
        msg = PyUnicode_FromFormat("%s: the camera refused it (%s, %s)", what, device_status,
                                   omv_rpc_status_name(st));
    } else {
        msg = PyUnicode_FromFormat("%s: %s (%s)", what, omv_rpc_status_message(st),
                                   omv_rpc_status_name(st));
    }
    if (msg == NULL) {
        return NULL;
    }
    PyObject *exc = PyObject_CallOneArg(cls, msg);
    Py_DECREF(msg);
    if (exc == NULL) {
        return NULL;
    }
    if (cls != PyExc_MemoryError) {
        PyObject *status = PyUnicode_FromString(omv_rpc_status_name(st));
        PyObject *code = PyLong_FromLong((long)st);
        PyObject *ph = phase ? PyUnicode_FromString(phase) : Py_NewRef(Py_None);
        PyObject *dev = device_status ? PyUnicode_FromString(device_status) : Py_NewRef(Py_None);
        int bad = status == NULL || code == NULL || ph == NULL || dev == NULL ||
                  PyObject_SetAttrString(exc, "status", status) < 0 ||
                  PyObject_SetAttrString(exc, "code", code) < 0 ||
                  PyObject_SetAttrString(exc, "phase", ph) < 0 ||
                  PyObject_SetAttrString(exc, "device_status", dev) < 0;
        Py_XDECREF(status);
        Py_XDECREF(code);
        Py_XDECREF(ph);
        Py_XDECREF(dev);
        if (bad) {
            Py_DECREF(exc);
            return NULL;
        }
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}
