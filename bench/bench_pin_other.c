/* bench_pin_end where threads cannot portably be pinned (macOS has only
 * affinity hints, POSIX nothing): the ends share the cores as the
 * scheduler likes, as bench_internal.h says. bench_exact_sleeps: timer
 * slack is Linux's (prctl); other systems' sleeps are as they are. */
#include "bench_internal.h"

void bench_pin_end(int end)
{
    (void)end;
}

void bench_exact_sleeps(void)
{
}
