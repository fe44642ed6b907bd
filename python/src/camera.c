/* omvrpc Python extension: the Camera type (omvrpc._omvrpc.Camera), the
 * base of omvrpc.Camera: a host for OpenMV Protocol V2 (include/omv_rpc/
 * v2.h), the protocol of current firmware on the USB port.
 *
 * Every command runs with the GIL released. Abort and Ctrl-C: the link's
 * watcher (omv_rpc_link_ops.watch, asked every 20 ms while a transfer
 * waits) looks at the camera's abort flag, so a command ends with
 * OMV_RPC_ERR_ABORTED within about 100 ms of abort() or a SIGINT.
 * Events arrive inside commands, with the GIL released: the library's
 * callback only queues them here; they reach Python (the callback, or the
 * queue that events() reads) once the command has returned. */
#include "omvpy.h"

#include <omv_rpc/v2.h>
#include <omv_rpc/v2_link.h>

#define CAM_DOC_NAME "camera"
#define CAM_EVENT_QUEUE 256u
#define CAM_FRAME_MIN (64u * 1024u)
#define CAM_FRAME_MAX (64u * 1024u * 1024u)
#define CAM_FRAME_POOL 2

/* A frame buffer handed out as memoryviews (frames with view=True). It is
 * reused for a later frame only when no view of it is left, so a view a
 * user keeps never changes under them. */
typedef struct {
    PyObject_HEAD
    uint8_t *data;
    size_t cap;
    Py_ssize_t len; /* the frame's bytes */
    Py_ssize_t exports;
} FrameBufObject;

static int framebuf_getbuffer(FrameBufObject *self, Py_buffer *view, int flags)
{
    static char empty[1];
    int rc = PyBuffer_FillInfo(view, (PyObject *)self, self->len ? (void *)self->data : empty,
                               self->len, 1, flags);
    if (rc == 0) {
        self->exports++;
    }
    return rc;
}

static void framebuf_releasebuffer(FrameBufObject *self, Py_buffer *view)
{
    (void)view;
    self->exports--;
}

static void framebuf_dealloc(FrameBufObject *self)
{
    PyMem_RawFree(self->data);
    PyObject_Free(self);
}

static PyBufferProcs framebuf_as_buffer = {(getbufferproc)framebuf_getbuffer,
                                           (releasebufferproc)framebuf_releasebuffer};

static PyTypeObject FrameBufType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.FrameBuffer",
    .tp_basicsize = sizeof(FrameBufObject),
    .tp_dealloc = (destructor)framebuf_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A frame's bytes (see Camera.read_frame(view=True)).",
    .tp_as_buffer = &framebuf_as_buffer,
};

typedef struct {
    uint8_t opcode, channel;
    uint16_t event;
} cam_event;

typedef struct {
    PyObject_HEAD
    omv_rpc_v2 *v2;
    omvpy_busy busy;
    /* Set by abort() or SIGINT; the link's watcher fails transfers while
     * it is set (it lives as long as the link: the object owns both). */
    atomic_int abort_req;
    /* Events queued during a command (no GIL there); oldest dropped. */
    cam_event events[CAM_EVENT_QUEUE];
    unsigned ev_head, ev_count;
    unsigned long ev_dropped;
    PyObject *on_event; /* callable(opcode, channel, event) or NULL */
    FrameBufObject *pool[CAM_FRAME_POOL];
    uint8_t *frame; /* the copying reads' buffer */
    size_t frame_cap;
    PyObject *name; /* the port */
    /* The V2 host is used by one command at a time: the camera's own, or
     * a transfer of an rpc link lent on it (_rpc_link). Whoever holds
     * this lock has the turn; the other waits (bounded), never interleaves. */
    PyThread_type_lock turn;
    int lent; /* rpc links alive on the host: close() waits for none */
    PyObject *weakrefs;
} CameraObject;

/* ------------------------------------------------------- callbacks */

static void on_event(void *user, uint8_t opcode, uint8_t channel, uint16_t event)
{
    CameraObject *self = user;
    if (self->ev_count == CAM_EVENT_QUEUE) {
        self->ev_head = (self->ev_head + 1u) % CAM_EVENT_QUEUE;
        self->ev_count--;
        self->ev_dropped++;
    }
    cam_event *e = &self->events[(self->ev_head + self->ev_count) % CAM_EVENT_QUEUE];
    e->opcode = opcode;
    e->channel = channel;
    e->event = event;
    self->ev_count++;
}

static omv_rpc_status cam_watch(void *arg)
{
    CameraObject *self = arg;
    return atomic_load(&self->abort_req) ? OMV_RPC_ERR_ABORTED : OMV_RPC_OK;
}

/* Hand the queued events to the Python callback, if there is one. -1
 * with the exception the callback raised (the others stay queued). */
