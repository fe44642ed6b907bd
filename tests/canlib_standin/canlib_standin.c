/* The CANlib stand-in (see canlib_standin.h). The functions carry
 * CANlib's names and signatures; the state is global because a driver
 * library's is (one bus per channel number for the whole process). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "canlib_standin.h"

#define canOK 0
#define canERR_PARAM (-1)
#define canERR_NOMSG (-2)
#define canERR_NOTFOUND (-3)
#define canERR_TIMEOUT (-7)
#define canERR_NOTINITIALIZED (-8)
#define canERR_INVHANDLE (-10)
#define canMSG_RTR 0x0001u
#define canMSG_STD 0x0002u
#define canMSG_EXT 0x0004u
#define canSTAT_ERROR_ACTIVE 0x00000008ul
#define canSTAT_BUS_OFF 0x00000002ul

#define EXPORT __attribute__((visibility("default")))
#define MAX_HANDLES 16
#define MAX_CHANNELS 4
#define QUEUE 2048

typedef struct frame {
    long id;
    unsigned int dlc, flag;
    unsigned char data[8];
} frame;

typedef struct handle {
    int in_use, channel, bus_on;
    unsigned int code, mask;
    int filter_ext;
    frame queue[QUEUE];
    int head, count;
} handle;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static handle handles[MAX_HANDLES];
static int initialized, fail_open, bus_off[MAX_CHANNELS];
static long last_freq;
static unsigned int last_tseg1, last_tseg2, last_sjw, last_no_samp;
static standin_fault fault;
static void *fault_user;

static void deadline_after(struct timespec *ts, unsigned long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static handle *get(int h)
{
    return (h >= 0 && h < MAX_HANDLES && handles[h].in_use) ? &handles[h] : NULL;
}

static int accepts(const handle *h, const frame *f)
{
    int ext = (f->flag & canMSG_EXT) != 0;
    if (h->mask == 0 || ext != h->filter_ext) {
        return h->mask == 0;
    }
    return ((unsigned int)f->id & h->mask) == (h->code & h->mask);
}

/* Some receiver of `from`'s frame has a full queue (lock held). */
static int blocked(const handle *from, int channel, const frame *f)
{
    for (int i = 0; i < MAX_HANDLES; i++) {
        const handle *h = &handles[i];
        if (h != from && h->in_use && h->bus_on && h->channel == channel && accepts(h, f) &&
            h->count == QUEUE) {
            return 1;
        }
    }
    return 0;
}

static void deliver(const handle *from, int channel, const frame *f)
{
    for (int i = 0; i < MAX_HANDLES; i++) {
        handle *h = &handles[i];
        if (h != from && h->in_use && h->bus_on && h->channel == channel && accepts(h, f)) {
            h->queue[(h->head + h->count) % QUEUE] = *f;
            h->count++;
        }
    }
    pthread_cond_broadcast(&changed);
}

EXPORT void canInitializeLibrary(void)
{
    pthread_mutex_lock(&lock);
    initialized = 1;
    pthread_mutex_unlock(&lock);
}

