#!/usr/bin/env bash
# omv-rpc command-line tests. ctest runs one part per test:
#   test_cli.sh PART OMV_RPC HELPER EXAMPLES_DIR
# PART: usage | pty | net | openmv_timeouts | view | demo | examples | signals. Every command runs
# under `timeout`; every failed check is reported, and the exit status is
# the number of failures (0: all passed).
set -u

PART=$1
OMV=$2
HELPER=$3
EXAMPLES=$4
T="timeout 60"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/omv-rpc-cli-test.XXXXXX")
FAILURES=0
SIM_PID=""
HOLD_PID=""

cleanup() {
    for pid in $SIM_PID $HOLD_PID; do
        kill -TERM "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# Reports go to the test's own stdout and stderr (fds 3 and 4), never into
# a file a checked command's output is redirected to.
exec 3>&1 4>&2

fail() {
    echo "FAIL: $*" >&4
    FAILURES=$((FAILURES + 1))
}

ok() {
    echo "ok: $*" >&3
}

# expect_rc WANT DESCRIPTION COMMAND...: the command's exit status is WANT.
expect_rc() {
    local want=$1 what=$2
    shift 2
    "$@"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$what: exit status $rc, expected $want"
    else
        ok "$what (exit $rc)"
    fi
}

# expect_size FILE N DESCRIPTION
expect_size() {
    local size
    size=$(wc -c < "$1")
    if [ "$size" -ne "$2" ]; then
        fail "$3: $size bytes, expected $2"
    else
        ok "$3 ($size bytes)"
    fi
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
    if grep -q -- "$1" "$2"; then
        ok "$3"
    else
        fail "$3: no \"$1\" in:"
        sed 's/^/    /' "$2" >&4
    fi
}

# u32le FILE: the first 4 bytes of FILE as a little-endian number.
u32le() {
    od -An -t u4 -N 4 --endian=little "$1" | tr -d ' '
}

# hex_u32le N: N as 8 hex digits, little-endian.
hex_u32le() {
    printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) \
        $((($1 >> 24) & 255))
}

# The sim's default link is a new pseudo-terminal.   start_sim_pty [SIM OPTIONS...]
start_sim_pty() {
    # A stale file from the sim before would be read in the moment before
    # the new sim's redirection empties it (its terminal gone since).
    rm -f "$WORK/sim.out" "$WORK/sim.err"
    $OMV sim "$@" > "$WORK/sim.out" 2> "$WORK/sim.err" &
    SIM_PID=$!
    PTY=""
    for _ in $(seq 300); do
        PTY=$(head -n 1 "$WORK/sim.out" 2>/dev/null)
        [ -n "$PTY" ] && break
        sleep 0.1
    done
    if [ -z "$PTY" ] || [ ! -e "$PTY" ]; then
        fail "omv-rpc sim --pty printed no terminal path"
        cat "$WORK/sim.err" >&2
        exit 1
    fi
    LINK=(--port "$PTY")
    echo "virtual camera on $PTY"
    for _ in $(seq 300); do
        grep -q ready "$WORK/sim.err" && break
        sleep 0.1
    done
    expect_grep "ready on $PTY;" "$WORK/sim.err" "the sim's ready line names its terminal"
}

# start_sim_net [SIM OPTIONS...]
start_sim_net() {
    local port
    port=$($HELPER free-port) || { fail "no free port"; exit 1; }
    rm -f "$WORK/sim.err" # a stale ready line (start_sim_pty)
    $OMV sim --net --bind 127.0.0.2 --net-port "$port" "$@" 2> "$WORK/sim.err" &
    SIM_PID=$!
    for _ in $(seq 300); do
        grep -q ready "$WORK/sim.err" && break
        sleep 0.1
    done
    grep -q ready "$WORK/sim.err" || { fail "omv-rpc sim --net did not start"; cat "$WORK/sim.err" >&2; exit 1; }
    LINK=(--net 127.0.0.2 --bind 127.0.0.1 --net-port "$port")
    echo "virtual camera on 127.0.0.2:$port"
    expect_grep "ready on 127.0.0.2:$port " "$WORK/sim.err" "the sim's ready line names its address"
}

# stop_sim [SIGNAL]: the sim ends cleanly (status 0) on SIGINT or SIGTERM.
stop_sim() {
    local sig=${1:-INT}
    kill -"$sig" "$SIM_PID"
    wait "$SIM_PID"
    local rc=$?
    SIM_PID=""
    [ "$rc" -eq 0 ] && ok "sim ends cleanly on SIG$sig" || fail "sim exit status $rc after SIG$sig"
}

# ------------------------------------------------------------------ parts

