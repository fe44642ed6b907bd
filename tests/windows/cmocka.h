/* The part of cmocka's interface that the tests use, for the Windows
 * cross-build only: Debian has no Windows build of cmocka, and nothing
 * may be downloaded, so tests/windows/tests.cmake puts this folder first
 * on the include path when pkg-config finds no cmocka for the target.
 * Same names and meanings as cmocka's (a failed check ends the test and
 * the group reports it); runner: cmocka_standin.c.
 *
 * A check that fails on a thread other than the test's own cannot unwind
 * that test: it prints the failure and ends the process with status 1,
 * which ctest reports as a failure too. */
#ifndef OMV_RPC_CMOCKA_STANDIN_H
#define OMV_RPC_CMOCKA_STANDIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* mingw-w64's printf checks follow msvcrt unless told otherwise. */
#if defined(__MINGW32__)
#define CMOCKA_STANDIN_PRINTF gnu_printf
#else
#define CMOCKA_STANDIN_PRINTF printf
#endif

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f)     \
    {                           \
#f, f, NULL, NULL, NULL \
    }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) \
    {                                                       \
#f, f, setup, teardown, NULL                        \
    }
#define cmocka_unit_test_prestate(f, state) \
    {                                       \
#f, f, NULL, NULL, state            \
    }
#define cmocka_run_group_tests(tests, group_setup, group_teardown)                     \
    cmocka_standin_run(#tests, tests, sizeof(tests) / sizeof((tests)[0]), group_setup, \
                       group_teardown)

int cmocka_standin_run(const char *group, const struct CMUnitTest *tests, size_t count,
                       CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
/* Ends the current test as failed (skipped: as skipped); never returns. */
#if defined(__GNUC__)
__attribute__((noreturn, format(CMOCKA_STANDIN_PRINTF, 4, 5)))
#endif
void cmocka_standin_fail(int skipped, const char *file, int line, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(CMOCKA_STANDIN_PRINTF, 1, 2)))
#endif
void print_message(const char *fmt, ...);

#define CMOCKA_STANDIN_FAIL(...) cmocka_standin_fail(0, __FILE__, __LINE__, __VA_ARGS__)

#define fail() CMOCKA_STANDIN_FAIL("fail()")
#define fail_msg(...) CMOCKA_STANDIN_FAIL(__VA_ARGS__)
#define skip() cmocka_standin_fail(1, __FILE__, __LINE__, "skipped")

#define assert_true(c)                     \
    do {                                   \
        if (!(c)) {                        \
            CMOCKA_STANDIN_FAIL("%s", #c); \
        }                                  \
    } while (0)
#define assert_false(c)                       \
    do {                                      \
        if (c) {                              \
            CMOCKA_STANDIN_FAIL("!(%s)", #c); \
        }                                     \
    } while (0)
#define assert_non_null(p) assert_true((p) != NULL)
#define assert_null(p) assert_true((p) == NULL)
#define assert_ptr_equal(a, b) assert_true((const void *)(a) == (const void *)(b))

#define CMOCKA_STANDIN_INT(a, op, b)                                                              \
    do {                                                                                          \
        LargestIntegralType va_ = (LargestIntegralType)(a), vb_ = (LargestIntegralType)(b);       \
        if (!(va_ op vb_)) {                                                                      \
            CMOCKA_STANDIN_FAIL("%s " #op " %s: %jd (%#jx) vs %jd (%#jx)", #a, #b, (intmax_t)va_, \
                                va_, (intmax_t)vb_, vb_);                                         \
        }                                                                                         \
    } while (0)
#define assert_int_equal(a, b) CMOCKA_STANDIN_INT(a, ==, b)
#define assert_int_not_equal(a, b) CMOCKA_STANDIN_INT(a, !=, b)
/* A function, so that a bound of 0 draws no "always false" warning. */
static inline int cmocka_standin_in_range(LargestIntegralType v, LargestIntegralType lo,
                                          LargestIntegralType hi)
{
    return v >= lo && v <= hi;
}
#define assert_in_range(v, lo, hi)                                                                \
    do {                                                                                          \
        LargestIntegralType v_ = (LargestIntegralType)(v);                                        \
        if (!cmocka_standin_in_range(v_, (LargestIntegralType)(lo), (LargestIntegralType)(hi))) { \
            CMOCKA_STANDIN_FAIL("%s = %ju not in [%s, %s]", #v, v_, #lo, #hi);                    \
        }                                                                                         \
    } while (0)
#define assert_memory_equal(a, b, n)                                                         \
    do {                                                                                     \
        if (memcmp((a), (b), (n)) != 0) {                                                    \
            CMOCKA_STANDIN_FAIL("%s and %s differ in their %zu bytes", #a, #b, (size_t)(n)); \
        }                                                                                    \
    } while (0)
#define assert_string_equal(a, b)                              \
    do {                                                       \
        const char *sa_ = (a), *sb_ = (b);                     \
        if (strcmp(sa_, sb_) != 0) {                           \
            CMOCKA_STANDIN_FAIL("\"%s\" != \"%s\"", sa_, sb_); \
        }                                                      \
    } while (0)
#define assert_string_not_equal(a, b)                          \
    do {                                                       \
        const char *sa_ = (a), *sb_ = (b);                     \
        if (strcmp(sa_, sb_) == 0) {                           \
            CMOCKA_STANDIN_FAIL("\"%s\" == \"%s\"", sa_, sb_); \
        }                                                      \
    } while (0)

#endif
