#!/usr/bin/env bash
# rpc over a V2 channel from the shell, end to end: omv-rpc sim --v2 runs
# the shipped camera script examples/camera/rpc_v2_channel.py (exec), and
# omv-rpc call --cam PTY gets the same results as from the rpc virtual
# camera (omv-rpc sim) on its own pseudo-terminal; without the script the
# call fails with a message naming it; ports --probe tells the two sims'
# protocols apart.
#   test_call_cam_v2.sh OMV_RPC CAMERA_SCRIPT
set -u
OMV=$1
SCRIPT=$2
T="timeout 60"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omv-rpc-call-cam.XXXXXX")
FAILURES=0
PIDS=""
trap 'for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok: $*"; }

# start_sim NAME ARGS...: the terminal's path (first line on stdout) in $PTY.
start_sim() {
    local name=$1
    shift
    $OMV sim "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
    PIDS="$PIDS $!"
    PTY=""
    for _ in $(seq 300); do
        PTY=$(head -n 1 "$WORK/$name.out" 2>/dev/null | sed 's/^ready on //')
        [ -n "$PTY" ] && break
        sleep 0.1
    done
    [ -n "$PTY" ] || { fail "sim $* did not start"; cat "$WORK/$name.err" >&2; exit 1; }
}

start_sim v2 --v2
V2=$PTY
start_sim rpc --pty
RPC=$PTY

$T $OMV ports --probe "$V2" | grep -q "speaks: OpenMV Protocol V2" && ok "ports --probe: V2" \
    || fail "ports --probe on the V2 sim"
$T $OMV ports --probe "$RPC" | grep -q "speaks: rpc" && ok "ports --probe: rpc" \
    || fail "ports --probe on the rpc sim"
$T $OMV call face_detection --cam "$V2" --out "$WORK/none" 2> "$WORK/err"; rc=$?
[ "$rc" -ne 0 ] && grep -q "rpc_v2_channel.py" "$WORK/err" && ok "no script: fails naming it" \
    || fail "no script: exit $rc: $(cat "$WORK/err")"

$T $OMV cam --port "$V2" exec "$SCRIPT" && ok "exec the camera script" || fail "exec"
for _ in $(seq 50); do $T $OMV cam --port "$V2" channels | grep -q " rpc" && break; sleep 0.1; done
$T $OMV cam --port "$V2" channels | grep -q " rpc" && ok "rpc channel registered" || fail "channels"

for f in face_detection qrcode_detection jpeg_snapshot; do
    $T $OMV call $f --cam "$V2" --out "$WORK/$f.v2" || fail "$f over --cam"
    $T $OMV call $f --port "$RPC" --out "$WORK/$f.rpc" || fail "$f over --port"
    [ -s "$WORK/$f.v2" ] && cmp -s "$WORK/$f.v2" "$WORK/$f.rpc" && ok "$f: same result" \
        || fail "$f: results differ ($(stat -c %s "$WORK/$f.v2" "$WORK/$f.rpc" | tr '\n' ' '))"
done

$T $OMV cam --port "$V2" stop && ok "stop" || fail "stop"
$T $OMV call face_detection --cam "$V2" --send-timeout 300 --recv-timeout 300 > /dev/null 2>&1 \
    && fail "a call after the script's end succeeded" || ok "after the script's end: the call fails"

[ "$FAILURES" -eq 0 ] || { echo "$FAILURES failure(s)" >&2; exit 1; }
echo "all passed"