EXPORT int canOpenChannel(int channel, int flags)
{
    (void)flags;
    int r = canERR_NOTFOUND;
    pthread_mutex_lock(&lock);
    if (!initialized) {
        r = canERR_NOTINITIALIZED;
    } else if (fail_open) {
        r = fail_open;
    } else if (channel >= 0 && channel < MAX_CHANNELS) {
        for (int i = 0; i < MAX_HANDLES; i++) {
            if (!handles[i].in_use) {
                memset(&handles[i], 0, sizeof handles[i]);
                handles[i].in_use = 1;
                handles[i].channel = channel;
                r = i;
                break;
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return r;
}

EXPORT int canSetBusParams(int hnd, long freq, unsigned int tseg1, unsigned int tseg2,
                           unsigned int sjw, unsigned int no_samp, unsigned int syncmode)
{
    (void)syncmode;
    pthread_mutex_lock(&lock);
    int r = get(hnd) ? canOK : canERR_INVHANDLE;
    if (r == canOK && (freq <= 0 || tseg1 < 1 || tseg2 < 1 || sjw < 1 || sjw > tseg2)) {
        r = canERR_PARAM;
    }
    if (r == canOK) {
        last_freq = freq;
        last_tseg1 = tseg1;
        last_tseg2 = tseg2;
        last_sjw = sjw;
        last_no_samp = no_samp;
    }
    pthread_mutex_unlock(&lock);
    return r;
}

EXPORT int canSetAcceptanceFilter(int hnd, unsigned int code, unsigned int mask, int is_extended)
{
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    if (h) {
        h->code = code;
        h->mask = mask;
        h->filter_ext = is_extended != 0;
    }
    pthread_mutex_unlock(&lock);
    return h ? canOK : canERR_INVHANDLE;
}

static int set_bus(int hnd, int on)
{
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    if (h) {
        h->bus_on = on;
        h->count = 0;
    }
    pthread_mutex_unlock(&lock);
    return h ? canOK : canERR_INVHANDLE;
}

EXPORT int canBusOn(int hnd)
{
    return set_bus(hnd, 1);
}

EXPORT int canBusOff(int hnd)
{
    return set_bus(hnd, 0);
}

EXPORT int canClose(int hnd)
{
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    if (h) {
        h->in_use = 0;
        pthread_cond_broadcast(&changed);
    }
    pthread_mutex_unlock(&lock);
    return h ? canOK : canERR_INVHANDLE;
}

EXPORT int canFlushReceiveQueue(int hnd)
{
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    if (h) {
        h->count = 0;
        pthread_cond_broadcast(&changed);
    }
    pthread_mutex_unlock(&lock);
    return h ? canOK : canERR_INVHANDLE;
}

EXPORT int canWriteWait(int hnd, long id, void *msg, unsigned int dlc, unsigned int flag,
                        unsigned long timeout)
{
    struct timespec deadline;
    deadline_after(&deadline, timeout);
    frame f = {id, dlc > 8 ? 8 : dlc, flag, {0}};
    memcpy(f.data, msg, f.dlc);
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    int r = canOK;
    if (!h || !h->bus_on) {
        r = canERR_INVHANDLE;
    } else if (fault && fault(fault_user, &f.id, &f.dlc)) {
        r = canOK; /* lost on the wire: the sender cannot tell */
    } else {
        while (r == canOK && (bus_off[h->channel] || blocked(h, h->channel, &f))) {
            if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT) {
                r = canERR_TIMEOUT;
            }
        }
        if (r == canOK) {
            deliver(h, h->channel, &f);
        }
    }
    pthread_mutex_unlock(&lock);
    return r;
}

EXPORT int canReadWait(int hnd, long *id, void *msg, unsigned int *dlc, unsigned int *flag,
                       unsigned long *stamp, unsigned long timeout)
{
    struct timespec deadline;
    deadline_after(&deadline, timeout);
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    int r = h ? canOK : canERR_INVHANDLE;
    while (r == canOK && h->count == 0) {
        if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT && h->count == 0) {
            r = canERR_NOMSG;
        }
    }
    if (r == canOK) {
        frame *f = &h->queue[h->head];
        *id = f->id;
        *dlc = f->dlc;
        *flag = f->flag;
        *stamp = 0;
        memcpy(msg, f->data, f->dlc);
        h->head = (h->head + 1) % QUEUE;
        h->count--;
        pthread_cond_broadcast(&changed);
    }
    pthread_mutex_unlock(&lock);
    return r;
}

EXPORT int canReadStatus(int hnd, unsigned long *flags)
{
    pthread_mutex_lock(&lock);
    handle *h = get(hnd);
    if (h) {
        *flags = bus_off[h->channel] ? canSTAT_BUS_OFF : canSTAT_ERROR_ACTIVE;
    }
    pthread_mutex_unlock(&lock);
    return h ? canOK : canERR_INVHANDLE;
}

EXPORT int canGetErrorText(int err, char *buf, unsigned int size)
{
    snprintf(buf, size, "stand-in error %d", err);
    return canOK;
}

/* ------------------------------------------------------------ controls */

EXPORT void standin_reset(void)
{
    pthread_mutex_lock(&lock);
    memset(handles, 0, sizeof handles);
    memset(bus_off, 0, sizeof bus_off);
    initialized = 0;
    fail_open = 0;
    fault = NULL;
    last_freq = 0;
    pthread_mutex_unlock(&lock);
}

EXPORT void standin_fail_open(int err)
{
    pthread_mutex_lock(&lock);
    fail_open = err;
    pthread_mutex_unlock(&lock);
}

EXPORT void standin_set_bus_off(int channel, int on)
{
    pthread_mutex_lock(&lock);
    if (channel >= 0 && channel < MAX_CHANNELS) {
        bus_off[channel] = on;
    }
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

EXPORT void standin_last_params(long *freq, unsigned int *tseg1, unsigned int *tseg2,
                                unsigned int *sjw, unsigned int *no_samp)
{
    pthread_mutex_lock(&lock);
    *freq = last_freq;
    *tseg1 = last_tseg1;
    *tseg2 = last_tseg2;
    *sjw = last_sjw;
    *no_samp = last_no_samp;
    pthread_mutex_unlock(&lock);
}

EXPORT int standin_inject(int channel, long id, const void *data, unsigned int dlc,
                          unsigned int flag)
{
    if (channel < 0 || channel >= MAX_CHANNELS || dlc > 8) {
        return canERR_PARAM;
    }
    frame f = {id, dlc, flag, {0}};
    memcpy(f.data, data, dlc);
    pthread_mutex_lock(&lock);
    int r = blocked(NULL, channel, &f) ? canERR_TIMEOUT : canOK;
    if (r == canOK) {
        deliver(NULL, channel, &f);
    }
    pthread_mutex_unlock(&lock);
    return r;
}

EXPORT void standin_set_fault(standin_fault fn, void *user)
{
    pthread_mutex_lock(&lock);
    fault = fn;
    fault_user = user;
    pthread_mutex_unlock(&lock);
}

EXPORT int standin_open_handles(void)
{
    int n = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_HANDLES; i++) {
        n += handles[i].in_use;
    }
    pthread_mutex_unlock(&lock);
    return n;
}
