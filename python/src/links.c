/* omvrpc Python extension: opening the library's links (serial, network,
 * CAN, I2C, SPI, in-process pair, pseudo-terminal) as Link objects that a
 * Master or Slave then takes over. */
#include "omvpy.h"

#include <omv_rpc/v2.h>

#ifndef _WIN32
#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#endif

static void link_dealloc(omvpy_Link *self)
{
    if (self->open) {
        omv_rpc_link_close(&self->link);
        self->open = 0;
    }
#ifndef _WIN32
    if (self->keep_fd >= 0) {
        close(self->keep_fd);
    }
#endif
    Py_XDECREF(self->name);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *link_close(omvpy_Link *self, PyObject *unused)
{
    (void)unused;
    if (self->open) {
        omv_rpc_link_close(&self->link);
        self->open = 0;
    }
    Py_RETURN_NONE;
}

static PyObject *link_get_name(omvpy_Link *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->name ? self->name : Py_None);
}

static PyMethodDef link_methods[] = {
    {"close", (PyCFunction)link_close, METH_NOARGS,
     "Close the link if no master or slave took it."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef link_getset[] = {
    {"name", (getter)link_get_name, NULL, "The port or pseudo-terminal path (or None).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject omvpy_LinkType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.Link",
    .tp_basicsize = sizeof(omvpy_Link),
    .tp_dealloc = (destructor)link_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An opened link, not yet given to a Master or Slave (which then owns it).",
    .tp_methods = link_methods,
    .tp_getset = link_getset,
};

PyObject *omvpy_link_new(const omv_rpc_link *link, PyObject *name)
{
    omvpy_Link *obj = PyObject_New(omvpy_Link, &omvpy_LinkType);
    if (obj == NULL) {
        omv_rpc_link l = *link;
        omv_rpc_link_close(&l);
        return NULL;
    }
    obj->link = *link;
    obj->open = 1;
    obj->name = Py_XNewRef(name);
    obj->keep_fd = -1;
    return (PyObject *)obj;
}

int omvpy_link_take(PyObject *obj, omv_rpc_link *out)
{
    omvpy_Link *l = (omvpy_Link *)obj;
    if (!l->open) {
        PyErr_SetString(PyExc_ValueError, "this link is closed or already in use");
        return -1;
    }
    *out = l->link;
    memset(&l->link, 0, sizeof(l->link));
    l->open = 0;
    return 0;
}

/* Run an opener with the GIL released (opening may resolve names or wait
 * for a device) and wrap the result. */
#define OPEN_RELEASED(call)    \
    do {                       \
        Py_BEGIN_ALLOW_THREADS \
            st = (call);       \
        Py_END_ALLOW_THREADS   \
    } while (0)

static PyObject *open_serial(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"port", "baudrate", NULL};
    const char *port;
    unsigned long baud = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|k", names, &port, &baud)) {
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_serial_open(&link, port, (uint32_t)baud, &log));
    if (st != OMV_RPC_OK) {
        PyObject *p = PyUnicode_FromFormat("cannot open serial port %s", port);
        if (p != NULL) {
            omvpy_raise(st, PyUnicode_AsUTF8(p));
            Py_DECREF(p);
        }
        return NULL;
    }
    PyObject *name = PyUnicode_FromString(port);
    PyObject *r = name ? omvpy_link_new(&link, name) : NULL;
    if (name == NULL) {
        omv_rpc_link_close(&link);
    }
    Py_XDECREF(name);
    return r;
}

static const char *opt_addr(const char *a)
{
    return (a == NULL || a[0] == '\0') ? NULL : a;
}

static PyObject *open_net_master(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"slave_address", "my_address", "port", NULL};
    const char *host;
    const char *mine = NULL;
    unsigned int port = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zI", names, &host, &mine, &port)) {
        return NULL;
    }
    if (port > 65535) {
        PyErr_SetString(PyExc_ValueError, "port must be 0..65535");
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_net_master_open(&link, host, opt_addr(mine), (uint16_t)port, &log));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the network master link");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_net_slave(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"my_address", "port", "allowed", NULL};
    const char *mine = NULL;
    unsigned int port = 0;
    PyObject *allowed = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zIO", names, &mine, &port, &allowed)) {
        return NULL;
    }
    if (port > 65535) {
        PyErr_SetString(PyExc_ValueError, "port must be 0..65535");
        return NULL;
    }
    PyObject *seq = NULL;
    const char **list = NULL;
    Py_ssize_t n = 0;
    if (allowed != Py_None) {
        seq = PySequence_Fast(allowed, "allowed must be a list of host names or addresses");
        if (seq == NULL) {
            return NULL;
        }
        n = PySequence_Fast_GET_SIZE(seq);
        list = PyMem_Calloc((size_t)n + 1, sizeof(*list));
        if (list == NULL) {
            Py_DECREF(seq);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            list[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
            if (list[i] == NULL) {
                PyMem_Free(list);
                Py_DECREF(seq);
                return NULL;
            }
        }
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(
        omv_rpc_net_slave_open(&link, opt_addr(mine), (uint16_t)port, list, (size_t)n, &log));
    PyMem_Free(list);
    Py_XDECREF(seq);
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the network slave link");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_socketcan(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"interface", "message_id", "bit_rate", "sample_point", NULL};
    const char *iface;
    unsigned int id = OMV_RPC_CAN_DEFAULT_MESSAGE_ID;
    unsigned int rate = OMV_RPC_CAN_DEFAULT_BIT_RATE;
    unsigned int sp = OMV_RPC_CAN_DEFAULT_SAMPLE_POINT;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|III", names, &iface, &id, &rate, &sp)) {
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_can_open_socketcan(&link, iface, id, rate, sp, &log));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the CAN interface");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_kvaser(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"channel", "message_id", "bit_rate", "sample_point", "library", NULL};
    int channel;
    unsigned int id = OMV_RPC_CAN_DEFAULT_MESSAGE_ID;
    unsigned int rate = OMV_RPC_CAN_DEFAULT_BIT_RATE;
    unsigned int sp = OMV_RPC_CAN_DEFAULT_SAMPLE_POINT;
    const char *library = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "i|IIIz", names, &channel, &id, &rate, &sp,
                                     &library)) {
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_can_open_kvaser(&link, channel, id, rate, sp, library, &log));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the Kvaser CAN channel");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_i2c(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"device", "address", "rate", NULL};
    const char *dev;
    unsigned int addr = OMV_RPC_I2C_DEFAULT_ADDRESS;
    unsigned int rate = OMV_RPC_I2C_DEFAULT_RATE;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|II", names, &dev, &addr, &rate)) {
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_i2c_master_open(&link, dev, (uint16_t)addr, rate, &log));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the I2C bus");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_spi(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"device", "mode", "hz", NULL};
    const char *dev;
    unsigned int mode = OMV_RPC_SPI_DEFAULT_MODE;
    unsigned int hz = OMV_RPC_SPI_DEFAULT_HZ;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|II", names, &dev, &mode, &hz)) {
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_spi_master_open(&link, dev, mode, hz, &log));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the SPI bus");
    }
    return omvpy_link_new(&link, NULL);
}

