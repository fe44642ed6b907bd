#!/usr/bin/env bash
# omv-rpc sim as a user meets it: a VGA snapshot read by zbarimg shows the
# payloads qrcode_detection and barcode_detection answer, dmtxread and
# apriltag what datamatrix_detection and apriltag_detection answer; --scene changes
# them; --check-us-per-byte, --fps and --openmv-timeouts still serve; bad options are usage
# errors.   test_sim_cli.sh OMV_RPC SCENE_EXAMPLE
set -u
OMV=$1
SCENE=$2
T="timeout 60"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omv-rpc-sim-cli.XXXXXX")
FAILURES=0
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok: $*"; }

# start_sim ARGS...: the sim on a new pseudo-terminal; sets PTY.
start_sim() {
    rm -f "$WORK/sim.out" "$WORK/sim.err" # the sim before's lines would be read first
    $OMV sim "$@" > "$WORK/sim.out" 2> "$WORK/sim.err" &
    SIM_PID=$!
    PTY=""
    # Up to 30 s: a loaded machine (or a sanitizer build) starts slowly.
    for _ in $(seq 300); do
        PTY=$(head -n 1 "$WORK/sim.out" 2>/dev/null)
        [ -n "$PTY" ] && grep -q ready "$WORK/sim.err" && break
        sleep 0.1
    done
    [ -n "$PTY" ] || { fail "sim $* did not start"; cat "$WORK/sim.err" >&2; exit 1; }
}

stop_sim() {
    kill -INT "$SIM_PID"
    wait "$SIM_PID" || fail "sim exit status $? after SIGINT"
    SIM_PID=""
}

# same WHAT EXPECTED ACTUAL
same() {
    [ "$2" = "$3" ] && ok "$1: $3" || fail "$1: \"$3\", expected \"$2\""
}

# check_codes QR BARCODE BARCODE_KIND: zbarimg on a VGA snapshot and the
# detection calls agree, and are what is expected.
check_codes() {
    $T $OMV snapshot --port "$PTY" --framesize VGA -o "$WORK/s.jpg" 2>/dev/null \
        || fail "snapshot --framesize VGA"
    zbarimg -q "$WORK/s.jpg" > "$WORK/zbar.txt" 2>/dev/null
    same "zbarimg: the QR code" "QR-Code:$1" "$(grep '^QR-Code:' "$WORK/zbar.txt")"
    same "zbarimg: the barcode" "$3:$2" "$(grep -v '^QR-Code:' "$WORK/zbar.txt")"
    same "qrcode_detection" "$1" "$($T $OMV call qrcode_detection --port "$PTY")"
    same "barcode_detection" "$2" "$($T $OMV call barcode_detection --port "$PTY")"
}

# check_dm_tag DM TAG_ID: dmtxread (dmtx-utils) and apriltag (apriltag,
# on a PGM from djpeg) on the same snapshot, against the calls.
check_dm_tag() {
    same "dmtxread" "$1" "$(timeout 60 dmtxread -N1 "$WORK/s.jpg" 2>/dev/null)"
    same "datamatrix_detection" "$1" "$($T $OMV call datamatrix_detection --port "$PTY")"
    djpeg -grayscale -pnm "$WORK/s.jpg" > "$WORK/s.pgm"
    # apriltag -v: a vnlog; field 5 of a detection's row is its id.
    same "apriltag" "$2" "$(timeout 60 apriltag -v "$WORK/s.pgm" 2>/dev/null |
        awk '$2 == "-" { print $5 }')"
    $T $OMV call all_apriltag_detection --port "$PTY" > "$WORK/tag.json"
    grep -q "\"id\":$2, \"family\":16" "$WORK/tag.json" && ok "all_apriltag_detection: id $2" \
        || fail "all_apriltag_detection: $(cat "$WORK/tag.json")"
}

start_sim
check_codes "omvrpc.sim/qr" "314159" "CODE-128"
if command -v dmtxread > /dev/null && command -v apriltag > /dev/null && command -v djpeg > /dev/null
then
    check_dm_tag "omvrpc-dm" 7
else
    echo "skipped: dmtxread, apriltag or djpeg is not installed (dmtx-utils, apriltag, libjpeg-turbo-progs)"
fi
stop_sim

start_sim --scene "$SCENE" --check-us-per-byte 5 --fps 30
check_codes "hello from a scene" "4006381333931" "EAN-13"
same "datamatrix_detection (removed by the scene)" "" \
    "$($T $OMV call datamatrix_detection --port "$PTY")"
stop_sim

# The same against OpenMV's camera timing (issue 14's --openmv-timeouts).
start_sim --openmv-timeouts
check_codes "omvrpc.sim/qr" "314159" "CODE-128"
if command -v dmtxread > /dev/null && command -v apriltag > /dev/null && command -v djpeg > /dev/null
then
    check_dm_tag "omvrpc-dm" 7
fi
stop_sim

for bad in "--fps 0" "--fps 1001" "--check-us-per-byte 101" "--check-us-per-byte x"; do
    # shellcheck disable=SC2086
    $T $OMV sim $bad > /dev/null 2>&1
    rc=$?
    [ "$rc" -eq 2 ] && ok "sim $bad: usage error" || fail "sim $bad: exit status $rc, expected 2"
done
echo '{"qrcode": {"module": 0}}' > "$WORK/bad.json"
$T $OMV sim --scene "$WORK/bad.json" > /dev/null 2> "$WORK/bad.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "qrcode.module" "$WORK/bad.err" && ok "a bad scene names its key" \
    || fail "bad scene: exit status $rc, message: $(cat "$WORK/bad.err")"
$T $OMV sim --scene "$WORK/missing.json" > /dev/null 2>&1
rc=$?
[ "$rc" -eq 8 ] && ok "a missing scene file: exit 8" || fail "missing scene: exit status $rc"

echo "$FAILURES failure(s)"
[ "$FAILURES" -eq 0 ]
