/* In-process CAN bus: every node has a bounded receive queue; a frame
 * sent by one node goes to all the others (as on a real bus, a sender
 * never hears itself). One mutex and one condition variable for the bus. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "can_internal.h"
#include "common/clock.h"

#define MEM_DEFAULT_QUEUE 1024u
#define MEM_MAX_QUEUE (1u << 20)

typedef struct mem_node {
    struct mem_node *next;
    omv_rpc_can_mem_bus *bus;
    omv_rpc_can_frame *queue;
    size_t head, count;
} mem_node;

struct omv_rpc_can_mem_bus {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t capacity;
    mem_node *nodes;
    int refs; /* the creator's reference + one per node */
    omv_rpc_can_mem_bus_fault_fn fault;
    void *fault_user;
    uint32_t dropped;
};

static void unref(omv_rpc_can_mem_bus *bus)
{
    pthread_mutex_lock(&bus->lock);
    int left = --bus->refs;
    pthread_mutex_unlock(&bus->lock);
    if (left == 0) {
        pthread_cond_destroy(&bus->changed);
        pthread_mutex_destroy(&bus->lock);
        free(bus);
    }
}

omv_rpc_status omv_rpc_can_mem_bus_new(omv_rpc_can_mem_bus **out, size_t queue_frames)
{
    if (!out || queue_frames > MEM_MAX_QUEUE) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *out = NULL;
    omv_rpc_can_mem_bus *bus = calloc(1, sizeof *bus);
    if (!bus) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    omvrpc_cond_init(&bus->changed);
    pthread_mutex_init(&bus->lock, NULL);
    bus->capacity = queue_frames ? queue_frames : MEM_DEFAULT_QUEUE;
    bus->refs = 1;
    *out = bus;
    return OMV_RPC_OK;
}

void omv_rpc_can_mem_bus_free(omv_rpc_can_mem_bus *bus)
{
    if (bus) {
        unref(bus);
    }
}

void omv_rpc_can_mem_bus_set_fault(omv_rpc_can_mem_bus *bus, omv_rpc_can_mem_bus_fault_fn fn,
                                   void *user)
{
    if (!bus) {
        return;
    }
    pthread_mutex_lock(&bus->lock);
    bus->fault = fn;
    bus->fault_user = user;
    pthread_mutex_unlock(&bus->lock);
}

