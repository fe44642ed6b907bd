#!/usr/bin/env bash
# The Windows programs under wine, across processes (ctest of the Windows
# cross-build, tests/windows/tests.cmake):
#   test_wine_net.sh smoke OMV_RPC_EXE -- EMULATOR...
#       omv-rpc.exe alone: --version, help, usage errors (exit 2), ports,
#       what a build without cJSON says, a call nobody answers (exit 4).
#   test_wine_net.sh net OMV_RPC_EXE PEER_EXE HOST_OMV_RPC -- EMULATOR...
#       the Winsock network link against the Linux build, both ways, on
#       loopback: omv-rpc.exe as master of the Linux virtual camera
#       (`omv-rpc sim --net`): a small call (UDP), a snapshot and a stream
#       (TCP), the popular features; then net_slave_peer.exe as slave of
#       the Linux omv-rpc: echo small and large (TCP both ways), a stream.
#       And the serial link: omv-rpc.exe on COM42, which the wine prefix
#       maps to the pseudo-terminal of the Linux `omv-rpc sim --pty`.
# wine gives its sockets 127.0.0.1 for any loopback address, so the wine
# side is 127.0.0.1 and the Linux side 127.0.0.2.
set -u
mode=$1
shift
exe=$1
shift
peer="" host=""
if [ "$mode" = net ]; then
  peer=$1 host=$2
  shift 2
fi
[ "$1" = "--" ] && shift
emu=("$@")