part_usage() {
    expect_rc 2 "no command" $T $OMV
    expect_rc 2 "unknown command" $T $OMV bogus
    expect_rc 0 "--help" $T $OMV --help > "$WORK/help"
    expect_grep "Exit status" "$WORK/help" "--help lists the exit statuses"
    expect_grep "  4  the call or stream timed out" "$WORK/help" "--help lists the timeout status"
    expect_rc 0 "call --help" $T $OMV call --help > "$WORK/help"
    expect_grep "Usage: omv-rpc call NAME" "$WORK/help" "call --help"
    expect_rc 2 "call without a name" $T $OMV call --port /dev/nonexistent
    expect_rc 2 "call with an unknown option" $T $OMV call x --bogus
    expect_rc 2 "call with a missing option argument" $T $OMV call x --data
    expect_rc 2 "call with bad hex" $T $OMV call x --hex 0g
    expect_rc 2 "call with odd hex" $T $OMV call x --hex abc
    expect_rc 2 "two argument options" $T $OMV call x --hex 00 --data a
    expect_rc 2 "bad --baud" $T $OMV call x --uart /dev/null --baud fast
    expect_rc 2 "two links" $T $OMV call x --uart /dev/null --net 127.0.0.1 2> "$WORK/err"
    expect_grep "links given (--uart /dev/null and --net 127.0.0.1); choose one" "$WORK/err" \
        "two links: both named"
    expect_rc 2 "--port and --uart" $T $OMV call x --port A --uart B 2> "$WORK/err"
    expect_grep "(--port A and --uart B)" "$WORK/err" "--port and --uart: both named"
    expect_rc 2 "sim with two links" $T $OMV sim --pty --net 2> "$WORK/err"
    expect_grep "(--pty and --net)" "$WORK/err" "sim with two links: both named"
    expect_rc 2 "sim --net with an address" $T $OMV sim --net 127.0.0.1 2> "$WORK/err"
    expect_grep "sim: --net takes no address" "$WORK/err" "sim --net ADDR: says --net takes none"

    # Numbers are decimal: a leading zero is not octal; hex only for IDs.
    expect_rc 3 "--count 09 is nine, not a bad octal number" \
        $T $OMV stream x --count 09 --queue-depth 010 --port /dev/nonexistent
    expect_rc 2 "--queue-depth takes no hex" $T $OMV stream x --queue-depth 0x10 2> "$WORK/err"
    expect_grep "decimal number from 1 to 255" "$WORK/err" "a bad number's message says decimal"
    expect_rc 2 "--count takes no sign" $T $OMV stream x --count +5
    expect_rc 2 "--net-port over 16 bits" $T $OMV call x --net-port 65536
    expect_rc 2 "--baud over 32 bits" $T $OMV call x --baud 4294967296
    expect_rc 3 "--can-id in hex" $T $OMV call x --can-id 0x7FF --can omvnosuchcan0
    expect_rc 3 "--can-id in decimal" $T $OMV call x --can-id 2047 --can omvnosuchcan0
    expect_rc 2 "--can-id over 11 bits" $T $OMV call x --can-id 0x800 --can omvnosuchcan0
    expect_rc 2 "--i2c-address out of range" $T $OMV call x --i2c-address 0x78 --i2c /dev/nonexistent

    # Global options before the command, and help COMMAND.
    expect_rc 3 "-v before the command" $T $OMV -v call x --port /dev/nonexistent
    expect_rc 3 "a link option before the command" $T $OMV --port /dev/nonexistent call x
    expect_rc 3 "--opt=value before the command" $T $OMV -q --port=/dev/nonexistent call x
    expect_rc 2 "an unknown option before the command" $T $OMV --bogus call x
    expect_rc 2 "an option before no command" $T $OMV -v
    # --version: the library's version, as version.h writes it.
    local src major minor patch
    src=$(cd "$(dirname "$0")/../.." && pwd)
    major=$(sed -n 's/^#define OMV_RPC_VERSION_MAJOR \([0-9]*\)$/\1/p' "$src/include/omv_rpc/version.h")
    minor=$(sed -n 's/^#define OMV_RPC_VERSION_MINOR \([0-9]*\)$/\1/p' "$src/include/omv_rpc/version.h")
    patch=$(sed -n 's/^#define OMV_RPC_VERSION_PATCH \([0-9]*\)$/\1/p' "$src/include/omv_rpc/version.h")
    expect_rc 0 "--version" $T $OMV --version > "$WORK/version"
    expect_grep "^omv-rpc $major\.$minor\.$patch$" "$WORK/version" "--version prints version.h's $major.$minor.$patch"
    expect_rc 0 "help call" $T $OMV help call > "$WORK/help"
    expect_grep "Usage: omv-rpc call NAME" "$WORK/help" "help call shows call's help"
    expect_rc 2 "help of no such command" $T $OMV help bogus
    if $OMV --help | grep -q "^  bench "; then
        # bench: the same error style as the other commands.
        expect_rc 2 "bench with an unknown option" $T $OMV bench --bogus 2> "$WORK/err"
        expect_grep "^omv-rpc bench: unknown option --bogus (see --help)$" "$WORK/err" "bench's unknown-option message"
        expect_rc 2 "bench --runs in hex" $T $OMV bench --runs 0x3 2> "$WORK/err"
        expect_grep "^omv-rpc bench: --runs must be a decimal number" "$WORK/err" "bench's bad-number message"
        expect_rc 0 "help bench" $T $OMV help bench > "$WORK/help"
        expect_grep "^Usage: omv-rpc bench " "$WORK/help" "help bench names the command"
        expect_grep "^  -v, --verbose " "$WORK/help" "bench takes -v as the other commands"
    fi
    expect_rc 0 "sim --help" $T $OMV sim --help > "$WORK/help"
    expect_grep "^  --net   " "$WORK/help" "sim --help: --net without a value"
    expect_grep "default is --pty" "$WORK/help" "sim --help: --pty is the default"
    if grep -q -- "--i2c\|--spi\|--recv-timeout\|--net HOST" "$WORK/help"; then
        fail "sim --help lists links or options a slave does not have"
    else
        ok "sim --help lists only a slave's links"
    fi
    expect_rc 3 "snapshot to stdout that is not a terminal" $T $OMV snapshot --port /dev/nonexistent

    # Binary output is not written to a terminal unless --out - asks; the
    # refusal comes before the link is opened.
    expect_rc 2 "snapshot to a terminal" $HELPER on-tty $T $OMV snapshot --port /dev/nonexistent 2> "$WORK/err"
    expect_grep "not writing binary data to a terminal" "$WORK/err" "the refusal says why"
    expect_rc 3 "snapshot --out - to a terminal" $HELPER on-tty $T $OMV snapshot --out - --port /dev/nonexistent
    expect_rc 2 "stream to a terminal" $HELPER on-tty $T $OMV stream x --port /dev/nonexistent
    expect_rc 2 "stream --out a folder" $T $OMV stream x --out "$WORK" 2> "$WORK/err"
    expect_grep "is a folder; give a file name (or --out-dir" "$WORK/err" "stream --out a folder: use --out-dir"
    expect_rc 2 "stream with --out and --out-dir" $T $OMV stream x --out a --out-dir b
    expect_rc 2 "--framesize with --data" $T $OMV stream x --framesize QVGA --data y
    expect_rc 2 "view --frames is now --count" $T $OMV view --frames 3 2> "$WORK/err"
    expect_grep "unknown option --frames" "$WORK/err" "an abbreviation (--frames of --framesize) is not taken"
    expect_rc 2 "--out-d is not --out-dir" $T $OMV stream x --out-d=y
    expect_rc 2 "stream with --queue-depth 0" $T $OMV stream x --queue-depth 0
    expect_rc 2 "features with an unknown name" $T $OMV features no_such_feature
    expect_rc 2 "view --screenshot without --count" $T $OMV view --screenshot x.bmp
    expect_rc 3 "call on a port that does not exist" $T $OMV call face_detection --port /dev/nonexistent
    expect_rc 3 "call on a file that is not a terminal" $T $OMV call face_detection --port /dev/null
    expect_rc 3 "sim on a port that does not exist" $T $OMV sim --port /dev/nonexistent
    expect_rc 3 "CAN interface that does not exist" $T $OMV call x --can omvnosuchcan0
    expect_rc 3 "I2C device that does not exist" $T $OMV call x --i2c /dev/nonexistent
    expect_rc 3 "SPI device that does not exist" $T $OMV call x --spi /dev/nonexistent
    expect_rc 2 "bad --spi-mode" $T $OMV call x --spi /dev/nonexistent --spi-mode 4
    expect_rc 2 "sim on I2C (master only)" $T $OMV sim --i2c /dev/nonexistent
    expect_rc 2 "--pty is for sim only" $T $OMV call x --pty
    expect_rc 8 "call with an unreadable --file" $T $OMV call x --file "$WORK/none" --port /dev/nonexistent
    expect_rc 0 "ports" $T $OMV ports > "$WORK/ports"
    expect_rc 0 "ports --json" $T $OMV ports --json > "$WORK/ports.json"
    expect_grep '^\[' "$WORK/ports.json" "ports --json prints a JSON array"
    expect_rc 0 "ports with a filter matching nothing" $T $OMV ports omv-no-such-port > "$WORK/ports.none" 2> "$WORK/err"
    expect_size "$WORK/ports.none" 0 "the filter kept no port"
    expect_grep 'no serial port matches "omv-no-such-port"' "$WORK/err" "ports says nothing matched"
    expect_rc 0 "ports --json with a filter matching nothing" $T $OMV ports --json omv-no-such-port > "$WORK/ports.json"
    expect_grep '^\[\]$' "$WORK/ports.json" "an empty JSON array"
    expect_rc 2 "ports with two filters" $T $OMV ports a b
    # Every port name on Linux holds "tty" (any case matches): the filter keeps them all.
    $T $OMV ports TTY > "$WORK/ports.tty" 2> /dev/null
    [ "$(grep -c . "$WORK/ports.tty")" -eq "$(grep -c . "$WORK/ports")" ] && ok "ports TTY keeps every tty" \
        || fail "ports TTY kept $(grep -c . "$WORK/ports.tty") of $(grep -c . "$WORK/ports") ports"

    # Nobody answers on a pseudo-terminal with no camera behind it.
    $HELPER pty-hold > "$WORK/hold.out" &
    HOLD_PID=$!
    local silent=""
    for _ in $(seq 300); do
        silent=$(head -n 1 "$WORK/hold.out" 2>/dev/null)
        [ -n "$silent" ] && break
        sleep 0.1
    done
    expect_rc 4 "call timed out (pty, nobody answering)" \
        $T $OMV -v call face_detection --port "$silent" --send-timeout 300 --recv-timeout 300 \
        > "$WORK/out" 2> "$WORK/err"
    expect_size "$WORK/out" 0 "nothing on stdout after a timeout"
    expect_grep "^omv-rpc: [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9] master: command attempt 1 failed (OMV_RPC_ERR_[A-Z_]*; short wait [0-9]* ms), starting over$" \
        "$WORK/err" "-v: each retry with the time, its attempt number and its wait"
    expect_grep "call face_detection: OMV_RPC_ERR_SEND_TIMEOUT after [0-9]* attempts, [0-9]* ms (timeouts 300 ms to send, 300 ms to receive)" \
        "$WORK/err" "-v: the failed call's attempts and timeouts"
    expect_rc 4 "features on a camera that does not answer" \
        $T $OMV features --port "$silent" --send-timeout 300 --out-dir "$WORK" > "$WORK/out" 2> "$WORK/err"
    local timeouts
    timeouts=$(grep -c "(OMV_RPC_ERR_[A-Z_]*TIMEOUT)$" "$WORK/err")
    [ "$timeouts" -eq 1 ] && ok "features stops at the first link failure" \
        || fail "features reported $timeouts time-outs, not 1"
    expect_grep "stopped at the first link failure" "$WORK/err" "features says why it stopped"
    expect_rc 4 "snapshot timed out" \
        $T $OMV snapshot -o "$WORK/x.jpg" --port "$silent" --send-timeout 300
    kill -TERM "$HOLD_PID"
    wait "$HOLD_PID" 2>/dev/null
    HOLD_PID=""

    # Nobody answers on the network either.
    local port
    port=$($HELPER free-port)
    expect_rc 4 "call timed out (network, nobody answering)" \
        $T $OMV call face_detection --net 127.0.0.2 --bind 127.0.0.1 --net-port "$port" \
        --send-timeout 300 --recv-timeout 300
    expect_rc 3 "network address that is not local" \
        $T $OMV call face_detection --net 127.0.0.2 --bind 192.0.2.1 --net-port "$port" \
        2> "$WORK/err"
    # The error names what failed: our address and port, not the slave.
    expect_grep "cannot open local address 192.0.2.1 port $port" "$WORK/err" \
        "the bind failure names the address and port"
    expect_rc 3 "slave name that does not resolve" \
        $T $OMV call face_detection --net omv-no-such-host.invalid --net-port "$port" 2> "$WORK/err"
    expect_grep "cannot open the slave omv-no-such-host.invalid" "$WORK/err" \
        "the resolve failure names the slave"
    expect_rc 3 "empty port name" $T $OMV call face_detection --port "" 2> "$WORK/err"
    expect_grep "port name is empty" "$WORK/err" "an empty port name is said to be empty"
    if grep -q "cannot open :" "$WORK/err"; then
        fail "an empty port name still gives \"cannot open :\""
    fi
}