static PyObject *open_pair(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"capacity", NULL};
    Py_ssize_t cap = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|n", names, &cap)) {
        return NULL;
    }
    if (cap < 0) {
        PyErr_SetString(PyExc_ValueError, "capacity must be >= 0");
        return NULL;
    }
    omv_rpc_link a, b;
    omv_rpc_status st = omv_rpc_pair_open(&a, &b, (size_t)cap);
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open a link pair");
    }
    PyObject *la = omvpy_link_new(&a, NULL);
    if (la == NULL) {
        omv_rpc_link_close(&b);
        return NULL;
    }
    PyObject *lb = omvpy_link_new(&b, NULL);
    if (lb == NULL) {
        Py_DECREF(la);
        return NULL;
    }
    PyObject *r = PyTuple_Pack(2, la, lb);
    Py_DECREF(la);
    Py_DECREF(lb);
    return r;
}

/* OpenMV Protocol V2 over UDP (the camera's network transport script):
 * a link for omvrpc.Camera. */
static PyObject *open_v2_udp(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"host", "port", NULL};
    const char *host;
    unsigned int port = OMV_RPC_V2_UDP_DEFAULT_PORT;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|I", names, &host, &port)) {
        return NULL;
    }
    if (port == 0 || port > 65535) {
        PyErr_SetString(PyExc_ValueError, "port must be 1..65535");
        return NULL;
    }
    omv_rpc_link link;
    omv_rpc_status st;
    OPEN_RELEASED(omv_rpc_v2_udp_link_open(&link, host, (uint16_t)port));
    if (st != OMV_RPC_OK) {
        return omvpy_raise(st, "cannot open the V2 UDP link");
    }
    PyObject *name = PyUnicode_FromFormat("udp:%s:%u", host, port);
    PyObject *r = name ? omvpy_link_new(&link, name) : NULL;
    if (name == NULL) {
        omv_rpc_link_close(&link);
    }
    Py_XDECREF(name);
    return r;
}