uint32_t omv_rpc_can_mem_bus_dropped(const omv_rpc_can_mem_bus *bus)
{
    if (!bus) {
        return 0;
    }
    omv_rpc_can_mem_bus *b = (omv_rpc_can_mem_bus *)bus;
    pthread_mutex_lock(&b->lock);
    uint32_t n = b->dropped;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* Whether some node other than `from` has a full queue. Lock held. */
static int someone_full(omv_rpc_can_mem_bus *bus, const mem_node *from)
{
    for (mem_node *n = bus->nodes; n; n = n->next) {
        if (n != from && n->count == bus->capacity) {
            return 1;
        }
    }
    return 0;
}

/* Queue `f` for every node but `from`, waiting for room until `deadline`
 * (NULL: no wait). Lock held. */
static omv_rpc_status deliver(omv_rpc_can_mem_bus *bus, const mem_node *from,
                              const omv_rpc_can_frame *f, const struct timespec *deadline)
{
    while (someone_full(bus, from)) {
        if (!deadline || pthread_cond_timedwait(&bus->changed, &bus->lock, deadline) == ETIMEDOUT) {
            if (someone_full(bus, from)) {
                return OMV_RPC_ERR_TIMEOUT;
            }
        }
    }
    for (mem_node *n = bus->nodes; n; n = n->next) {
        if (n != from) {
            n->queue[(n->head + n->count) % bus->capacity] = *f;
            n->count++;
        }
    }
    pthread_cond_broadcast(&bus->changed);
    return OMV_RPC_OK;
}

omv_rpc_status omv_rpc_can_mem_bus_inject(omv_rpc_can_mem_bus *bus, const omv_rpc_can_frame *frame)
{
    if (!bus || !frame || frame->len > 8) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    struct timespec deadline;
    omvrpc_deadline_after(&deadline, 1000);
    pthread_mutex_lock(&bus->lock);
    omv_rpc_status st = deliver(bus, NULL, frame, &deadline);
    pthread_mutex_unlock(&bus->lock);
    return st;
}

static omv_rpc_status mem_send(void *ctx, const omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    mem_node *node = ctx;
    omv_rpc_can_mem_bus *bus = node->bus;
    struct timespec deadline;
    omvrpc_deadline_after(&deadline, timeout_ms);
    omv_rpc_can_frame f = *frame;
    pthread_mutex_lock(&bus->lock);
    omv_rpc_status st = OMV_RPC_OK;
    if (bus->fault && bus->fault(bus->fault_user, &f)) {
        bus->dropped++;
    } else {
        if (f.len > 8) {
            f.len = 8;
        }
        st = deliver(bus, node, &f, &deadline);
    }
    pthread_mutex_unlock(&bus->lock);
    return st;
}

static omv_rpc_status mem_recv(void *ctx, omv_rpc_can_frame *frame, uint32_t timeout_ms)
{
    mem_node *node = ctx;
    omv_rpc_can_mem_bus *bus = node->bus;
    struct timespec deadline;
    omvrpc_deadline_after(&deadline, timeout_ms);
    omv_rpc_status st = OMV_RPC_OK;
    pthread_mutex_lock(&bus->lock);
    while (node->count == 0) {
        if (pthread_cond_timedwait(&bus->changed, &bus->lock, &deadline) == ETIMEDOUT &&
            node->count == 0) {
            st = OMV_RPC_ERR_TIMEOUT;
            break;
        }
    }
    if (st == OMV_RPC_OK) {
        *frame = node->queue[node->head];
        node->head = (node->head + 1) % bus->capacity;
        node->count--;
        pthread_cond_broadcast(&bus->changed); /* room for a waiting sender */
    }
    pthread_mutex_unlock(&bus->lock);
    return st;
}

static void mem_flush(void *ctx)
{
    mem_node *node = ctx;
    pthread_mutex_lock(&node->bus->lock);
    node->head = 0;
    node->count = 0;
    pthread_cond_broadcast(&node->bus->changed);
    pthread_mutex_unlock(&node->bus->lock);
}

static void mem_close(void *ctx)
{
    mem_node *node = ctx;
    omv_rpc_can_mem_bus *bus = node->bus;
    pthread_mutex_lock(&bus->lock);
    for (mem_node **p = &bus->nodes; *p; p = &(*p)->next) {
        if (*p == node) {
            *p = node->next;
            break;
        }
    }
    pthread_cond_broadcast(&bus->changed);
    pthread_mutex_unlock(&bus->lock);
    free(node->queue);
    free(node);
    unref(bus);
}

static const omv_rpc_can_bus_ops mem_ops = {mem_send, mem_recv, mem_flush, mem_close};

omv_rpc_status omv_rpc_can_open_mem(omv_rpc_link *link, omv_rpc_can_mem_bus *bus,
                                    uint32_t message_id, uint32_t bit_rate, const omv_rpc_log *log)
{
    if (!link || !bus) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (bit_rate == 0) {
        bit_rate = OMV_RPC_CAN_DEFAULT_BIT_RATE;
    }
    omv_rpc_status st = omvrpc_can_check_params(message_id, bit_rate, log);
    if (st != OMV_RPC_OK) {
        return st;
    }
    mem_node *node = calloc(1, sizeof *node);
    omv_rpc_can_frame *queue = calloc(bus->capacity, sizeof *queue);
    if (!node || !queue) {
        free(node);
        free(queue);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    node->bus = bus;
    node->queue = queue;
    pthread_mutex_lock(&bus->lock);
    bus->refs++;
    node->next = bus->nodes;
    bus->nodes = node;
    pthread_mutex_unlock(&bus->lock);
    return omv_rpc_can_open_bus(link, &mem_ops, node, message_id, bit_rate, log);
}