static int dispatch_events(CameraObject *self)
{
    while (self->on_event != NULL && self->ev_count > 0) {
        cam_event e = self->events[self->ev_head];
        self->ev_head = (self->ev_head + 1u) % CAM_EVENT_QUEUE;
        self->ev_count--;
        PyObject *fn = Py_NewRef(self->on_event);
        PyObject *r = PyObject_CallFunction(fn, "IIl", (unsigned)e.opcode, (unsigned)e.channel,
                                            e.event == OMV_RPC_V2_EVENT_NONE ? -1L : (long)e.event);
        Py_DECREF(fn);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    return 0;
}

/* ------------------------------------------------- entering commands */

static int check_open(CameraObject *self)
{
    if (self->v2 == NULL) {
        PyErr_SetString(PyExc_ValueError, "the camera is closed (or was never set up)");
        return -1;
    }
    return 0;
}

static int before(CameraObject *self, omvpy_intr *g)
{
    if (check_open(self) < 0 || omvpy_busy_enter(&self->busy, 0, CAM_DOC_NAME) < 0) {
        return -1;
    }
    omvpy_intr_begin_flag(g, &self->abort_req);
    return 0;
}

/* How long a command waits for its turn while an rpc link's transfer
 * holds the host (a transfer is bounded by its own timeouts). */
#define CAM_TURN_WAIT_MS 30000u

/* Without the GIL: wait for the host's turn, in slices, so that abort()
 * and Ctrl-C still end the wait. */
static omv_rpc_status take_turn(CameraObject *self)
{
    for (uint32_t waited = 0; waited < CAM_TURN_WAIT_MS; waited += 20u) {
        if (atomic_load(&self->abort_req)) {
            return OMV_RPC_ERR_ABORTED;
        }
        if (PyThread_acquire_lock_timed(self->turn, 20000, 0) == PY_LOCK_ACQUIRED) {
            return OMV_RPC_OK;
        }
    }
    return OMV_RPC_ERR_BUSY;
}

static void give_turn(CameraObject *self)
{
    PyThread_release_lock(self->turn);
}

/* Leave a command whose status is `st`: Ctrl-C, the abort request, the
 * events, then the status itself (raised as `what` unless it is OK or
 * listed in `quiet`, a 0-terminated list the caller handles). Returns -1
 * with an exception set, else 0. */
static int after(CameraObject *self, omvpy_intr *g, omv_rpc_status st, const char *what,
                 const omv_rpc_status *quiet)
{
    int interrupted = omvpy_intr_end(g);
    if (st == OMV_RPC_ERR_ABORTED || interrupted) {
        /* Consumed: by this command, or by the KeyboardInterrupt below. */
        atomic_store(&self->abort_req, 0);
    }
    omvpy_busy_leave(&self->busy);
    /* Read before the event callback runs: it may use or close the camera. */
    omv_rpc_v2_device_status ds = omv_rpc_v2_last_device_status(self->v2);
    if (interrupted && omvpy_intr_deliver() < 0) {
        return -1;
    }
    if (dispatch_events(self) < 0) {
        return -1;
    }
    if (st == OMV_RPC_OK) {
        return 0;
    }
    for (; quiet != NULL && *quiet != OMV_RPC_OK; quiet++) {
        if (*quiet == st) {
            return 0;
        }
    }
    int refused =
        ds != OMV_RPC_V2_SUCCESS && (st == OMV_RPC_ERR_NAK || st == OMV_RPC_ERR_BUSY ||
                                     st == OMV_RPC_ERR_TIMEOUT || st == OMV_RPC_ERR_TOO_LARGE);
    omvpy_raise_device(st, what, refused ? omv_rpc_v2_device_status_name(ds) : NULL);
    return -1;
}

/* Run `expr` (a library call on self->v2 giving a status) with the GIL
 * released, then leave as after() does; `fail` runs when that raised. */
#define CAM_RUN(self, st, expr, what, quiet, fail)           \
    do {                                                     \
        omvpy_intr g_;                                       \
        if (before((self), &g_) < 0) {                       \
            fail;                                            \
        }                                                    \
        Py_BEGIN_ALLOW_THREADS(st)                           \
            = take_turn(self);                               \
            if ((st) == OMV_RPC_OK) {                        \
                (st) = (expr);                               \
                give_turn(self);                             \
            }                                                \
        Py_END_ALLOW_THREADS                                 \
        if (after((self), &g_, (st), (what), (quiet)) < 0) { \
            fail;                                            \
        }                                                    \
    } while (0)

/* --------------------------------------------------------- lifetime */

static void cam_free_handle(CameraObject *self)
{
    if (self->v2 != NULL) {
        omv_rpc_v2 *v2 = self->v2;
        self->v2 = NULL;
        omv_rpc_v2_free(v2);
    }
}

static int cam_init(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"link", "timeout", "max_payload", NULL};
    PyObject *link, *to = NULL;
    unsigned int max_payload = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|$OI", names, &omvpy_LinkType, &link, &to,
                                     &max_payload)) {
        return -1;
    }
    if (self->v2 != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the camera is already set up");
        return -1;
    }
    uint32_t ms;
    if (omvpy_seconds_to_ms(to, 0, &ms, "timeout") < 0) {
        return -1;
    }
    if (max_payload != 0 &&
        (max_payload < OMV_RPC_V2_MIN_PAYLOAD || max_payload > OMV_RPC_V2_MAX_PAYLOAD)) {
        PyErr_Format(PyExc_ValueError, "max_payload must be %u..%u (or 0: the largest)",
                     OMV_RPC_V2_MIN_PAYLOAD, OMV_RPC_V2_MAX_PAYLOAD);
        return -1;
    }
    if (self->turn == NULL && (self->turn = PyThread_allocate_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *name = PyObject_GetAttrString(link, "name");
    if (name == NULL) {
        return -1;
    }
    omv_rpc_link l;
    if (omvpy_link_take(link, &l) < 0) {
        Py_DECREF(name);
        return -1;
    }
    if (l.ops->watch != NULL) {
        l.ops->watch(l.ctx, cam_watch, self);
    }
    omv_rpc_v2_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.timeout_ms = ms;
    cfg.max_payload = (uint16_t)max_payload;
    cfg.log = omvpy_log_hook();
    cfg.on_event = on_event;
    cfg.event_user_data = self;
    omv_rpc_status st = omv_rpc_v2_new(&self->v2, &l, &cfg);
    if (st != OMV_RPC_OK) {
        self->v2 = NULL;
        Py_DECREF(name);
        omvpy_raise(st, "cannot create the camera host");
        return -1;
    }
    Py_XSETREF(self->name, name);
    return 0;
}

static int cam_traverse(CameraObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->on_event);
    return 0;
}

static int cam_clear(CameraObject *self)
{
    Py_CLEAR(self->on_event);
    return 0;
}