# Every subcommand and every callback's format, over the link in LINK.
link_checks() {
    local d=$WORK/out
    mkdir -p "$d"

    # <HHHH and <HH results: exactly their bytes on stdout.
    expect_rc 0 "call face_detection" $T $OMV call face_detection "${LINK[@]}" > "$d/face"
    expect_size "$d/face" 8 "face_detection is <HHHH"
    expect_rc 0 "call apriltag_detection" $T $OMV call apriltag_detection "${LINK[@]}" > "$d/tag"
    expect_size "$d/tag" 8 "apriltag_detection is <HHHH"
    expect_rc 0 "call color_detection (hex thresholds)" \
        $T $OMV call color_detection --hex "1e 64 0f 7f 0f 7f" "${LINK[@]}" --out "$d/color"
    expect_size "$d/color" 4 "color_detection is <HH"

    # Text and JSON results.
    local name
    for name in qrcode datamatrix barcode; do
        expect_rc 0 "call ${name}_detection" $T $OMV call "${name}_detection" "${LINK[@]}" > "$d/$name"
        [ -s "$d/$name" ] && ok "${name}_detection gives text" || fail "${name}_detection gave nothing"
        expect_rc 0 "call all_${name}_detection" $T $OMV call "all_${name}_detection" "${LINK[@]}" > "$d/all_$name"
        expect_grep '^\[{' "$d/all_$name" "all_${name}_detection is a JSON array"
        expect_grep "\"payload\":\"$(cat "$d/$name")\"" "$d/all_$name" \
            "all_${name}_detection holds the code ${name}_detection read"
    done
    expect_rc 0 "call all_apriltag_detection" $T $OMV call all_apriltag_detection "${LINK[@]}" > "$d/all_tag"
    expect_grep '"id":' "$d/all_tag" "all_apriltag_detection is JSON with ids"

    # JPEG results.
    expect_rc 0 "call jpeg_snapshot" $T $OMV call jpeg_snapshot "${LINK[@]}" > "$d/snap.jpg"
    expect_rc 0 "jpeg_snapshot is a JPEG" $HELPER jpeg "$d/snap.jpg" 0 0

    # jpeg_image_snapshot gives <I size; jpeg_image_read(offset, size) the
    # bytes: stdout holds exactly that many, and they are the image.
    expect_rc 0 "call jpeg_image_snapshot QQVGA" \
        $T $OMV call jpeg_image_snapshot --data sensor.RGB565,sensor.QQVGA "${LINK[@]}" > "$d/size"
    expect_size "$d/size" 4 "jpeg_image_snapshot is <I"
    local size
    size=$(u32le "$d/size")
    expect_rc 0 "call jpeg_image_read of the whole image" \
        $T $OMV call jpeg_image_read --hex "00000000$(hex_u32le "$size")" "${LINK[@]}" > "$d/read.jpg"
    expect_size "$d/read.jpg" "$size" "jpeg_image_read gives the announced size"
    expect_rc 0 "jpeg_image_read bytes are a 160x120 JPEG" $HELPER jpeg "$d/read.jpg" 160 120
    expect_rc 0 "call jpeg_image_read of the first 100 bytes" \
        $T $OMV call jpeg_image_read --hex "00000000$(hex_u32le 100)" "${LINK[@]}" > "$d/head"
    if cmp -s "$d/head" <(head -c 100 "$d/read.jpg"); then ok "the chunk matches the image"; else fail "the chunk differs from the image"; fi
    printf 'sensor.GRAYSCALE,sensor.QVGA' > "$d/arg"
    expect_rc 0 "call with --file" $T $OMV call jpeg_image_snapshot --file "$d/arg" "${LINK[@]}" > "$d/size2"
    expect_size "$d/size2" 4 "--file argument"
    expect_rc 0 "call with --file -" $T $OMV call jpeg_image_snapshot --file - "${LINK[@]}" < "$d/arg" > "$d/size3"
    expect_size "$d/size3" 4 "--file - argument"

    # An unknown function: an empty result, a completed call; -v says so.
    expect_rc 0 "call of an unknown function" $T $OMV call no_such_function -v "${LINK[@]}" \
        > "$d/empty" 2> "$d/err"
    expect_size "$d/empty" 0 "an unknown function's empty result"
    expect_grep "no_such_function gave an empty result: the camera has no such function, or found nothing" \
        "$d/err" "-v: an empty result is said so"
    expect_rc 0 "-v call" $T $OMV -v call face_detection "${LINK[@]}" --out /dev/null 2> "$d/err"
    expect_grep "^omv-rpc: [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9] call face_detection: OK, 8-byte result, [0-9]* attempts*, [0-9]* ms (timeouts 1000 ms to send, 1000 ms to receive)$" \
        "$d/err" "-v: the call's time, result, attempts and timeouts"

    # Binary results are not written to a terminal; text results are.
    expect_rc 2 "a binary result to a terminal" $HELPER on-tty $T $OMV call face_detection "${LINK[@]}" > "$d/tty"
    expect_size "$d/tty" 0 "nothing written to the terminal"
    expect_rc 0 "a binary result to a terminal with --out -" \
        $HELPER on-tty $T $OMV call face_detection --out - "${LINK[@]}" > "$d/tty"
    expect_rc 0 "a text result to a terminal" $HELPER on-tty $T $OMV call qrcode_detection "${LINK[@]}" > "$d/tty"
    expect_grep "$(cat "$d/qrcode")" "$d/tty" "the text reached the terminal"

    # snapshot: chunked (VGA spans several 32 KiB chunks) and cut-through.
    expect_rc 0 "snapshot (chunked)" $T $OMV snapshot -o "$d/chunked.jpg" "${LINK[@]}"
    expect_rc 0 "snapshot to stdout (not a terminal)" $T $OMV snapshot --framesize QQVGA "${LINK[@]}" > "$d/stdout.jpg"
    expect_rc 0 "the snapshot on stdout is 160x120" $HELPER jpeg "$d/stdout.jpg" 160 120
    expect_rc 0 "chunked snapshot is 320x240" $HELPER jpeg "$d/chunked.jpg" 320 240
    expect_rc 0 "snapshot VGA (chunked)" $T $OMV snapshot --framesize sensor.VGA -o "$d/vga.jpg" "${LINK[@]}"
    expect_rc 0 "VGA snapshot is 640x480" $HELPER jpeg "$d/vga.jpg" 640 480
    expect_rc 0 "snapshot (cut-through)" $T $OMV snapshot --cut-through -o "$d/cut.jpg" "${LINK[@]}"
    expect_rc 0 "cut-through snapshot is 320x240" $HELPER jpeg "$d/cut.jpg" 320 240
    expect_rc 0 "snapshot QQVGA grayscale (cut-through)" $T $OMV snapshot --cut-through \
        --pixformat sensor.GRAYSCALE --framesize sensor.QQVGA -o "$d/cut_small.jpg" "${LINK[@]}"
    expect_rc 0 "cut-through QQVGA snapshot is 160x120" $HELPER jpeg "$d/cut_small.jpg" 160 120
    expect_rc 7 "snapshot of a frame size the camera does not know" \
        $T $OMV snapshot --framesize sensor.NOPE -o "$d/nope.jpg" "${LINK[@]}"

    # stream: numbered files (--count is decimal: 010 is ten), and raw
    # frames on stdout. No argument: jpeg_image_stream's default image.
    expect_rc 0 "stream to a folder" $T $OMV stream jpeg_image_stream \
        --count 010 --out-dir "$d/frames" "${LINK[@]}"
    local n
    n=$(ls "$d/frames" | wc -l)
    [ "$n" -eq 10 ] && ok "10 frame files" || fail "$n frame files, expected 10"
    for f in "$d"/frames/frame-0000{01,10}.jpg; do
        expect_rc 0 "$(basename "$f") is 320x240 (the default image)" $HELPER jpeg "$f" 320 240
    done
    touch "$d/frames/notes.txt" "$d/frames/frame-1.jpg"
    expect_rc 0 "stream to the same folder again" $T $OMV stream jpeg_image_stream --framesize QQVGA \
        --count 3 --out-dir "$d/frames" "${LINK[@]}" 2> "$d/err"
    expect_grep "removed 10 files of an earlier run from $d/frames (frame-000001.jpg to frame-000010.jpg)" \
        "$d/err" "the earlier run's frames are removed, and the command says which"
    n=$(ls "$d/frames" | grep -c '^frame-[0-9]\{6\}\.jpg$')
    [ "$n" -eq 3 ] && ok "3 new frame files, none old" || fail "$n frame files, expected 3"
    [ -e "$d/frames/notes.txt" ] && [ -e "$d/frames/frame-1.jpg" ] && ok "other files are left alone" \
        || fail "files that are not ours were removed"
    expect_rc 0 "the new frames are QQVGA (--framesize)" $HELPER jpeg "$d/frames/frame-000003.jpg" 160 120
    expect_rc 0 "stream --out /dev/null" $T $OMV stream jpeg_image_stream --count 2 --out /dev/null "${LINK[@]}"
    expect_rc 0 "stream --out FILE" $T $OMV stream jpeg_image_stream --pixformat GRAYSCALE \
        --framesize QQVGA --count 4 --out "$d/file.mjpeg" "${LINK[@]}"
    n=$($HELPER mjpeg "$d/file.mjpeg" 160 120)
    [ "$n" = 4 ] && ok "--out FILE holds 4 QQVGA JPEG frames" || fail "--out FILE holds $n frames, expected 4"
    expect_rc 7 "stream of a function that does not stream" $T $OMV stream face_detection -o /dev/null \
        "${LINK[@]}" 2> "$d/err"
    expect_grep "face_detection answered (8-byte result) but no stream followed" "$d/err" \
        "a call with no stream after it is said so, with the result's length"
    expect_rc 0 "stream to stdout (queue depth 4)" $T $OMV stream jpeg_image_stream \
        --data sensor.RGB565,sensor.QQVGA --count 8 --queue-depth 4 --out - "${LINK[@]}" > "$d/stream.mjpeg"
    n=$($HELPER mjpeg "$d/stream.mjpeg" 160 120)
    [ "$n" = 8 ] && ok "stdout holds 8 QQVGA JPEG frames" || fail "stdout holds $n frames, expected 8"

    # A reader that goes away (a player closed) ends the stream cleanly.
    set -o pipefail
    $T $OMV stream jpeg_image_stream --data sensor.RGB565,sensor.QVGA --out - "${LINK[@]}" | head -c 50000 > "$d/cut"
    local prc=$?
    set +o pipefail
    [ "$prc" -eq 0 ] && ok "stream ends cleanly when its pipe closes" || fail "stream exit status $prc after its pipe closed"
    expect_size "$d/cut" 50000 "the pipe got its bytes"

    # Ctrl-C ends a stream cleanly, and the camera answers again after.
    # The signal goes to omv-rpc itself, not through timeout(1): timeout
    # follows a signal it forwards with SIGCONT, which can resume a program
    # that LeakSanitizer stopped to check it at exit and hang that check.
    $OMV stream jpeg_image_stream --data sensor.RGB565,sensor.QQVGA --out - "${LINK[@]}" > "$d/endless" &
    local spid=$! i
    sleep 1
    kill -INT "$spid"
    for i in $(seq 1 600); do
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$spid" 2>/dev/null; then
        fail "stream still runs 60 s after SIGINT"
        kill -KILL "$spid"
    fi
    wait "$spid"
    local rc=$?
    [ "$rc" -eq 0 ] && ok "stream ends cleanly on SIGINT" || fail "stream exit status $rc after SIGINT"
    n=$($HELPER mjpeg "$d/endless" 160 120)
    [ "${n:-0}" -gt 0 ] && ok "the interrupted stream gave $n whole frames" || fail "the interrupted stream gave no whole frames"
    expect_rc 0 "a call after the stream" $T $OMV call face_detection "${LINK[@]}" > "$d/face2"
    expect_size "$d/face2" 8 "face_detection after the stream"

    # features: the results in words.
    expect_rc 0 "features (all)" $T $OMV features --out-dir "$d" "${LINK[@]}" > "$d/features"
    expect_grep "^Largest Face Detected \[x=[0-9]*, y=[0-9]*, w=[0-9]*, h=[0-9]*\]$" "$d/features" "features: face"
    expect_grep "^QR Codes Detected:$" "$d/features" "features: all QR codes"
    expect_grep "^$(cat "$d/qrcode")$" "$d/features" "features: QR code text"
    expect_grep "^Largest Tag Detected \[cx=[0-9]*, cy=[0-9]*, id=[0-9]*, rot=[0-9]*\]$" "$d/features" "features: tag"
    expect_grep "^Tags Detected:$" "$d/features" "features: all tags"
    expect_grep "^Data Matrices Detected:$" "$d/features" "features: all data matrices"
    expect_grep "^Bar Codes Detected:$" "$d/features" "features: all bar codes"
    expect_grep "^Largest Color Detected \[cx=[0-9]*, cy=[0-9]*\]$" "$d/features" "features: color"
    expect_grep "^Writing jpeg .*snapshot-00000.jpg...$" "$d/features" "features: jpeg snapshot"
    expect_rc 0 "features' snapshot is a JPEG" $HELPER jpeg "$d/snapshot-00000.jpg" 0 0
    expect_rc 0 "features again" $T $OMV features jpeg_snapshot --out-dir "$d" "${LINK[@]}" > /dev/null 2> "$d/err"
    expect_grep "removed $d/snapshot-00000.jpg of an earlier run" "$d/err" "features: the earlier snapshot is removed, and said so"
    expect_rc 0 "features --repeat 3 face_detection" \
        $T $OMV features --repeat 3 face_detection "${LINK[@]}" > "$d/faces"
    n=$(grep -c "^Largest Face Detected" "$d/faces")
    [ "$n" -eq 3 ] && ok "3 face lines" || fail "$n face lines, expected 3"
}

