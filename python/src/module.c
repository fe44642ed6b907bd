/* omvrpc Python extension: the module omvrpc._omvrpc (types, exceptions,
 * link openers, port listing). The package omvrpc re-exports it with
 * friendlier constructors. */
#include "omvpy.h"

static PyObject *py_list_ports(PyObject *mod, PyObject *unused)
{
    (void)mod;
    (void)unused;
    omv_rpc_port_info *ports = NULL;
    size_t count = 0;
    omv_rpc_status st;
    Py_BEGIN_ALLOW_THREADS
        st = omv_rpc_serial_list_ports(&ports, &count);
    Py_END_ALLOW_THREADS
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot list serial ports");
    }
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL && i < count; i++) {
        const omv_rpc_port_info *p = &ports[i];
        PyObject *t = Py_BuildValue(
            "(ssssHHOO)", p->name, p->description, p->serial_number, p->manufacturer, p->usb_vid,
            p->usb_pid, p->is_usb ? Py_True : Py_False, p->is_openmv ? Py_True : Py_False);
        if (t == NULL || PyList_Append(list, t) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(t);
    }
    omv_rpc_serial_free_ports(ports);
    return list;
}

static PyObject *py_hash(PyObject *mod, PyObject *arg)
{
    (void)mod;
    Py_buffer b;
    if (omvpy_get_data(arg, &b, "name") < 0) {
        return NULL;
    }
    uint32_t h = omv_rpc_hash(b.buf, (size_t)b.len);
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLong(h);
}

static PyObject *py_crc16(PyObject *mod, PyObject *arg)
{
    (void)mod;
    Py_buffer b;
    if (omvpy_get_data(arg, &b, "data") < 0) {
        return NULL;
    }
    uint16_t c = omv_rpc_crc16(OMV_RPC_CRC16_INIT, b.buf, (size_t)b.len);
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLong(c);
}

static PyObject *py_status_name(PyObject *mod, PyObject *arg)
{
    (void)mod;
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyUnicode_FromString(omv_rpc_status_name((omv_rpc_status)v));
}

/* The exception omvpy_raise would raise for a status named `name`, for
 * the Python files' own errors (e.g. a frame iterator's timeout). */
static PyObject *py_error(PyObject *mod, PyObject *args)
{
    (void)mod;
    const char *name, *what;
    if (!PyArg_ParseTuple(args, "ss", &name, &what)) {
        return NULL;
    }
    for (int code = 0; code >= -100; code--) {
        if (strcmp(omv_rpc_status_name((omv_rpc_status)code), name) == 0) {
            omvpy_raise((omv_rpc_status)code, what);
            PyObject *et, *ev, *tb;
            PyErr_Fetch(&et, &ev, &tb);
            PyErr_NormalizeException(&et, &ev, &tb);
            Py_XDECREF(et);
            Py_XDECREF(tb);
            return ev;
        }
    }
    PyErr_Format(PyExc_ValueError, "no status named %s", name);
    return NULL;
}

static PyMethodDef module_functions[] = {
    {"list_ports", py_list_ports, METH_NOARGS,
     "list_ports() -> [(name, description, serial_number, manufacturer, vid, pid, is_usb, "
     "is_openmv)]"},
    {"hash", py_hash, METH_O, "hash(name) -> the 32-bit hash OpenMV uses for function names."},
    {"crc16", py_crc16, METH_O, "crc16(data) -> the protocol's CRC-16 of data."},
    {"status_name", py_status_name, METH_O, "status_name(code) -> the C status name."},
    {"_error", py_error, METH_VARARGS,
     "_error(status_name, message) -> the omvrpc exception for that status."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "omvrpc._omvrpc",
    .m_doc = "The C core of omvrpc (use the omvrpc package).",
    .m_size = -1,
    .m_methods = module_functions,
};

PyMODINIT_FUNC PyInit__omvrpc(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddFunctions(m, omvpy_link_functions) < 0 || PyType_Ready(&omvpy_LinkType) < 0 ||
        PyModule_AddObjectRef(m, "Link", (PyObject *)&omvpy_LinkType) < 0 ||
        omvpy_errors_init(m) < 0 || omvpy_master_init_type(m) < 0 || omvpy_slave_init_type(m) < 0 ||
        omvpy_camera_init_type(m) < 0 || omvpy_log_init() < 0 || omvpy_intr_init() < 0 ||
        PyModule_AddStringConstant(m, "__version__", omv_rpc_version()) < 0 ||
        PyModule_AddIntConstant(m, "DEFAULT_MAX_PAYLOAD", OMV_RPC_DEFAULT_MAX_PAYLOAD) < 0 ||
        PyModule_AddIntConstant(m, "NET_DEFAULT_PORT", OMV_RPC_NET_DEFAULT_PORT) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
