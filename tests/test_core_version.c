/* The version is written once (version.h) and reads the same everywhere:
 * the macros, omv_rpc_version() and CMake's project version (passed in as
 * OMV_RPC_EXPECTED_VERSION). The install test checks pkg-config's and the
 * CMake package's. */
#include <stdio.h>
#include <string.h>

#include "omv_rpc/omv_rpc.h"
#include "test_support.h"

static void test_macros_agree(void **state)
{
    (void)state;
    char built[32];
    snprintf(built, sizeof built, "%d.%d.%d", OMV_RPC_VERSION_MAJOR, OMV_RPC_VERSION_MINOR,
             OMV_RPC_VERSION_PATCH);
    assert_string_equal(OMV_RPC_VERSION_STRING, built);
    assert_int_equal(OMV_RPC_VERSION_NUMBER, OMV_RPC_VERSION_MAJOR * 10000 +
                                                 OMV_RPC_VERSION_MINOR * 100 +
                                                 OMV_RPC_VERSION_PATCH);
    /* The number orders versions only while minor and patch stay below 100. */
    assert_true(OMV_RPC_VERSION_MINOR < 100 && OMV_RPC_VERSION_PATCH < 100);
}

static void test_library_and_cmake_agree(void **state)
{
    (void)state;
    assert_string_equal(omv_rpc_version(), OMV_RPC_VERSION_STRING);
    assert_string_equal(omv_rpc_version(), OMV_RPC_EXPECTED_VERSION);
    /* A static string: the same pointer every time. */
    assert_ptr_equal(omv_rpc_version(), omv_rpc_version());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macros_agree),
        cmocka_unit_test(test_library_and_cmake_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