part_pty() {
    start_sim_pty
    link_checks
    stop_sim
    # Streams ended by the master (--count, Ctrl-C, a closed pipe) are
    # normal ends, not warnings.
    if grep -q "stream" "$WORK/sim.err"; then
        fail "the sim logged a normal stream end:"
        sed 's/^/    /' "$WORK/sim.err" >&4
    else
        ok "the sim logs no normal stream end"
    fi
}

part_net() {
    start_sim_net
    link_checks
    stop_sim TERM

    # --allow-master: names and addresses; a master not listed is not served.
    start_sim_net --allow-master 127.0.0.9 --allow-master localhost
    expect_rc 0 "an allowed master (by host name) is served" \
        $T $OMV call face_detection "${LINK[@]}" > /dev/null
    stop_sim
    start_sim_net --allow-master 127.0.0.9
    expect_rc 4 "a master not allowed is not served" \
        $T $OMV call face_detection "${LINK[@]}" --send-timeout 300 --recv-timeout 300
    stop_sim
    expect_rc 2 "--allow-master without --net" $T $OMV sim --pty --allow-master 127.0.0.1
}

# Every command against a sim with OpenMV's camera timing (every attempt
# flushes, then 2 ms growing by 1 ms; x10 on the network): our master
# still completes everything, over a pseudo-terminal and the network.
part_openmv_timeouts() {
    start_sim_pty --openmv-timeouts
    expect_grep "as OpenMV's camera does (--openmv-timeouts)" "$WORK/sim.err" \
        "the sim says it has the camera's timing"
    link_checks
    stop_sim
    rm -rf "$WORK/out" # link_checks counts the files it makes there
    start_sim_net --openmv-timeouts
    link_checks
    stop_sim
    expect_rc 2 "--openmv-timeouts takes no value" $T $OMV sim --openmv-timeouts=1
}

