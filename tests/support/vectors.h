/* The reference vectors (tests/vectors/), read with cJSON. Apart from
 * test_support.h so that the tests that need no vectors build without
 * cJSON (the Windows cross-build has none). */
#ifndef OMV_RPC_TEST_VECTORS_H
#define OMV_RPC_TEST_VECTORS_H

#include <cjson/cJSON.h>

/* Load tests/vectors/<name> (or from the folder $OMV_RPC_VECTORS names).
 * Fails the test when missing. Free with cJSON_Delete. */
cJSON *ts_load_vectors(const char *name);

#endif
