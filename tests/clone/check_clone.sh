#!/usr/bin/env bash
# The repository needs nothing beside it: copy its tracked files into an
# empty temporary folder (nothing around it, so no ../anything), configure
# and build the library and the tests that read the reference vectors, and
# run those. Kept quick: no tools, two test programs, -j2.
#   check_clone.sh SOURCE_DIR C_COMPILER
# Exit 77 (skipped) when SOURCE_DIR is not a git checkout.
set -euo pipefail
src=$1 cc=$2
git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/omvrpc"
# The tracked files as they are in the work tree (so a file that was
# created but never added to git shows up as missing here).
git -C "$src" ls-files -z | (cd "$src" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$tmp/omvrpc"
cd "$tmp/omvrpc"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$cc" -DOMV_RPC_BUILD_TOOLS=OFF \
  >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build build -j2 --target test_core_values test_core_transcripts >"$tmp/build.log" 2>&1 \
  || { tail -50 "$tmp/build.log"; exit 1; }
(cd build && ctest --output-on-failure -R '^test_core_(values|transcripts)$')
# Nothing in the tree may point outside it.
if grep -rnI --exclude-dir=build -e '\.\./share[d]/' . ; then
  echo "the tree refers to a folder beside it"; exit 1
fi
echo "a copy of the tracked files in an empty folder configures, builds and passes"