# The viewer draws the frames: its screenshot is lit and its mean colour is
# the frame's (same scene, window of the frame's aspect).
part_view() {
    start_sim_pty
    local driver ok_driver=""
    for driver in offscreen dummy; do
        if SDL_VIDEODRIVER=$driver $T $OMV view "${LINK[@]}" --count 5 \
            --screenshot "$WORK/shot.bmp" 2> "$WORK/view.err"; then
            ok_driver=$driver
            break
        fi
        echo "SDL video driver $driver: $(cat "$WORK/view.err")"
    done
    if [ -z "$ok_driver" ]; then
        fail "omv-rpc view ran under no SDL video driver"
    else
        ok "view ran under SDL_VIDEODRIVER=$ok_driver"
        expect_grep "showed 5 frames" "$WORK/view.err" "view showed 5 frames"
        expect_rc 0 "reference frame" $T $OMV snapshot -q -o "$WORK/ref.jpg" "${LINK[@]}"
        expect_rc 0 "the screenshot shows the frame" $HELPER bmp "$WORK/shot.bmp" "$WORK/ref.jpg"
        expect_rc 0 "view at QQVGA, queue depth 1" env SDL_VIDEODRIVER=$ok_driver \
            $T $OMV view "${LINK[@]}" --framesize QQVGA --queue-depth 1 --count 3 -q
        # s saves the frame on screen as the camera's JPEG.
        mkdir -p "$WORK/saves"
        expect_rc 0 "view, pressing s at the second frame" env SDL_VIDEODRIVER=$ok_driver \
            $T $OMV view "${LINK[@]}" --framesize QQVGA --count 3 --press xs --out-dir "$WORK/saves" \
            2> "$WORK/view.err"
        local saved
        saved=$(ls "$WORK"/saves/view-*.jpg 2>/dev/null)
        if [ "$(echo "$saved" | grep -c .)" -eq 1 ]; then
            ok "s saved one file"
            expect_rc 0 "the saved frame is a 160x120 JPEG" $HELPER jpeg "$saved" 160 120
            expect_grep "saved $saved (160x120, " "$WORK/view.err" "view says where it saved"
        else
            fail "s saved: '$saved'"
        fi
        # q, Esc and Ctrl-C in the window end it at once.
        local key
        for key in q "$(printf '\033')" "$(printf '\003')"; do
            env SDL_VIDEODRIVER=$ok_driver $T $OMV view "${LINK[@]}" --framesize QQVGA --count 50 \
                --press "x$key" 2> "$WORK/view.err"
            expect_grep "showed 2 frames" "$WORK/view.err" "view ends at the key pressed (0x$(printf '%s' "$key" | od -An -tx1 | tr -d ' '))"
        done
    fi
    # No display: a clear error, a failure, and no call to the camera.
    expect_rc 1 "view with no display" env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
        XDG_RUNTIME_DIR="$WORK" $T $OMV view "${LINK[@]}" 2> "$WORK/view.err"
    expect_grep "omv-rpc view: no display" "$WORK/view.err" "view says there is no display"
    if grep -q "showed" "$WORK/view.err"; then fail "view with no display showed frames"; else ok "view with no display showed nothing"; fi
    stop_sim
}