static void cam_dealloc(CameraObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    cam_free_handle(self);
    Py_CLEAR(self->on_event);
    Py_CLEAR(self->name);
    for (int i = 0; i < CAM_FRAME_POOL; i++) {
        Py_CLEAR(self->pool[i]);
    }
    PyMem_RawFree(self->frame);
    if (self->turn != NULL) {
        PyThread_free_lock(self->turn);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *cam_close(CameraObject *self, PyObject *unused)
{
    (void)unused;
    if (self->busy.depth > 0) {
        PyErr_SetString(PyExc_RuntimeError, "cannot close the camera while a command runs on it");
        return NULL;
    }
    if (self->lent > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "an rpc master still runs on this camera's channel: close it first");
        return NULL;
    }
    cam_free_handle(self);
    Py_RETURN_NONE;
}

static PyObject *cam_abort(CameraObject *self, PyObject *unused)
{
    (void)unused;
    atomic_store(&self->abort_req, 1);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------- protocol */

static PyObject *cam_connect(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_connect(self->v2),
            "cannot connect (is it a camera with Protocol V2 firmware?)", NULL, return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_sync(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_sync(self->v2), "sync failed", NULL, return NULL);
    Py_RETURN_NONE;
}

static PyObject *version_tuple(const uint8_t v[3])
{
    return Py_BuildValue("(BBB)", v[0], v[1], v[2]);
}

static PyObject *cam_sys_info(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_v2_sys_info i;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_get_sys_info(self->v2, &i), "SYS_INFO failed", NULL, return NULL);
    return Py_BuildValue(
        "{sIs(III)s(III)sIsIs(II)sIsIsIsIsNsNsN}", "cpu_id", i.cpu_id, "device_id", i.dev_id[0],
        i.dev_id[1], i.dev_id[2], "chip_id", i.chip_id[0], i.chip_id[1], i.chip_id[2], "usb_vid",
        i.usb_id >> 16, "usb_pid", i.usb_id & 0xFFFFu, "hw_caps", i.hw_caps[0], i.hw_caps[1],
        "flash_size_kb", i.flash_kb, "ram_size_kb", i.ram_kb, "framebuffer_size_kb",
        i.framebuffer_kb, "stream_buffer_size_kb", i.stream_buffer_kb, "firmware_version",
        version_tuple(i.firmware_version), "protocol_version", version_tuple(i.protocol_version),
        "bootloader_version", version_tuple(i.bootloader_version));
}

static PyObject *cam_get_caps(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_v2_caps c;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_get_caps(self->v2, &c), "GET_CAPS failed", NULL, return NULL);
    return Py_BuildValue("{sOsOsOsOsI}", "crc", c.flags & OMV_RPC_V2_CAP_CRC ? Py_True : Py_False,
                         "seq", c.flags & OMV_RPC_V2_CAP_SEQ ? Py_True : Py_False, "ack",
                         c.flags & OMV_RPC_V2_CAP_ACK ? Py_True : Py_False, "events",
                         c.flags & OMV_RPC_V2_CAP_EVENTS ? Py_True : Py_False, "max_payload",
                         (unsigned)c.max_payload);
}

static PyObject *cam_set_caps(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"seq", "ack", "events", "max_payload", NULL};
    int seq = 1, ack = 1, events = 1;
    unsigned int mp = OMV_RPC_V2_MAX_PAYLOAD;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$pppI", names, &seq, &ack, &events, &mp)) {
        return NULL;
    }
    if (mp < OMV_RPC_V2_MIN_PAYLOAD || mp > OMV_RPC_V2_MAX_PAYLOAD) {
        PyErr_Format(PyExc_ValueError, "max_payload must be %u..%u", OMV_RPC_V2_MIN_PAYLOAD,
                     OMV_RPC_V2_MAX_PAYLOAD);
        return NULL;
    }
    omv_rpc_v2_caps c = {OMV_RPC_V2_CAP_CRC | (seq ? OMV_RPC_V2_CAP_SEQ : 0u) |
                             (ack ? OMV_RPC_V2_CAP_ACK : 0u) |
                             (events ? OMV_RPC_V2_CAP_EVENTS : 0u),
                         (uint16_t)mp};
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_set_caps(self->v2, &c), "SET_CAPS failed", NULL, return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_device_stats(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_v2_stats s;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_get_stats(self->v2, &s), "PROTO_STATS failed", NULL, return NULL);
    return Py_BuildValue("{sIsIsIsIsIsIsIsI}", "sent", s.sent_packets, "received", s.recv_packets,
                         "checksum", s.checksum_errors, "sequence", s.sequence_errors, "retransmit",
                         s.retransmits, "transport", s.transport_errors, "sent_events",
                         s.sent_events, "max_ack_queue_depth", s.reserved);
}

static PyObject *cam_host_stats(CameraObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    omv_rpc_v2_counters c;
    omv_rpc_v2_counters_get(self->v2, &c);
    return Py_BuildValue("{sIsIsIsIsIsk}", "events", c.events, "soft_reboots", c.soft_reboots,
                         "resyncs", c.resyncs, "retransmits_seen", c.retransmits_seen,
                         "bad_packets", c.bad_packets, "events_dropped", self->ev_dropped);
}

static PyObject *cam_memory(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_v2_mem_pool pools[16];
    size_t n = 0;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_get_memory(self->v2, pools, 16, &n), "SYS_MEMORY failed", NULL,
            return NULL);
    n = n < 16 ? n : 16;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        const omv_rpc_v2_mem_pool *p = &pools[i];
        PyObject *d = Py_BuildValue("{sssIsIsIsIsIsI}", "type",
                                    p->type == OMV_RPC_V2_MEM_GC    ? "gc"
                                    : p->type == OMV_RPC_V2_MEM_UMA ? "uma"
                                                                    : "other",
                                    "flags", (unsigned)p->flags, "total", p->total, "used", p->used,
                                    "free", p->free, "persist", p->persist, "peak", p->peak);
        if (d == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, d);
    }
    return list;
}

