/* The cmocka stand-in of the Windows cross-build (cmocka.h beside this
 * file) must fail what fails: each check stops its test there and is
 * counted, a skip is not a failure, fixtures run and their failures count.
 * Built on Linux too (against the stand-in, not cmocka). */
#include <stdio.h>

#include "cmocka.h"

static int reached[16];

static void passes(void **state)
{
    (void)state;
    assert_int_equal(2 + 2, 4);
    assert_in_range(0, 0, 3);
    assert_memory_equal("abc", "abc", 3);
    assert_string_equal("x", "x");
    assert_non_null(&reached);
    reached[0] = 1;
}

static void int_check_fails(void **state)
{
    (void)state;
    assert_int_equal(1, 2);
    reached[1] = 1; /* never */
}

static void memory_check_fails(void **state)
{
    (void)state;
    assert_memory_equal("abc", "abd", 3);
    reached[2] = 1;
}

static void range_check_fails(void **state)
{
    (void)state;
    assert_in_range(5, 0, 4);
    reached[3] = 1;
}

static void fail_msg_fails(void **state)
{
    (void)state;
    fail_msg("on purpose: %d", 7);
}

static void skips(void **state)
{
    (void)state;
    skip();
    reached[4] = 1;
}

static int setup_fails(void **state)
{
    (void)state;
    return -1;
}

static void after_failed_setup(void **state)
{
    (void)state;
    reached[5] = 1; /* never: its setup failed */
}

static int give_state(void **state)
{
    static int value = 41;
    *state = &value;
    return 0;
}

static int teardown_sees_state(void **state)
{
    reached[7] = *(int *)*state == 42;
    return 0;
}

static void uses_state(void **state)
{
    (*(int *)*state)++;
    reached[6] = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passes),
        cmocka_unit_test(int_check_fails),
        cmocka_unit_test(memory_check_fails),
        cmocka_unit_test(range_check_fails),
        cmocka_unit_test(fail_msg_fails),
        cmocka_unit_test(skips),
        cmocka_unit_test_setup_teardown(after_failed_setup, setup_fails, NULL),
        cmocka_unit_test_setup_teardown(uses_state, give_state, teardown_sees_state),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    int ok = failed == 5 && reached[0] && !reached[1] && !reached[2] && !reached[3] &&
             !reached[4] && !reached[5] && reached[6] && reached[7];
    printf("stand-in: %d failed (5 expected); %s\n", failed, ok ? "as expected" : "WRONG");
    return ok ? 0 : 1;
}