part_demo() {
    mkdir -p "$WORK/demo"
    (cd "$WORK/demo" && $T $OMV demo --seconds 1 > "$WORK/demo.out" 2> "$WORK/demo.err")
    local rc=$?
    [ "$rc" -eq 0 ] && ok "demo" || { fail "demo exit status $rc"; cat "$WORK/demo.err" >&2; }
    expect_grep "^Virtual OpenMV Cam on /dev/" "$WORK/demo.out" "demo: the camera's terminal"
    expect_grep "^Largest Face Detected" "$WORK/demo.out" "demo: features"
    expect_grep "frames/s, [0-9]* bytes/s" "$WORK/demo.out" "demo: frames and bytes per second"
    expect_rc 0 "demo's snapshot.jpg is 320x240" $HELPER jpeg "$WORK/demo/snapshot.jpg" 320 240
    cat "$WORK/demo.out"
}

part_examples() {
    start_sim_pty
    mkdir -p "$WORK/ex"
    (cd "$WORK/ex" && $T "$EXAMPLES/popular_features" "$PTY" > "$WORK/pf.out")
    [ $? -eq 0 ] && ok "popular_features" || fail "popular_features failed"
    expect_grep "^Largest Face Detected \[x=" "$WORK/pf.out" "popular_features: face"
    expect_grep "^Largest Color Detected \[cx=" "$WORK/pf.out" "popular_features: color"
    expect_rc 0 "popular_features' snapshot" $HELPER jpeg "$WORK/ex/snapshot-00000.jpg" 0 0
    (cd "$WORK/ex" && $T "$EXAMPLES/image_transfer_jpg" "$PTY")
    [ $? -eq 0 ] && ok "image_transfer_jpg" || fail "image_transfer_jpg failed"
    expect_rc 0 "image_transfer_jpg chunked.jpg" $HELPER jpeg "$WORK/ex/chunked.jpg" 320 240
    expect_rc 0 "image_transfer_jpg cut_through.jpg" $HELPER jpeg "$WORK/ex/cut_through.jpg" 320 240
    local driver shown=""
    for driver in offscreen dummy; do
        SDL_VIDEODRIVER=$driver $T "$EXAMPLES/image_transfer_jpg_streaming" "$PTY" 4 > "$WORK/st.out" 2>&1 \
            && { shown=$driver; break; }
    done
    [ -n "$shown" ] && ok "image_transfer_jpg_streaming ($shown)" || fail "image_transfer_jpg_streaming failed"
    expect_grep "^4 frames shown" "$WORK/st.out" "image_transfer_jpg_streaming showed 4 frames"
    stop_sim
}