static PyObject *cam_reset(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_reset(self->v2), "SYS_RESET failed", NULL, return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_boot(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_boot(self->v2), "SYS_BOOT failed", NULL, return NULL);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------- channels */

static int channel_id(PyObject *obj, uint8_t *id)
{
    long v = PyLong_AsLong(obj);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (v < 0 || v > 255) {
        PyErr_SetString(PyExc_ValueError, "a channel id is 0..255");
        return -1;
    }
    *id = (uint8_t)v;
    return 0;
}

/* A channel command's id and its 32-bit operand (`what` names it in the
 * error). */
static int channel_id_u32(PyObject *obj, uint8_t *id, unsigned long operand, const char *what)
{
    if (channel_id(obj, id) < 0) {
        return -1;
    }
    if (operand > 0xFFFFFFFFul) {
        PyErr_Format(PyExc_ValueError, "%s must fit 32 bits", what);
        return -1;
    }
    return 0;
}

static PyObject *cam_channel_list(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_v2_channel ch[32];
    size_t n = 0;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_channel_list(self->v2, ch, 32, &n), "CHANNEL_LIST failed", NULL,
            return NULL);
    n = n < 32 ? n : 32;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *t = Py_BuildValue("(BBs)", ch[i].id, ch[i].flags, ch[i].name);
        if (t == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

static PyObject *cam_channel_poll(CameraObject *self, PyObject *unused)
{
    (void)unused;
    uint32_t bitmap = 0;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_channel_poll(self->v2, &bitmap), "CHANNEL_POLL failed", NULL,
            return NULL);
    return PyLong_FromUnsignedLong(bitmap);
}

static PyObject *cam_channel_size(CameraObject *self, PyObject *arg)
{
    uint8_t id;
    uint32_t size = 0;
    omv_rpc_status st;
    if (channel_id(arg, &id) < 0) {
        return NULL;
    }
    CAM_RUN(self, st, omv_rpc_v2_channel_size(self->v2, id, &size), "CHANNEL_SIZE failed", NULL,
            return NULL);
    return PyLong_FromUnsignedLong(size);
}

static PyObject *cam_channel_shape(CameraObject *self, PyObject *arg)
{
    uint8_t id;
    uint32_t dims[4];
    size_t n = 0;
    omv_rpc_status st;
    if (channel_id(arg, &id) < 0) {
        return NULL;
    }
    CAM_RUN(self, st, omv_rpc_v2_channel_shape(self->v2, id, dims, &n), "CHANNEL_SHAPE failed",
            NULL, return NULL);
    n = n < 4 ? n : 4;
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    for (size_t i = 0; t != NULL && i < n; i++) {
        PyObject *d = PyLong_FromUnsignedLong(dims[i]);
        if (d == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, d);
    }
    return t;
}

static PyObject *cam_channel_lock(CameraObject *self, PyObject *arg)
{
    uint8_t id;
    omv_rpc_status st;
    if (channel_id(arg, &id) < 0) {
        return NULL;
    }
    CAM_RUN(self, st, omv_rpc_v2_channel_lock(self->v2, id), "CHANNEL_LOCK failed", NULL,
            return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_channel_unlock(CameraObject *self, PyObject *arg)
{
    uint8_t id;
    omv_rpc_status st;
    if (channel_id(arg, &id) < 0) {
        return NULL;
    }
    CAM_RUN(self, st, omv_rpc_v2_channel_unlock(self->v2, id), "CHANNEL_UNLOCK failed", NULL,
            return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_channel_read(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"id", "size_or_buffer", "offset", NULL};
    PyObject *idobj, *target;
    unsigned long offset = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|k", names, &idobj, &target, &offset)) {
        return NULL;
    }
    uint8_t id;
    if (channel_id_u32(idobj, &id, offset, "offset") < 0) {
        return NULL;
    }
    PyObject *owned = NULL;
    if (PyLong_Check(target)) {
        Py_ssize_t n = PyLong_AsSsize_t(target);
        if (n < 0 || n > (Py_ssize_t)CAM_FRAME_MAX) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "size must be 0..%u", CAM_FRAME_MAX);
            }
            return NULL;
        }
        if (n == 0) {
            return PyBytes_FromStringAndSize(NULL, 0);
        }
        if ((owned = PyBytes_FromStringAndSize(NULL, n)) == NULL) {
            return NULL;
        }
        target = owned;
    }
    Py_buffer b;
    if (owned != NULL) {
        /* A new bytes object nobody else has seen: filled in place. */
        b.buf = PyBytes_AS_STRING(owned);
        b.len = PyBytes_GET_SIZE(owned);
        b.obj = NULL;
    } else if (PyObject_GetBuffer(target, &b, PyBUF_WRITABLE) < 0) {
        return NULL;
    } else if (b.len == 0) {
        PyBuffer_Release(&b);
        return PyLong_FromLong(0);
    }
    size_t got = 0;
    omv_rpc_status st;
    omvpy_intr g;
    if (before(self, &g) < 0) {
        goto fail;
    }
    Py_BEGIN_ALLOW_THREADS
        st = take_turn(self);
        if (st == OMV_RPC_OK) {
            st =
                omv_rpc_v2_channel_read(self->v2, id, (uint32_t)offset, b.buf, (size_t)b.len, &got);
            give_turn(self);
        }
    Py_END_ALLOW_THREADS
    if (after(self, &g, st, "CHANNEL_READ failed", NULL) < 0) {
        goto fail;
    }
    if (owned == NULL) {
        PyBuffer_Release(&b);
        return PyLong_FromSize_t(got);
    }
    if ((Py_ssize_t)got < b.len && _PyBytes_Resize(&owned, (Py_ssize_t)got) < 0) {
        return NULL;
    }
    return owned;
fail:
    if (owned == NULL) {
        PyBuffer_Release(&b);
    }
    Py_XDECREF(owned);
    return NULL;
}

static PyObject *cam_channel_write(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"id", "data", "offset", NULL};
    PyObject *idobj, *data;
    unsigned long offset = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|k", names, &idobj, &data, &offset)) {
        return NULL;
    }
    uint8_t id;
    if (channel_id_u32(idobj, &id, offset, "offset") < 0) {
        return NULL;
    }
    Py_buffer b;
    if (omvpy_get_data(data, &b, "data") < 0) {
        return NULL;
    }
    omv_rpc_status st;
    CAM_RUN(self, st,
            omv_rpc_v2_channel_write(self->v2, id, (uint32_t)offset, b.buf, (size_t)b.len),
            "CHANNEL_WRITE failed", NULL, {
                PyBuffer_Release(&b);
                return NULL;
            });
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

