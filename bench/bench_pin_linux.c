/* bench_pin_end on Linux: thread affinity (a GNU extension, so named for
 * Linux and built only there; bench_pin_other.c elsewhere), and
 * bench_exact_sleeps: a thread's timer slack (prctl, Linux's own). */
#define _GNU_SOURCE /* pthread_setaffinity_np, CPU_SET */
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench_internal.h"

/* The camera and the computer are two devices. On a shared machine the
 * scheduler likes to put a producer and its consumer on one core, and
 * where it does so changes from run to run: stream figures moved by 2x
 * between identical runs. Each end on its own core, for raw baselines and
 * protocol alike, takes that out. */
void bench_pin_end(int end)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 2) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    for (long c = end < 0 ? 0 : end; c < (end < 0 ? cpus : end + 1) && c < CPU_SETSIZE; c++) {
        CPU_SET((int)c, &set);
    }
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
}

void bench_exact_sleeps(void)
{
#ifdef PR_SET_TIMERSLACK
    /* Per thread: the calling one only (new threads take their creator's). */
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* best effort */
#endif
}