# Stop means stop: the sim ends within a bound on SIGINT / SIGTERM while it
# receives a command whose 64 MiB argument never comes (a header for "x",
# then silence: 67 s of wire time at USB pace), and while it streams to a
# master that keeps reading. 5 s is generous for the ~100 ms expected.
STOP_BOUND_MS=5000
COMMAND_HEADER_64MIB='\x09\x12\xdd\xb5\x02\x00\x00\x00\x00\x04\x38\x71'

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# stop_sim_within SIGNAL WHAT: the sim ends cleanly within STOP_BOUND_MS.
stop_sim_within() {
    local t0 t1
    t0=$(now_ms)
    kill -"$1" "$SIM_PID"
    local i
    for i in $(seq 1 $((STOP_BOUND_MS / 50))); do
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.05
    done
    t1=$(now_ms)
    if kill -0 "$SIM_PID" 2>/dev/null; then
        fail "sim still runs $((t1 - t0)) ms after SIG$1 $2"
        kill -KILL "$SIM_PID"
        wait "$SIM_PID" 2>/dev/null
    else
        wait "$SIM_PID"
        local rc=$?
        [ "$rc" -eq 0 ] && ok "sim ends cleanly $((t1 - t0)) ms after SIG$1 $2" \
            || fail "sim exit status $rc after SIG$1 $2"
    fi
    SIM_PID=""
}

part_signals() {
    local sig
    for sig in INT TERM; do
        start_sim_pty
        stty -F "$PTY" raw -echo
        exec 5<>"$PTY"
        printf "$COMMAND_HEADER_64MIB" >&5
        sleep 0.3
        stop_sim_within "$sig" "while it receives"
        exec 5>&-

        start_sim_pty
        $T $OMV stream jpeg_image_stream --data sensor.GRAYSCALE,sensor.QQVGA --out /dev/null \
            --port "$PTY" 2> "$WORK/stream.err" &
        local spid=$!
        sleep 1
        stop_sim_within "$sig" "while it streams"
        wait "$spid" 2>/dev/null
    done
}

case "$PART" in
usage | pty | net | openmv_timeouts | view | demo | examples | signals) "part_$PART" ;;
*)
    echo "unknown part $PART" >&2
    exit 2
    ;;
esac
echo "$FAILURES failure(s)"
[ "$FAILURES" -eq 0 ]
