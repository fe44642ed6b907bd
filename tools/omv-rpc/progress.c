/* omv-rpc: the progress line (see progress.h). */
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_progress_begin(cli_progress *p, const char *label, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->start_ms = cli_now_ms();
    p->label = label;
}

static void human(char *buf, size_t size, double bytes)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB"};
    int i = 0;
    while (bytes >= 1024.0 && i < 3) {
        bytes /= 1024.0;
        i++;
    }
    snprintf(buf, size, i == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[i]);
}

void cli_progress_update(cli_progress *p, uint64_t done, uint64_t total, uint64_t frames)
{
    if (!p->enabled) {
        return;
    }
    uint64_t now = cli_now_ms();
    uint64_t elapsed = now - p->start_ms;
    if (elapsed < 1000 || now - p->last_ms < 100) {
        return; /* short transfers show nothing; redraw at most 10 per second */
    }
    p->last_ms = now;
    char got[32], rate[32];
    human(got, sizeof(got), (double)done);
    human(rate, sizeof(rate), (double)done * 1000.0 / (double)elapsed);
    char line[160];
    if (total > 0) {
        int width = 30;
        int fill = (int)((double)width * (double)done / (double)total);
        char bar[31];
        for (int i = 0; i < width; i++) {
            bar[i] = i < fill ? '#' : '.';
        }
        bar[width] = '\0';
        snprintf(line, sizeof(line), "%s [%s] %3d%% %s %s/s", p->label, bar,
                 (int)(100.0 * (double)done / (double)total), got, rate);
    } else if (frames > 0) {
        snprintf(line, sizeof(line), "%s %llu frames %s %.1f fps %s/s", p->label,
                 (unsigned long long)frames, got, (double)frames * 1000.0 / (double)elapsed, rate);
    } else {
        snprintf(line, sizeof(line), "%s %s %s/s", p->label, got, rate);
    }
    fprintf(stderr, "\r%-78s", line);
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_end(cli_progress *p)
{
    if (p->drawn) {
        fputc('\n', stderr);
        p->drawn = 0;
    }
}

static void *spin(void *arg)
{
    cli_progress *p = arg;
    static const char wheel[] = "|/-\\";
    unsigned turn = 0;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->stop || rc != ETIMEDOUT) {
            continue;
        }
        uint64_t elapsed = cli_now_ms() - p->start_ms;
        if (elapsed >= 1000) {
            fprintf(stderr, "\r%s %c %.1f s", p->label, wheel[turn++ % 4],
                    (double)elapsed / 1000.0);
            fflush(stderr);
            p->drawn = 1;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void cli_progress_spin_start(cli_progress *p, const char *label, int quiet)
{
    cli_progress_begin(p, label, quiet);
    if (!p->enabled) {
        return;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->thread_running = pthread_create(&p->thread, NULL, spin, p) == 0;
}

void cli_progress_spin_stop(cli_progress *p)
{
    if (!p->enabled) {
        return;
    }
    if (p->thread_running) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        p->thread_running = 0;
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    cli_progress_end(p);
}