static PyObject *cam_channel_ioctl(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"id", "request", "arg", NULL};
    PyObject *idobj, *arg = NULL;
    unsigned long request;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Ok|O", names, &idobj, &request, &arg)) {
        return NULL;
    }
    uint8_t id;
    if (channel_id_u32(idobj, &id, request, "request") < 0) {
        return NULL;
    }
    Py_buffer b;
    if (omvpy_get_data(arg, &b, "arg") < 0) {
        return NULL;
    }
    if (b.len > 60) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "an ioctl's arguments are at most 60 bytes");
        return NULL;
    }
    omv_rpc_status st;
    CAM_RUN(self, st,
            omv_rpc_v2_channel_ioctl(self->v2, id, (uint32_t)request, b.buf, (size_t)b.len),
            "CHANNEL_IOCTL failed", NULL, {
                PyBuffer_Release(&b);
                return NULL;
            });
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

/* -------------------------------------------------------- scripts */

static PyObject *cam_exec(CameraObject *self, PyObject *arg)
{
    Py_buffer b;
    if (omvpy_get_data(arg, &b, "script") < 0) {
        return NULL;
    }
    if (b.len == 0) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "the script is empty");
        return NULL;
    }
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_script_exec(self->v2, b.buf, (size_t)b.len), "exec failed", NULL, {
        PyBuffer_Release(&b);
        return NULL;
    });
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

static PyObject *cam_stop(CameraObject *self, PyObject *unused)
{
    (void)unused;
    /* The stop ends the script: its soft reboot may overtake the ACK. */
    static const omv_rpc_status quiet[] = {OMV_RPC_ERR_RESET, OMV_RPC_OK};
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_script_stop(self->v2), "stop failed", quiet, return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_stdin_reset(CameraObject *self, PyObject *unused)
{
    (void)unused;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_stdin_reset(self->v2), "stdin reset failed", NULL, return NULL);
    Py_RETURN_NONE;
}

/* What stdout holds now, all of it (several reads). A soft reboot during
 * a read ends it with what came so far: the output is gone with it. */
static omv_rpc_status drain_stdout(omv_rpc_v2 *v2, uint8_t *buf, size_t cap, size_t *total)
{
    omv_rpc_status st;
    size_t got;
    *total = 0;
    do {
        st = omv_rpc_v2_stdout_read(v2, buf + *total, cap - *total, &got);
        *total += got;
    } while (st == OMV_RPC_OK && got > 0 && *total < cap);
    return st == OMV_RPC_ERR_RESET ? OMV_RPC_OK : st;
}

static PyObject *cam_read_stdout(CameraObject *self, PyObject *unused)
{
    (void)unused;
    uint8_t buf[8192];
    size_t got = 0;
    omv_rpc_status st;
    CAM_RUN(self, st, drain_stdout(self->v2, buf, sizeof buf, &got), "reading stdout failed", NULL,
            return NULL);
    return PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)got);
}

/* -------------------------------------------------------- events */

/* Without the GIL: packets for up to `ms`, until an event is queued. */
static omv_rpc_status poll_until_event(CameraObject *self, uint32_t ms)
{
    unsigned had = self->ev_count;
    uint32_t start = omv_rpc_clock_ms(NULL);
    omv_rpc_status st;
    do {
        uint32_t spent = omv_rpc_clock_ms(NULL) - start;
        st = omv_rpc_v2_poll_events(self->v2, spent < ms ? ms - spent : 0u);
    } while ((st == OMV_RPC_OK || st == OMV_RPC_ERR_BAD_PACKET) && self->ev_count == had &&
             omv_rpc_clock_ms(NULL) - start < ms);
    return st;
}

/* Wait up to `timeout` seconds for packets from the camera, until one
 * event is queued. Returns how many are queued. */
static PyObject *cam_poll_events(CameraObject *self, PyObject *args)
{
    PyObject *to = NULL;
    if (!PyArg_ParseTuple(args, "|O", &to)) {
        return NULL;
    }
    uint32_t ms;
    if (omvpy_seconds_to_ms(to, 0, &ms, "timeout") < 0 || check_open(self) < 0) {
        return NULL;
    }
    static const omv_rpc_status quiet[] = {OMV_RPC_ERR_TIMEOUT, OMV_RPC_ERR_BAD_PACKET, OMV_RPC_OK};
    omv_rpc_status st;
    CAM_RUN(self, st, poll_until_event(self, ms), "waiting for events failed", quiet, return NULL);
    return PyLong_FromUnsignedLong(self->ev_count);
}

/* The queued events as (opcode, channel, event) tuples; event -1: none. */
static PyObject *cam_take_events(CameraObject *self, PyObject *unused)
{
    (void)unused;
    /* The queue fills during commands (the camera's or an rpc link's),
     * with the GIL released. */
    if (omvpy_busy_enter(&self->busy, 0, CAM_DOC_NAME) < 0) {
        return NULL;
    }
    omvpy_busy_leave(&self->busy);
    if (PyThread_acquire_lock(self->turn, NOWAIT_LOCK) != PY_LOCK_ACQUIRED) {
        return PyList_New(0); /* an rpc call runs: its events wait for later */
    }
    PyObject *list = PyList_New(0);
    while (list != NULL && self->ev_count > 0) {
        cam_event e = self->events[self->ev_head];
        PyObject *t = Py_BuildValue("(IIl)", (unsigned)e.opcode, (unsigned)e.channel,
                                    e.event == OMV_RPC_V2_EVENT_NONE ? -1L : (long)e.event);
        if (t == NULL || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(t);
        self->ev_head = (self->ev_head + 1u) % CAM_EVENT_QUEUE;
        self->ev_count--;
    }
    give_turn(self);
    return list;
}

static PyObject *cam_get_on_event(CameraObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->on_event ? self->on_event : Py_None);
}

static int cam_set_on_event(CameraObject *self, PyObject *value, void *closure)
{
    (void)closure;
    if (value != NULL && value != Py_None && !PyCallable_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "_on_event must be callable or None");
        return -1;
    }
    Py_XSETREF(self->on_event, (value == NULL || value == Py_None) ? NULL : Py_NewRef(value));
    return 0;
}

/* --------------------------------------------------------- stream */

static PyObject *cam_stream_enable(CameraObject *self, PyObject *arg)
{
    int on = PyObject_IsTrue(arg);
    if (on < 0) {
        return NULL;
    }
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_stream_enable(self->v2, on), "stream enable failed", NULL,
            return NULL);
    Py_RETURN_NONE;
}

