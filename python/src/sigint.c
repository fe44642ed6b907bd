/* omvrpc Python extension: Ctrl-C during a blocking call.
 *
 * Python's own SIGINT handler only sets a flag that the interpreter looks
 * at between bytecodes, so a thread blocked inside the library would not
 * see Ctrl-C until the call ends by itself. Around a blocking call on the
 * main thread we put in a C handler that also stops what is running (the
 * slave's loop or stream: omv_rpc_slave_stop; the master's call or stream:
 * omv_rpc_master_abort; a Camera's command: its abort flag, which its
 * link's watcher looks at), and trips Python's flag with PyErr_SetInterrupt
 * (async-signal-safe), so that Python code running in a callback sees it
 * too. When the call has returned, the old handler is put back and
 * Python's handler runs (KeyboardInterrupt unless the program set its
 * own). Both library functions are async-signal-safe. */
#include "omvpy.h"

static _Atomic(omv_rpc_master *) current_master;
static _Atomic(omv_rpc_slave *) current_slave;
static _Atomic(atomic_int *) current_flag;
static atomic_ulong sigint_count;
static unsigned long main_thread;

#ifndef _WIN32
static void on_sigint(int sig)
{
    (void)sig;
    atomic_fetch_add(&sigint_count, 1);
    omv_rpc_slave *s = atomic_load(&current_slave);
    if (s != NULL) {
        omv_rpc_slave_stop(s);
    }
    omv_rpc_master *m = atomic_load(&current_master);
    if (m != NULL) {
        omv_rpc_master_abort(m);
    }
    atomic_int *f = atomic_load(&current_flag);
    if (f != NULL) {
        atomic_store(f, 1);
    }
    PyErr_SetInterrupt();
}
#endif

int omvpy_intr_init(void)
{
    /* The module may be imported on any thread: ask threading. */
    PyObject *threading = PyImport_ImportModule("threading");
    if (threading == NULL) {
        return -1;
    }
    PyObject *t = PyObject_CallMethod(threading, "main_thread", NULL);
    Py_DECREF(threading);
    if (t == NULL) {
        return -1;
    }
    PyObject *ident = PyObject_GetAttrString(t, "ident");
    Py_DECREF(t);
    if (ident == NULL) {
        return -1;
    }
    main_thread = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    return PyErr_Occurred() ? -1 : 0;
}

static void begin(omvpy_intr *g, omv_rpc_master *m, omv_rpc_slave *s, atomic_int *flag)
{
    memset(g, 0, sizeof(*g));
    g->is_main = PyThread_get_thread_ident() == main_thread;
    if (!g->is_main) {
        return;
    }
    g->count_at_start = atomic_load(&sigint_count);
#ifndef _WIN32
    struct sigaction now;
    if (sigaction(SIGINT, NULL, &now) != 0 ||
        (!(now.sa_flags & SA_SIGINFO) &&
         (now.sa_handler == SIG_DFL || now.sa_handler == SIG_IGN))) {
        /* Ctrl-C ends the process or is ignored: leave it so. */
        g->is_main = 0;
        return;
    }
    g->prev_master = atomic_exchange(&current_master, m);
    g->prev_slave = atomic_exchange(&current_slave, s);
    g->prev_flag = atomic_exchange(&current_flag, flag);
    if (!(now.sa_flags & SA_SIGINFO) && now.sa_handler == on_sigint) {
        return; /* nested: ours already, only the targets change */
    }
    struct sigaction mine;
    memset(&mine, 0, sizeof(mine));
    mine.sa_handler = on_sigint;
    sigemptyset(&mine.sa_mask);
    mine.sa_flags = 0; /* no SA_RESTART: waits see EINTR at once */
    if (sigaction(SIGINT, &mine, &g->old_action) == 0) {
        g->installed = 1;
    }
#else
    (void)m;
    (void)s;
    (void)flag;
    g->is_main = 0;
#endif
}

void omvpy_intr_begin(omvpy_intr *g, omv_rpc_master *m, omv_rpc_slave *s)
{
    begin(g, m, s, NULL);
}

void omvpy_intr_begin_flag(omvpy_intr *g, atomic_int *flag)
{
    begin(g, NULL, NULL, flag);
}

int omvpy_intr_end(omvpy_intr *g)
{
    if (!g->is_main) {
        return 0;
    }
#ifndef _WIN32
    if (g->installed) {
        sigaction(SIGINT, &g->old_action, NULL);
    }
#endif
    atomic_store(&current_master, (omv_rpc_master *)g->prev_master);
    atomic_store(&current_slave, (omv_rpc_slave *)g->prev_slave);
    atomic_store(&current_flag, (atomic_int *)g->prev_flag);
    return atomic_load(&sigint_count) != g->count_at_start;
}

unsigned long omvpy_intr_count(void)
{
    return atomic_load(&sigint_count);
}

int omvpy_intr_deliver(void)
{
    /* PyErr_SetInterrupt already tripped the flag: run the handlers. */
    return PyErr_CheckSignals();
}
