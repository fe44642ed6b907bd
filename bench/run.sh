#!/bin/sh
# Build the benchmark in Release and run it on every link it can set up by
# itself; writes bench/results.json and prints the table.
# Usage: bench/run.sh [omv-rpc-bench options, e.g. --link pty]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${OMV_RPC_BENCH_BUILD:-$root/build-bench}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DOMV_RPC_SANITIZE=OFF >/dev/null
cmake --build "$build" -j2 --target omv-rpc-bench >/dev/null
# Three runs by default: each figure is the median of the runs' ratios
# (--runs N after this script's name overrides it).
"$build/bench/omv-rpc-bench" --runs "${OMV_RPC_BENCH_RUNS:-3}" --json "$here/results.json" "$@"