static PyObject *cam_stream_raw(CameraObject *self, PyObject *args)
{
    int on;
    unsigned int w = 0, h = 0;
    if (!PyArg_ParseTuple(args, "p|II", &on, &w, &h)) {
        return NULL;
    }
    if (on && (w == 0 || h == 0)) {
        PyErr_SetString(PyExc_ValueError, "raw frames need a width and a height");
        return NULL;
    }
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_stream_raw(self->v2, on, w, h), "raw stream setup failed", NULL,
            return NULL);
    Py_RETURN_NONE;
}

/* One frame into `buf` (cap bytes); a frame that does not fit is read
 * again into a buffer of its size (grown by `grow`, which may move buf). */
typedef struct {
    uint8_t **buf;
    size_t *cap;
} frame_target;

static int grow(frame_target *t, size_t need)
{
    size_t cap = need + need / 4;
    if (cap < CAM_FRAME_MIN) {
        cap = CAM_FRAME_MIN;
    }
    if (cap > CAM_FRAME_MAX) {
        cap = CAM_FRAME_MAX;
    }
    if (need > cap) {
        return -1;
    }
    uint8_t *p = PyMem_RawRealloc(*t->buf, cap);
    if (p == NULL) {
        return -1;
    }
    *t->buf = p;
    *t->cap = cap;
    return 0;
}

/* Without the GIL. */
static omv_rpc_status read_frame(omv_rpc_v2 *v2, omv_rpc_v2_frame *f, frame_target *t)
{
    omv_rpc_status st = OMV_RPC_ERR_BUFFER_TOO_SMALL;
    for (int tries = 0; tries < 3 && st == OMV_RPC_ERR_BUFFER_TOO_SMALL; tries++) {
        if (*t->buf == NULL && grow(t, CAM_FRAME_MIN) < 0) {
            return OMV_RPC_ERR_NO_MEMORY;
        }
        st = omv_rpc_v2_stream_read(v2, f, *t->buf, *t->cap);
        if (st == OMV_RPC_ERR_BUFFER_TOO_SMALL && grow(t, f->data_len) < 0) {
            return f->data_len > CAM_FRAME_MAX ? OMV_RPC_ERR_TOO_LARGE : OMV_RPC_ERR_NO_MEMORY;
        }
    }
    return st;
}

/* A pool buffer no view points into (a new one when all are in use). */
static FrameBufObject *free_framebuf(CameraObject *self)
{
    for (int i = 0; i < CAM_FRAME_POOL; i++) {
        FrameBufObject *fb = self->pool[i];
        if (fb != NULL && fb->exports == 0 && Py_REFCNT(fb) == 1) {
            return fb;
        }
    }
    FrameBufObject *fb = PyObject_New(FrameBufObject, &FrameBufType);
    if (fb == NULL) {
        return NULL;
    }
    fb->data = NULL;
    fb->cap = 0;
    fb->len = 0;
    fb->exports = 0;
    /* Take the slot of a buffer still in use (its views keep it alive),
     * else an empty one. */
    int slot = 0;
    for (int i = 0; i < CAM_FRAME_POOL; i++) {
        if (self->pool[i] == NULL) {
            slot = i;
            break;
        }
    }
    Py_XSETREF(self->pool[slot], fb);
    return fb;
}

PyDoc_STRVAR(
    read_frame_doc,
    "_read_frame(view=False) -> (width, height, pixfmt, size, offset, fps, data) or None\n\n"
    "One frame of the stream channel (SIZE, LOCK, READ, UNLOCK); None when no\n"
    "frame is ready (or the camera soft-rebooted meanwhile). data is bytes, or\n"
    "with view=True a read-only memoryview of a buffer that is not reused while\n"
    "any view of it lives.");

static PyObject *cam_read_frame(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"view", NULL};
    int as_view = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", names, &as_view)) {
        return NULL;
    }
    if (check_open(self) < 0) {
        return NULL;
    }
    FrameBufObject *fb = NULL;
    frame_target t = {&self->frame, &self->frame_cap};
    if (as_view) {
        if ((fb = free_framebuf(self)) == NULL) {
            return NULL;
        }
        t.buf = &fb->data;
        t.cap = &fb->cap;
    }
    static const omv_rpc_status quiet[] = {OMV_RPC_ERR_NOT_READY, OMV_RPC_ERR_RESET, OMV_RPC_OK};
    omv_rpc_v2_frame f;
    memset(&f, 0, sizeof(f));
    omv_rpc_status st;
    CAM_RUN(self, st, read_frame(self->v2, &f, &t), "reading a frame failed", quiet, return NULL);
    if (st != OMV_RPC_OK) {
        Py_RETURN_NONE;
    }
    PyObject *data;
    if (as_view) {
        fb->len = (Py_ssize_t)f.data_len;
        data = PyMemoryView_FromObject((PyObject *)fb);
    } else {
        data = PyBytes_FromStringAndSize((const char *)self->frame, (Py_ssize_t)f.data_len);
    }
    if (data == NULL) {
        return NULL;
    }
    return Py_BuildValue("(IIIIIdN)", f.width, f.height, f.pixfmt, f.size, f.offset, (double)f.fps,
                         data);
}

/* -------------------------------------------------- rpc over V2 */

/* An rpc link (include/omv_rpc/v2_link.h) on this camera's host, wrapped
 * so that it holds the camera (a reference, and `lent`, so that the host
 * outlives it) and takes the host's turn for each transfer. */
typedef struct {
    omv_rpc_link inner;
    omv_rpc_link_ops ops;
    CameraObject *cam;
} lent_link;

/* The turn, waited for up to `ms` (a camera command is short). */
static int lent_take(lent_link *l, uint32_t ms)
{
    PY_TIMEOUT_T us = (PY_TIMEOUT_T)(ms < 1000u ? 1000u : ms) * 1000;
    return PyThread_acquire_lock_timed(l->cam->turn, us, 0) == PY_LOCK_ACQUIRED;
}

static void lent_give(lent_link *l)
{
    give_turn(l->cam);
}

