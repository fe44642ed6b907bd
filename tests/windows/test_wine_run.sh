#!/usr/bin/env bash
# wine_run.sh's rule, with a stand-in for wine: a program is run again
# (at most twice) only when wine failed before it began (nothing on
# standard output, wine's "wine client error:" on standard error); a
# program's own failure, or one that printed, is never run again, and
# its exit status comes through.
#   test_wine_run.sh WINE_RUN_SH
set -u
run=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
# The stand-in: fails the first FAILS starts as wine does, then runs the
# program; counts its starts in $work/starts.
cat >"$work/fakewine" <<'EOS'
#!/usr/bin/env bash
n=$(cat "$STARTS" 2>/dev/null || echo 0)
echo $((n + 1)) >"$STARTS"
if [ "$n" -lt "$FAILS" ]; then
  echo "wine client error:0: recvmsg: Connection reset by peer" >&2
  exit 1
fi
exec "$@"
EOS
chmod +x "$work/fakewine"
export STARTS="$work/starts"

# expect NAME FAILS WANT_RC WANT_STARTS WANT_OUT PROGRAM...
expect() {
  local name=$1 want_rc=$3 want_starts=$4 want_out=$5
  export FAILS=$2
  shift 5
  rm -f "$STARTS"
  local out rc
  out=$("$BASH" "$run" "$work/fakewine" -- "$@" 2>"$work/err")
  rc=$?
  local starts
  starts=$(cat "$STARTS")
  if [ "$rc" != "$want_rc" ] || [ "$starts" != "$want_starts" ] || [ "$out" != "$want_out" ]; then
    echo "FAILED: $name: exit $rc (want $want_rc), $starts starts (want $want_starts)," \
      "output '$out' (want '$want_out'); stderr: $(cat "$work/err")" >&2
    fails=$((fails + 1))
  fi
}

expect "started at once" 0 0 1 "hi" echo hi
expect "wine failed once" 1 0 2 "hi" echo hi
expect "wine failed twice" 2 0 3 "hi" echo hi
expect "wine failed three times: given up" 5 1 3 "" echo hi
expect "the program's own failure" 0 4 1 "" sh -c 'exit 4'
expect "a silent success with wine's words" 0 0 1 "" \
  sh -c 'echo "wine client error: x" >&2; exit 0'
expect "a program that printed, then failed with wine's words" 0 3 1 "out" \
  sh -c 'echo out; echo "wine client error: x" >&2; exit 3'
grep -q "running it again" "$work/err" && {
  echo "FAILED: the last case said it ran the program again" >&2
  fails=$((fails + 1))
}
"$BASH" "$run" "$work/fakewine" -- >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAILED: no program: exit 2 wanted" >&2; fails=$((fails + 1)); }

[ $fails -eq 0 ] && echo "wine_run.sh: all cases passed"
[ $fails -eq 0 ]
