/* omv-rpc-bench: the benchmark as a program of its own (`omv-rpc bench`
 * runs the same code). */
#include "bench.h"

int main(int argc, char **argv)
{
    return omv_rpc_bench_main(argc, argv);
}