static omv_rpc_status lent_recv(void *ctx, const omv_rpc_in_iov *iov, size_t count, uint32_t ms,
                                uint32_t xfer)
{
    lent_link *l = ctx;
    if (!lent_take(l, ms)) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    omv_rpc_status st = l->inner.ops->recv(l->inner.ctx, iov, count, ms, xfer);
    lent_give(l);
    return st;
}

static omv_rpc_status lent_send(void *ctx, const omv_rpc_out_iov *iov, size_t count, uint32_t ms,
                                uint32_t xfer)
{
    lent_link *l = ctx;
    if (!lent_take(l, ms)) {
        return OMV_RPC_ERR_TIMEOUT;
    }
    omv_rpc_status st = l->inner.ops->send(l->inner.ctx, iov, count, ms, xfer);
    lent_give(l);
    return st;
}

static void lent_flush(void *ctx)
{
    lent_link *l = ctx;
    if (lent_take(l, 1000u)) {
        l->inner.ops->flush(l->inner.ctx);
        lent_give(l);
    }
}

static uint32_t lent_now(void *ctx)
{
    lent_link *l = ctx;
    return l->inner.ops->now_ms(l->inner.ctx);
}

static void lent_watch(void *ctx, omv_rpc_link_watch_fn fn, void *arg)
{
    lent_link *l = ctx;
    l->inner.ops->watch(l->inner.ctx, fn, arg);
}

static uint32_t lent_transfer_ms(void *ctx, size_t len)
{
    lent_link *l = ctx;
    return l->inner.ops->transfer_ms(l->inner.ctx, len);
}

/* Called with the GIL held (a master is freed with it) or not (the
 * library's own failure paths): take it either way. */
static void lent_close(void *ctx)
{
    lent_link *l = ctx;
    omv_rpc_link_close(&l->inner);
    PyGILState_STATE g = PyGILState_Ensure();
    l->cam->lent--;
    Py_DECREF(l->cam);
    PyGILState_Release(g);
    PyMem_RawFree(l);
}

PyDoc_STRVAR(rpc_link_doc,
             "_rpc_link(channel='rpc') -> Link\n\n"
             "An rpc link over the camera's channel `channel`, which a camera script\n"
             "registers (examples/camera/rpc_v2_channel.py): give it to a Master. The\n"
             "camera stays open while the link lives; its own commands and the link's\n"
             "transfers take turns (a second one at the same time is refused).");

static PyObject *cam_rpc_link(CameraObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"channel", NULL};
    const char *channel = OMV_RPC_V2_LINK_DEFAULT_CHANNEL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|s", names, &channel)) {
        return NULL;
    }
    lent_link *l = PyMem_RawCalloc(1, sizeof(*l));
    if (l == NULL) {
        return PyErr_NoMemory();
    }
    omv_rpc_v2_link_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.channel = channel;
    omv_rpc_status st;
    CAM_RUN(self, st, omv_rpc_v2_link_open(&l->inner, self->v2, &cfg),
            "cannot open the rpc channel (does the camera run a script that registers it, "
            "such as examples/camera/rpc_v2_channel.py?)",
            NULL, {
                PyMem_RawFree(l);
                return NULL;
            });
    const omv_rpc_link_ops *in = l->inner.ops;
    l->ops.size = sizeof(l->ops);
    l->ops.recv = lent_recv;
    l->ops.send = lent_send;
    l->ops.flush = lent_flush;
    l->ops.now_ms = lent_now;
    l->ops.close = lent_close;
    l->ops.watch = in->watch ? lent_watch : NULL;
    l->ops.transfer_ms = in->transfer_ms ? lent_transfer_ms : NULL;
    /* `buffered` stays NULL: every transfer takes its turn with the
     * camera. */
    l->cam = (CameraObject *)Py_NewRef((PyObject *)self);
    self->lent++;
    omv_rpc_link link = l->inner;
    link.ops = &l->ops;
    link.ctx = l;
    PyObject *name = PyUnicode_FromFormat("%S:%s", self->name ? self->name : Py_None, channel);
    if (name == NULL) {
        omv_rpc_link_close(&link);
        return NULL;
    }
    PyObject *r = omvpy_link_new(&link, name);
    Py_DECREF(name);
    return r;
}

/* ------------------------------------------------------ properties */

static PyObject *cam_get_closed(CameraObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->v2 == NULL);
}

static PyObject *cam_get_port(CameraObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->name ? self->name : Py_None);
}

static PyObject *cam_enter(CameraObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self) < 0) {
        return NULL;
    }
    return Py_NewRef((PyObject *)self);
}

