#!/usr/bin/env bash
# Runs one Windows program of the cross-build under wine, for ctest:
#
#   wine_run.sh EMULATOR... -- PROGRAM [ARGS...]
#       Runs EMULATOR... PROGRAM ARGS..., its output passed through as it
#       comes. If wine itself failed before the program began (nothing on
#       standard output, and wine's own "wine client error:" on standard
#       error), it runs it again, up to twice, and says so on standard
#       error. A failure of the program is never run again: only one
#       where wine lost its connection to its server while starting it
#       ("wine client error:0: recvmsg: Connection reset by peer", in
#       0.02 s, seen twice in CI on a busy machine).
#
#   wine_run.sh --prefix EMULATOR...
#       Makes the wine prefix (wine does so on first use, about 10 s) and
#       waits until every program of that first boot and the wine server
#       have ended, so that the tests start on a prefix that is made and a
#       server of their own.
#
# EMULATOR... is CMAKE_CROSSCOMPILING_EMULATOR: `cmake -E env VAR=... wine`.
set -u

if [ "${1:-}" = "--prefix" ]; then
  shift
  "$@" cmd /c exit 0 || exit
  # The emulator's last word is wine; the same environment runs wineserver,
  # which ends when the prefix's last program has (in a few seconds).
  n=$#
  env_cmd=("${@:1:n-1}")
  wineserver=$(dirname "$(command -v "${!n}")")/wineserver
  [ -x "$wineserver" ] || wineserver=wineserver
  "${env_cmd[@]}" "$wineserver" -w
  exit
fi

emu=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  emu+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: wine_run.sh EMULATOR... -- PROGRAM [ARGS...]" >&2; exit 2; }

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
for attempt in 1 2 3; do
  : >"$out"
  : >"$err"
  # Each tee passes its stream through at once (a test that times out
  # still shows what it printed) and keeps a copy to look at: standard
  # error goes through the inner pipe, standard output through fd 4 to
  # the outer one.
  { "${emu[@]}" "$@" 2>&1 1>&4 | tee "$err" >&3; exit "${PIPESTATUS[0]}"; } 3>&2 4>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if [ $rc -eq 0 ] || [ -s "$out" ] || ! grep -q "^wine client error:" "$err"; then
    exit $rc
  fi
  [ $attempt -lt 3 ] && echo "wine_run.sh: wine failed to start $1 (exit $rc): running it again" >&2
done
exit $rc
