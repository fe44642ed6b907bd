#!/usr/bin/env bash
# The libraries export exactly the public API.
#   check_exports.sh SHARED_LIB HEADER... [--static STATIC_LIB...]
# Fails when the shared library exports a symbol that does not start with
# omv_rpc_, exports one that no header declares, or lacks one a header
# declares with OMV_RPC_API (OMV_RPC_SIM_API); and when a static library defines a global
# name outside the omv_rpc_ (public) and omvrpc_ (internal) prefixes,
# which could clash with a name in the program it is linked into. Names
# starting with two underscores belong to the toolchain (e.g. ASan's
# __odr_asan.*) and are not counted.
set -euo pipefail
shared=$1
shift
headers=() statics=()
while [ $# -gt 0 ] && [ "$1" != --static ]; do headers+=("$1"); shift; done
[ $# -gt 0 ] && shift
statics=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Functions the headers declare: OMV_RPC_API ... omv_rpc_name( (a
# declaration may go on over several lines, but its name is on the first).
# Declarations under #ifndef _WIN32 are exported on this (POSIX) build too.
sed -n 's/^OMV_RPC_[A-Z_]*API .*[ *]\(omv_rpc_[A-Za-z0-9_]*\)(.*/\1/p' "${headers[@]}" | sort -u >"$tmp/declared"
# Every declaration of an omv_rpc_ function must carry the mark.
if grep -nE '^[a-z][a-z0-9_ ]*[ *]omv_rpc_[a-z0-9_]+\(' "${headers[@]}" | grep -v ':typedef ' >"$tmp/unmarked"; then
  echo "declared without OMV_RPC_API:"; sed 's/^/  /' "$tmp/unmarked"; fail=1
fi

nm -D --defined-only "$shared" | awk 'NF == 3 && $2 ~ /[TDBRVWi]/ {print $3}' | sed 's/@.*//' \
  | grep -v '^__' | sort -u >"$tmp/exported"
[ -s "$tmp/exported" ] || { echo "no exported symbols in $shared"; exit 1; }
if grep -v '^omv_rpc_' "$tmp/exported" >"$tmp/bad"; then
  echo "exported without the omv_rpc_ prefix:"; sed 's/^/  /' "$tmp/bad"; fail=1
fi
if comm -23 "$tmp/exported" "$tmp/declared" | grep . >"$tmp/bad"; then
  echo "exported but declared in no header:"; sed 's/^/  /' "$tmp/bad"; fail=1
fi
if comm -13 "$tmp/exported" "$tmp/declared" | grep . >"$tmp/bad"; then
  echo "declared in a header but not exported:"; sed 's/^/  /' "$tmp/bad"; fail=1
fi

for lib in ${statics[@]+"${statics[@]}"}; do
  if nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | grep -vE '^(omv_rpc_|omvrpc_|__)' \
      | sort -u >"$tmp/bad" && [ -s "$tmp/bad" ]; then
    echo "$lib defines global names outside omv_rpc_ / omvrpc_:"; sed 's/^/  /' "$tmp/bad"; fail=1
  fi
done

[ $fail -eq 0 ] || exit 1
echo "$(wc -l <"$tmp/exported") exported symbols, all declared and prefixed omv_rpc_"