static PyObject *cam_exit(CameraObject *self, PyObject *args)
{
    (void)args;
    PyObject *r = cam_close(self, NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE;
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
#define NOARGS(f) (PyCFunction)(f), METH_NOARGS

static PyMethodDef cam_methods[] = {
    {"connect", NOARGS(cam_connect),
     "connect()\n\nPROTO_SYNC (both sides to sequence 0, default capabilities, channels\n"
     "unlocked), then the capabilities asked for (max_payload)."},
    {"sync", NOARGS(cam_sync), "sync()\n\nPROTO_SYNC only."},
    {"_sys_info", NOARGS(cam_sys_info), "_sys_info() -> dict (SYS_INFO decoded)."},
    {"_get_caps", NOARGS(cam_get_caps), "_get_caps() -> dict (PROTO_GET_CAPS)."},
    {"set_caps", KW(cam_set_caps),
     "set_caps(*, seq=True, ack=True, events=True, max_payload=4082)\n\n"
     "PROTO_SET_CAPS (CRCs stay on: this host always checks them)."},
    {"device_stats", NOARGS(cam_device_stats),
     "device_stats() -> dict\n\nThe camera's protocol statistics (PROTO_STATS): sent, received,\n"
     "checksum, sequence, retransmit, transport, sent_events, max_ack_queue_depth."},
    {"host_stats", NOARGS(cam_host_stats),
     "host_stats() -> dict\n\nThis host's counters: events, soft_reboots, resyncs,\n"
     "retransmits_seen, bad_packets, events_dropped (events that overflowed the queue)."},
    {"memory", NOARGS(cam_memory),
     "memory() -> [dict]\n\nSYS_MEMORY: the camera's memory pools, each a dict of type ('gc':\n"
     "MicroPython's heap, first; 'uma': the allocator's pools), flags, total, used, free,\n"
     "persist and peak (bytes)."},
    {"reset", NOARGS(cam_reset), "reset()\n\nSYS_RESET: the camera resets (no reply)."},
    {"boot", NOARGS(cam_boot), "boot()\n\nSYS_BOOT: the camera enters its bootloader (no reply)."},
    {"_channel_list", NOARGS(cam_channel_list), "_channel_list() -> [(id, flags, name)]"},
    {"channel_poll", NOARGS(cam_channel_poll),
     "channel_poll() -> int\n\nCHANNEL_POLL: bit i set when channel i has data."},
    {"_channel_size", (PyCFunction)cam_channel_size, METH_O, "_channel_size(id) -> int"},
    {"_channel_shape", (PyCFunction)cam_channel_shape, METH_O, "_channel_shape(id) -> tuple"},
    {"_channel_lock", (PyCFunction)cam_channel_lock, METH_O, "_channel_lock(id)"},
    {"_channel_unlock", (PyCFunction)cam_channel_unlock, METH_O, "_channel_unlock(id)"},
    {"_channel_read", KW(cam_channel_read),
     "_channel_read(id, size_or_buffer, offset=0) -> bytes (for a size) or the count read\n"
     "into the writable buffer."},
    {"_channel_write", KW(cam_channel_write), "_channel_write(id, data, offset=0)"},
    {"_channel_ioctl", KW(cam_channel_ioctl), "_channel_ioctl(id, request, arg=b'')"},
    {"exec", (PyCFunction)cam_exec, METH_O,
     "exec(script)\n\nRun `script` (str or bytes) on the camera and return at once: its\n"
     "output accumulates on stdout (read_stdout()). Stop a running script first."},
    {"stop", NOARGS(cam_stop),
     "stop()\n\nStop the running script (KeyboardInterrupt on the camera, then a soft\n"
     "reboot)."},
    {"stdin_reset", NOARGS(cam_stdin_reset), "stdin_reset()\n\nEmpty the script buffer."},
    {"_read_stdout", NOARGS(cam_read_stdout), "_read_stdout() -> bytes (what stdout holds now)"},
    {"_poll_events", (PyCFunction)cam_poll_events, METH_VARARGS,
     "_poll_events(timeout=0) -> the number of events queued"},
    {"_take_events", NOARGS(cam_take_events),
     "_take_events() -> [(opcode, channel, event)] (the queue, emptied)"},
    {"_stream_enable", (PyCFunction)cam_stream_enable, METH_O, "_stream_enable(on)"},
    {"_stream_raw", (PyCFunction)cam_stream_raw, METH_VARARGS,
     "_stream_raw(on, width=0, height=0)"},
    {"_read_frame", KW(cam_read_frame), read_frame_doc},
    {"_rpc_link", KW(cam_rpc_link), rpc_link_doc},
    {"abort", NOARGS(cam_abort),
     "abort()\n\nEnd the command running on this camera (from another thread, or a\n"
     "signal handler's Python code) within about 100 ms: it raises\n"
     "omvrpc.StoppedError. With none running, the next one ends so."},
    {"close", NOARGS(cam_close), "close()\n\nClose the port (idempotent)."},
    {"__enter__", NOARGS(cam_enter), NULL},
    {"__exit__", (PyCFunction)cam_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef cam_getset[] = {
    {"closed", (getter)cam_get_closed, NULL, "True once close() ran.", NULL},
    {"port", (getter)cam_get_port, NULL, "The port or path the camera was opened on.", NULL},
    {"_on_event", (getter)cam_get_on_event, (setter)cam_set_on_event,
     "callable(opcode, channel, event) called with each event after the command it came in "
     "(None: events queue for _take_events).",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CameraType = {
    /* clang-format off: the macro ends in its own comma */
    PyVarObject_HEAD_INIT(NULL, 0)
        /* clang-format on */
        .tp_name = "omvrpc._omvrpc.Camera",
    .tp_basicsize = sizeof(CameraObject),
    .tp_dealloc = (destructor)cam_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Camera(link, *, timeout=3.0, max_payload=0)\n\n"
              "The OpenMV Protocol V2 host on `link` (a Link from serial_link, which\n"
              "it then owns). Sends nothing until connect(). Use omvrpc.Camera.",
    .tp_traverse = (traverseproc)cam_traverse,
    .tp_clear = (inquiry)cam_clear,
    .tp_weaklistoffset = offsetof(CameraObject, weakrefs),
    .tp_methods = cam_methods,
    .tp_getset = cam_getset,
    .tp_init = (initproc)cam_init,
    .tp_new = PyType_GenericNew,
};

int omvpy_camera_init_type(PyObject *module)
{
    if (PyType_Ready(&FrameBufType) < 0 || PyType_Ready(&CameraType) < 0 ||
        PyModule_AddObjectRef(module, "Camera", (PyObject *)&CameraType) < 0 ||
        PyModule_AddIntConstant(module, "V2_USB_BAUD", OMV_RPC_V2_USB_BAUD) < 0 ||
        PyModule_AddIntConstant(module, "V2_MAX_PAYLOAD", OMV_RPC_V2_MAX_PAYLOAD) < 0 ||
        PyModule_AddIntConstant(module, "V2_UDP_DEFAULT_PORT", OMV_RPC_V2_UDP_DEFAULT_PORT) < 0 ||
        PyModule_AddIntConstant(module, "V2_UDP_MAX_PAYLOAD", OMV_RPC_V2_UDP_MAX_PAYLOAD) < 0 ||
        PyModule_AddIntConstant(module, "V2_PIXFMT_JPEG", (long)OMV_RPC_V2_PIXFMT_JPEG) < 0 ||
        PyModule_AddIntConstant(module, "V2_PIXFMT_GRAY", (long)OMV_RPC_V2_PIXFMT_GRAY) < 0 ||
        PyModule_AddIntConstant(module, "V2_PIXFMT_RGB565", (long)OMV_RPC_V2_PIXFMT_RGB565) < 0) {
        return -1;
    }
    return 0;
}