#ifndef _WIN32
/* A new pseudo-terminal: the link is its controlling side, `name` the
 * terminal side's path for a master (or `omv-rpc call --port`) to open.
 * The terminal side stays open in the Link so that a master closing it
 * does not hang up the controlling side. */
static PyObject *open_pty(PyObject *mod, PyObject *unused)
{
    (void)mod;
    (void)unused;
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) {
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    const char *path = NULL;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || (path = ptsname(fd)) == NULL) {
        PyErr_SetFromErrno(PyExc_OSError);
        close(fd);
        return NULL;
    }
    PyObject *name = PyUnicode_DecodeFSDefault(path);
    if (name == NULL) {
        close(fd);
        return NULL;
    }
    int term = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (term < 0) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
        Py_DECREF(name);
        close(fd);
        return NULL;
    }
    struct termios t;
    if (tcgetattr(term, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(term, TCSANOW, &t);
    }
    omv_rpc_link link;
    omv_rpc_log log = omvpy_log_hook();
    omv_rpc_status st = omv_rpc_serial_open_fd(&link, fd, PyUnicode_AsUTF8(name), 0, &log);
    if (st != OMV_RPC_OK) {
        close(term);
        Py_DECREF(name);
        return omvpy_raise(st, "cannot open the pseudo-terminal");
    }
    omvpy_Link *l = (omvpy_Link *)omvpy_link_new(&link, name);
    Py_DECREF(name);
    if (l == NULL) {
        close(term);
        return NULL;
    }
    l->keep_fd = term;
    return (PyObject *)l;
}
#endif

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

PyMethodDef omvpy_link_functions[] = {
    {"serial_link", KW(open_serial), "serial_link(port, baudrate=0): a USB VCP (0) or UART link."},
    {"net_master_link", KW(open_net_master),
     "net_master_link(slave_address, my_address=None, port=0): a network master link."},
    {"net_slave_link", KW(open_net_slave),
     "net_slave_link(my_address=None, port=0, allowed=None): a network slave link."},
    {"socketcan_link", KW(open_socketcan),
     "socketcan_link(interface, message_id=0x7FF, bit_rate=250000, sample_point=75)."},
    {"kvaser_link", KW(open_kvaser),
     "kvaser_link(channel, message_id=0x7FF, bit_rate=250000, sample_point=75, library=None)."},
    {"i2c_link", KW(open_i2c), "i2c_link(device, address=0x12, rate=100000): I2C master link."},
    {"spi_link", KW(open_spi), "spi_link(device, mode=2, hz=1000000): SPI master link."},
    {"pair_links", KW(open_pair), "pair_links(capacity=0): two connected in-process links."},
    {"v2_udp_link", KW(open_v2_udp),
     "v2_udp_link(host, port=5555): OpenMV Protocol V2 over UDP, for omvrpc.Camera."},
#ifndef _WIN32
    {"pty_link", (PyCFunction)open_pty, METH_NOARGS,
     "pty_link(): a link on a new pseudo-terminal; .name is the path to open."},
#endif
    {NULL, NULL, 0, NULL},
};
