/* The runner behind the cmocka stand-in (see cmocka.h): each test between
 * setjmp and its checks' longjmp, on the group's thread. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmocka.h"

enum { RAN, FAILED, SKIPPED };

static jmp_buf test_env;
static pthread_t test_thread;
static int in_test;

void print_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

void cmocka_standin_fail(int skipped, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: %s", file, line, skipped ? "" : "check failed: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    if (in_test && pthread_equal(pthread_self(), test_thread)) {
        longjmp(test_env, skipped ? SKIPPED : FAILED);
    }
    exit(1); /* another thread's check, or outside any test */
}

static int run_one(const struct CMUnitTest *t, void *group_state)
{
    void *volatile state = t->initial_state ? t->initial_state : group_state;
    printf("[ RUN      ] %s\n", t->name);
    fflush(stdout);
    test_thread = pthread_self();
    in_test = 1;
    int outcome = setjmp(test_env);
    if (outcome == RAN) {
        void *s = state;
        if (t->setup_func && t->setup_func(&s) != 0) {
            in_test = 0;
            printf("[  FAILED  ] %s (its setup failed)\n", t->name);
            fflush(stdout);
            return FAILED;
        }
        state = s;
        t->test_func(&s);
        state = s;
    }
    in_test = 0;
    if (t->teardown_func && outcome != SKIPPED) {
        void *s = state;
        if (t->teardown_func(&s) != 0 && outcome == RAN) {
            outcome = FAILED;
        }
    }
    printf("%s %s\n",
           outcome == RAN       ? "[       OK ]"
           : outcome == SKIPPED ? "[  SKIPPED ]"
                                : "[  FAILED  ]",
           t->name);
    fflush(stdout);
    return outcome;
}

int cmocka_standin_run(const char *group, const struct CMUnitTest *tests, size_t count,
                       CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    void *group_state = NULL;
    printf("[==========] %s: %zu test(s)\n", group, count);
    if (group_setup && group_setup(&group_state) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group);
        return (int)count;
    }
    int failed = 0;
    for (size_t i = 0; i < count; i++) {
        failed += run_one(&tests[i], group_state) == FAILED;
    }
    if (group_teardown && group_teardown(&group_state) != 0) {
        printf("[  ERROR   ] %s: group teardown failed\n", group);
        failed++;
    }
    printf("[==========] %s: %d failed\n", group, failed);
    fflush(stdout);
    return failed;
}
