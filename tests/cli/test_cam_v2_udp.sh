#!/usr/bin/env bash
# Protocol V2 over UDP (the firmware's network transport example):
# omv-rpc sim --v2 --udp PORT --task-ms 50 (the camera's protocol task
# period) against omv-rpc cam --port udp:127.0.0.1:PORT and, with the
# camera script running, omv-rpc call --cam udp:...; a bad udp: address is
# a usage-level failure.   test_cam_v2_udp.sh OMV_RPC CAMERA_SCRIPT
set -u
OMV=$1
SCRIPT=$2
T="timeout 60"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omv-rpc-cam-udp.XXXXXX")
FAILURES=0
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok: $*"; }

# A free port: try a few at random (another test may hold one).
for _ in $(seq 20); do
    PORT=$((20000 + RANDOM % 40000))
    rm -f "$WORK/sim.out" "$WORK/sim.err" # the try before's lines would be read first
    $OMV sim --v2 --udp $PORT --task-ms 50 > "$WORK/sim.out" 2> "$WORK/sim.err" &
    SIM_PID=$!
    for _ in $(seq 50); do
        [ -s "$WORK/sim.out" ] && break
        kill -0 $SIM_PID 2>/dev/null || break
        sleep 0.1
    done
    [ -s "$WORK/sim.out" ] && break
    SIM_PID=""
done
[ -n "$SIM_PID" ] || { fail "sim --v2 --udp did not start"; cat "$WORK/sim.err" >&2; exit 1; }
[ "$(head -n 1 "$WORK/sim.out")" = "udp:$PORT" ] && ok "sim says udp:$PORT" || fail "sim said $(cat "$WORK/sim.out")"
CAM="$T $OMV cam --port udp:127.0.0.1:$PORT"

out=$($CAM info) && echo "$out" | grep -q "firmware    4.7.0" && ok "info over UDP" || fail "info: $out"
$CAM frames --count 2 --out - > "$WORK/f.mjpeg" && [ "$(stat -c %s "$WORK/f.mjpeg")" -gt 2000 ] \
    && ok "frames over UDP (fragments of 1400)" || fail "frames over UDP"
$CAM exec "$SCRIPT" && ok "exec the camera script" || fail "exec"
for _ in $(seq 50); do $CAM channels | grep -q " rpc" && break; sleep 0.1; done
$T $OMV call jpeg_snapshot --cam "udp:127.0.0.1:$PORT" --out "$WORK/s.jpg" \
    && head -c 2 "$WORK/s.jpg" | od -An -tx1 | grep -q "ff d8" && ok "call --cam udp:..." \
    || fail "call --cam udp"
$CAM stop && ok "stop" || fail "stop"

$T $OMV cam --port udp: info > /dev/null 2>&1 && fail "udp: without a host worked" \
    || ok "udp: without a host fails"

[ "$FAILURES" -eq 0 ] || { echo "$FAILURES failure(s)" >&2; exit 1; }
echo "all passed"
