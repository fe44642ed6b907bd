# Core (layer 1) tests.
omv_rpc_add_test(test_core_values test_core_values.c TIMEOUT 60)
omv_rpc_add_test(test_core_transcripts test_core_transcripts.c support/script_link.c TIMEOUT 60)
omv_rpc_add_test(test_core_calls test_core_calls.c TIMEOUT 300)
omv_rpc_add_test(test_core_bad_input test_core_bad_input.c TIMEOUT 120)
omv_rpc_add_test(test_core_streams test_core_streams.c TIMEOUT 300)
omv_rpc_add_test(test_core_static test_core_static.c TIMEOUT 60)
