#!/bin/sh
# Write omv-rpc(1) from the tool's own help texts, so that the page always
# lists the commands and options the program has:
#   gen_man.sh OMV_RPC_BINARY DOC_DIR VERSION OUTPUT
# DOC_DIR (docs/man) holds help2roff.awk and the hand-written parts (head.roff,
# tail.roff). The commands are those `omv-rpc --help` lists.
set -eu
bin=$1 dir=$2 version=$3 out=$4
exec >"$out.tmp"
trap 'rm -f "$out.tmp"' EXIT
help=$("$bin" --help)
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/{s/^  \([a-z][a-z-]*\) .*/\1/p;}')
[ -n "$commands" ] || { echo "gen_man.sh: no commands in '$bin --help'" >&2; exit 1; }

sed "s/@VERSION@/$version/" "$dir/head.roff"

echo '.SH COMMANDS'
for c in $commands; do
  summary=$(printf '%s\n' "$help" | sed -n "s/^  $c  *//p")
  printf '.SS %s\n' "$c"
  printf '%s\n' "$summary" | sed 's/-/\\-/g'
  # Each command's own options: its help up to the shared link options.
  "$bin" help "$c" | sed '/^Link options/,$d' | awk -f "$dir/help2roff.awk"
done

echo '.SH LINK OPTIONS'
echo 'Every command that talks to a camera takes one link; these options may'
echo 'also come before the command.'
printf '%s\n' "$help" | sed -n '/^Link options/,/^$/p' | sed '1d' | awk -f "$dir/help2roff.awk"

echo '.SH EXIT STATUS'
printf '%s\n' "$help" | sed -n '/^Exit status:/,$p' | sed '1d' |
  sed -n 's/^  \([0-9]\)  *\(.*\)/.TP\n.B \1\n\2/p' | sed 's/\([^.]\)-/\1\\-/g'

cat "$dir/tail.roff"
mv "$out.tmp" "$out"
trap - EXIT
