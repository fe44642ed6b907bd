#!/usr/bin/env bash
# omv-rpc cam against omv-rpc sim --v2 as a user meets them: info (text
# and JSON), run (output until the script's end), exec + channels + write
# + read of a script's custom channel, stop, stdout, frames to a folder
# and to stdout, stats, reset; a bad verb and an unknown channel give
# their exit codes.   test_cam_v2.sh OMV_RPC
set -u
OMV=$1
T="timeout 60"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omv-rpc-cam-v2.XXXXXX")
FAILURES=0
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok: $*"; }

$OMV sim --v2 > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
PTY=""
for _ in $(seq 300); do
    PTY=$(head -n 1 "$WORK/sim.out" 2>/dev/null)
    [ -n "$PTY" ] && break
    sleep 0.1
done
[ -n "$PTY" ] || { fail "sim --v2 did not start"; cat "$WORK/sim.err" >&2; exit 1; }
CAM="$T $OMV cam --port $PTY"

out=$($CAM info) && echo "$out" | grep -q "firmware    4.7.0" && ok "info" || fail "info: $out"
out=$($CAM info --json) && echo "$out" | grep -q '"usb_vid": 14277' && ok "info --json" || fail "info --json: $out"

printf 'import time\nprint("hello")\ntime.sleep_ms(100)\nprint("bye")\n' > "$WORK/s.py"
out=$($CAM run "$WORK/s.py") && [ "$out" = "$(printf 'hello\nbye')" ] && ok "run" || fail "run: [$out]"

printf 'import protocol\nprotocol.register("echo")\nwhile True:\n    time.sleep_ms(50)\n' > "$WORK/r.py"
$CAM exec "$WORK/r.py" && ok "exec" || fail "exec"
for _ in $(seq 50); do $CAM channels | grep -q echo && break; sleep 0.1; done
$CAM channels | grep -q " 4  echo" && ok "channels: echo registered" || fail "channels"
$CAM write echo "round trip" && out=$($CAM read echo) && [ "$out" = "round trip" ] \
    && ok "write + read" || fail "write + read: [$out]"
$CAM stop && ok "stop" || fail "stop"
for _ in $(seq 50); do $CAM channels | grep -q echo || break; sleep 0.1; done
$CAM channels | grep -q echo && fail "echo still there after stop" || ok "soft reboot: echo gone"
out=$($CAM stdout) && echo "$out" | grep -q KeyboardInterrupt && ok "stdout" || fail "stdout: [$out]"

mkdir "$WORK/frames"
$CAM frames --count 2 --out "$WORK/frames" 2> /dev/null && [ "$(ls "$WORK/frames" | wc -l)" -eq 2 ] \
    && ok "frames --out DIR" || fail "frames --out DIR"
head -c 2 "$WORK/frames/frame_00000.jpg" | od -An -tx1 | grep -q "ff d8" && ok "frame is JPEG" \
    || fail "frame is not JPEG"
$CAM frames --count 1 --out - > "$WORK/one.jpg" && [ "$(stat -c %s "$WORK/one.jpg")" -gt 1000 ] \
    && ok "frames --out -" || fail "frames --out -"
mkdir "$WORK/raw"
$CAM frames --raw 80x60 --count 1 --out "$WORK/raw" 2> /dev/null \
    && [ "$(stat -c %s "$WORK/raw/frame_00000.pgm")" -eq $((4800 + 13)) ] \
    && head -c 2 "$WORK/raw/frame_00000.pgm" | grep -q P5 && ok "frames --raw 80x60: a PGM" \
    || fail "frames --raw"
$CAM frames --count 1 --out - | head -c 2 | od -An -tx1 | grep -q "ff d8" \
    && ok "JPEG again after --raw" || fail "JPEG again after --raw"
$CAM frames --raw 80 --out "$WORK/raw" > /dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] && ok "frames --raw 80: usage error" || fail "frames --raw 80: exit $rc"
# cam view (built with SDL2 and libturbojpeg, as omv-rpc view is).
if $OMV --help | grep -q "^  view "; then
    viewed=""
    for driver in offscreen dummy; do
        if SDL_VIDEODRIVER=$driver $CAM view --count 3 --screenshot "$WORK/cam.bmp" 2> "$WORK/view.err"; then
            viewed=$driver
            break
        fi
    done
    [ -n "$viewed" ] && grep -q "showed 3 frames" "$WORK/view.err" \
        && [ "$(head -c 2 "$WORK/cam.bmp")" = "BM" ] && [ "$(stat -c %s "$WORK/cam.bmp")" -gt 10000 ] \
        && ok "cam view (SDL_VIDEODRIVER=$viewed)" || fail "cam view: $(cat "$WORK/view.err")"
    $CAM view --screenshot "$WORK/x.bmp" > /dev/null 2>&1; rc=$?
    [ "$rc" -eq 2 ] && ok "cam view --screenshot without --count: usage" || fail "cam view usage: exit $rc"
else
    echo "skip: cam view (omv-rpc built without SDL2 or libturbojpeg)"
fi
$CAM stats | grep -q "^sent [0-9]" && ok "stats" || fail "stats"
out=$($CAM memory) && echo "$out" | grep -q "^heap  *262144 " && echo "$out" | grep -q "^uma1 " \
    && ok "memory" || fail "memory: [$out]"
$CAM reset && ok "reset" || fail "reset"
$CAM info > /dev/null && ok "info after reset" || fail "info after reset"

$CAM bogus > /dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] && ok "bad verb: usage error" || fail "bad verb: exit $rc"
$CAM read nosuch > /dev/null 2>&1; rc=$?
[ "$rc" -eq 7 ] && ok "unknown channel: exit 7" || fail "unknown channel: exit $rc"

kill -INT "$SIM_PID"
wait "$SIM_PID" || fail "sim --v2 exit status $? after SIGINT"
SIM_PID=""
[ "$FAILURES" -eq 0 ] || { echo "$FAILURES failure(s)" >&2; exit 1; }