work=$(mktemp -d)
bg_pid=""
com_link=""
cleanup() {
  [ -n "$com_link" ] && rm -f "$com_link"
  if [ -n "$bg_pid" ]; then
    kill "$bg_pid" 2>/dev/null
    wait "$bg_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fails=0
passes=0
check() { # check NAME CONDITION-RESULT
  if [ "$2" -eq 0 ]; then
    passes=$((passes + 1))
  else
    echo "FAILED: $1" >&2
    fails=$((fails + 1))
  fi
}
# Through wine_run.sh, which runs it again if wine failed to start it.
win() { "$BASH" "$(dirname "$0")/wine_run.sh" "${emu[@]}" -- "$exe" "$@"; }

# Wait up to 30 s for `pattern` in file `f`.
wait_for() {
  for _ in $(seq 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$bg_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

if [ "$mode" = smoke ]; then
  out=$(win --version 2>&1)
  [[ "$out" == "omv-rpc "[0-9]* ]]; check "--version: $out" $?
  win --help >"$work/help" 2>&1
  check "--help exits 0" $?
  grep -q "ports" "$work/help"; check "--help lists ports" $?
  win call >/dev/null 2>"$work/err"
  [ $? -eq 2 ]; check "call without a name: exit 2" $?
  grep -q "give one function NAME" "$work/err"; check "call without a name: says why" $?
  win call x --port COM3 --net 127.0.0.1 >/dev/null 2>"$work/err"
  [ $? -eq 2 ]; check "two links: exit 2" $?
  win ports >"$work/ports" 2>&1
  check "ports exits 0" $?
  if win ports --json >"$work/json" 2>&1; then
    grep -q '^\[' "$work/json"; check "ports --json gives an array" $?
  else
    grep -q "cJSON" "$work/json"; check "ports --json without cJSON says so" $?
  fi
  # Nobody listens on this port: the call times out (exit 4), in bounded time.
  win call nothing --net 127.0.0.2 --bind 127.0.0.1 --net-port 47991 --send-timeout 300 \
    --recv-timeout 300 >/dev/null 2>"$work/err"
  [ $? -eq 4 ]; check "unanswered call: exit 4 ($(tail -1 "$work/err"))" $?
  win snapshot --out "$work/none/x.jpg" --net 127.0.0.2 --bind 127.0.0.1 --net-port 47991 \
    --send-timeout 200 --recv-timeout 200 >/dev/null 2>&1
  rc=$?
  [ $rc -ne 0 ]; check "snapshot with nobody there fails (exit $rc)" $?
fi

if [ "$mode" = net ]; then
  # The Linux virtual camera on 127.0.0.2, a free port (tried until one is).
  port=""
  for _ in 1 2 3 4 5; do
    p=$((20000 + RANDOM % 30000))
    "$host" sim --net --bind 127.0.0.2 --net-port $p 2>"$work/sim.err" &
    bg_pid=$!
    if wait_for "$work/sim.err" "ready on"; then
      port=$p
      break
    fi
    wait "$bg_pid" 2>/dev/null
    bg_pid=""
  done
  [ -n "$port" ]; check "the Linux sim starts ($(cat "$work/sim.err"))" $?
  if [ -n "$port" ]; then
    link=(--net 127.0.0.2 --bind 127.0.0.1 --net-port "$port")
    out=$(win call qrcode_detection "${link[@]}" 2>"$work/err")
    [ "$out" = "omvrpc.sim/qr" ]; check "call over UDP: '$out' $(cat "$work/err")" $?
    win snapshot --framesize VGA -o "$work/snap.jpg" "${link[@]}" 2>"$work/err"
    check "snapshot: $(cat "$work/err")" $?
    head -c 2 "$work/snap.jpg" | od -An -tx1 | grep -q "ff d8"; check "snapshot is a JPEG" $?
    size=$(stat -c %s "$work/snap.jpg" 2>/dev/null || echo 0)
    [ "$size" -gt 1400 ]; check "snapshot of $size bytes (TCP)" $?
    win stream jpeg_image_stream --count 10 --out "$work/s.mjpeg" "${link[@]}" 2>"$work/err"
    check "stream: $(cat "$work/err")" $?
    frames=$(grep -c "10 frames" "$work/err")
    [ "$frames" -eq 1 ]; check "stream: 10 frames" $?
    win features --out-dir "$work/feat" "${link[@]}" >"$work/feat.txt" 2>"$work/err"
    check "features: $(cat "$work/err")" $?
    grep -q "Largest Face Detected" "$work/feat.txt"; check "features: a face" $?
    grep -q "omvrpc-dm" "$work/feat.txt"; check "features: the Data Matrix" $?
    [ -s "$work/feat/snapshot-00000.jpg" ]; check "features: the snapshot file" $?
  fi
  kill "$bg_pid" 2>/dev/null
  wait "$bg_pid" 2>/dev/null
  bg_pid=""

  # net_slave_peer.exe on 127.0.0.1, the Linux omv-rpc as its master.
  port=""
  for _ in 1 2 3 4 5; do
    p=$((20000 + RANDOM % 30000))
    "${emu[@]}" "$peer" $p >"$work/peer.out" 2>"$work/peer.err" &
    bg_pid=$!
    if wait_for "$work/peer.out" "ready"; then
      port=$p
      break
    fi
    wait "$bg_pid" 2>/dev/null
    bg_pid=""
  done
  [ -n "$port" ]; check "the Windows slave starts ($(cat "$work/peer.err"))" $?
  if [ -n "$port" ]; then
    link=(--net 127.0.0.1 --bind 127.0.0.2 --net-port "$port")
    out=$("$host" call echo --data "hello, Windows" "${link[@]}" 2>"$work/err")
    [ "$out" = "hello, Windows" ]; check "echo over UDP: '$out' $(cat "$work/err")" $?
    head -c 300000 /dev/urandom >"$work/big.bin"
    "$host" call echo --file "$work/big.bin" --out "$work/big.out" "${link[@]}" 2>"$work/err"
    check "echo 300 KB: $(cat "$work/err")" $?
    cmp -s "$work/big.bin" "$work/big.out"; check "echo 300 KB: the same bytes back (TCP)" $?
    "$host" stream frames --count 8 --out "$work/frames.bin" "${link[@]}" 2>"$work/err"
    check "stream from the Windows slave: $(cat "$work/err")" $?
    for i in 0 7; do
      want=$(printf '%02x' $i)
      got=$(od -An -tx1 -j $((i * 3000 + 1500)) -N 1 "$work/frames.bin" | tr -d ' ')
      [ "$got" = "$want" ]; check "stream frame $i holds byte $want (got '$got')" $?
    done
    size=$(stat -c %s "$work/frames.bin" 2>/dev/null || echo 0)
    [ "$size" -eq 24000 ]; check "stream: 8 frames of 3000 bytes ($size)" $?
    "$host" call quit "${link[@]}" >/dev/null 2>"$work/err"
    check "quit: $(cat "$work/err")" $?
    for _ in $(seq 100); do
      kill -0 "$bg_pid" 2>/dev/null || break
      sleep 0.1
    done
    wait "$bg_pid"
    rc=$?
    bg_pid=""
    [ $rc -eq 0 ]; check "the Windows slave ends after quit (exit $rc; $(cat "$work/peer.err"))" $?
  fi
fi

if [ "$mode" = net ]; then
  # The serial link: COM42 of the wine prefix is the sim's pseudo-terminal.
  prefix=""
  for a in "${emu[@]}"; do
    case "$a" in WINEPREFIX=*) prefix=${a#WINEPREFIX=} ;; esac
  done
  "$host" sim --pty >"$work/pty.out" 2>"$work/pty.err" &
  bg_pid=$!
  wait_for "$work/pty.out" "/dev/"; check "the Linux sim on a pty ($(cat "$work/pty.err"))" $?
  pty=$(head -1 "$work/pty.out")
  if [ -n "$prefix" ] && [ -d "$prefix/dosdevices" ] && [ -n "$pty" ]; then
    com_link="$prefix/dosdevices/com42"
    ln -sfn "$pty" "$com_link"
    out=$(win call qrcode_detection --port COM42 2>"$work/err")
    [ "$out" = "omvrpc.sim/qr" ]; check "call on COM42: '$out' $(cat "$work/err")" $?
    win snapshot --framesize QVGA -o "$work/com.jpg" --port COM42 2>"$work/err"
    check "snapshot on COM42: $(cat "$work/err")" $?
    head -c 2 "$work/com.jpg" | od -An -tx1 | grep -q "ff d8"; check "COM42 snapshot is a JPEG" $?
    win stream jpeg_image_stream --count 5 --out "$work/com.mjpeg" --port COM42 2>"$work/err"
    grep -q "5 frames" "$work/err"; check "stream on COM42: $(cat "$work/err")" $?
    rm -f "$com_link"
    com_link=""
  else
    check "a wine prefix with dosdevices (WINEPREFIX=$prefix)" 1
  fi
  kill "$bg_pid" 2>/dev/null
  wait "$bg_pid" 2>/dev/null
  bg_pid=""

  # OpenMV Protocol V2 on COM42: `omv-rpc cam` against the Linux `sim --v2`.
  "$host" sim --v2 >"$work/v2.out" 2>"$work/v2.err" &
  bg_pid=$!
  wait_for "$work/v2.out" "/dev/"; check "the Linux V2 sim on a pty ($(cat "$work/v2.err"))" $?
  pty=$(head -1 "$work/v2.out")
  if [ -n "$prefix" ] && [ -d "$prefix/dosdevices" ] && [ -n "$pty" ]; then
    com_link="$prefix/dosdevices/com42"
    ln -sfn "$pty" "$com_link"
    win cam --port COM42 info >"$work/info" 2>"$work/err"
    check "cam info on COM42: $(cat "$work/err")" $?
    grep -q "^device id" "$work/info"; check "cam info names the device id" $?
    rm -f "$com_link"
    com_link=""
  fi
  kill "$bg_pid" 2>/dev/null
  wait "$bg_pid" 2>/dev/null
  bg_pid=""
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
