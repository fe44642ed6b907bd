/*
 * omv-rpc bench: measures every link the benchmark can set up by itself
 * against that link's physical limit (raw bytes, no protocol) in the same
 * run, and prints a table (and JSON) of each figure beside its baseline.
 */
#ifndef OMV_RPC_BENCH_H
#define OMV_RPC_BENCH_H

#ifdef __cplusplus
extern "C" {
#endif

/* Run the benchmark as the command `omv-rpc bench ARGS...` (argv[0] is the
 * command's name). Options: --link NAME (pair, pty, udp, tcp, uart9600,
 * uart115200, uart921600, all; repeatable), --quick, --json FILE|-, --verbose,
 * --help. Prints the table on stdout (on stderr when the JSON goes to
 * stdout) and progress on stderr. Returns 0 when every measurement ran,
 * 1 when one failed, 2 on bad usage. Targets missed do not change the exit
 * code: the table says which. Not thread-safe (uses process-wide rusage);
 * call from one thread at a time. */
int omv_rpc_bench_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
