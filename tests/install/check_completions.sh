#!/usr/bin/env bash
# The installed bash and zsh completions offer what the installed omv-rpc
# has: every command of `omv-rpc --help`, a command's options, the values
# of a few options, and the command after global options with values.
#   check_completions.sh PREFIX
# zsh is checked when it is installed (./run installs it).
set -euo pipefail
prefix=$1
bin=$prefix/bin/omv-rpc
fail=0
commands=$("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] || { echo "no commands in omv-rpc --help"; exit 1; }

# bash: run the completion function on a command line; print COMPREPLY.
bash_complete() {
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _omv_rpc; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$prefix/share/bash-completion/completions/omv-rpc" "$bin" "$@"
}
# zsh: the same with stand-ins for the completion system's builtins, which
# print what they would offer.
zsh_complete() {
  local cur=${!#}
  zsh -f -c '
    _describe() { local a=${@[-1]}; print -l -- ${${(P)a}%%:*} }
    compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }
    _files() { print -- "<files>" }
    fn=$1; shift
    words=("$@"); CURRENT=${#words}; PREFIX=${words[-1]}
    source $fn' _ "$prefix/share/zsh/site-functions/_omv-rpc" "$bin" "$@"
  : "$cur"
}

# expect SHELL WANT... -- WORDS...: each WANT is among the offers.
expect() {
  local sh=$1 want=() words
  shift
  while [ "$1" != -- ]; do want+=("$1"); shift; done
  shift
  local got
  got=$("${sh}_complete" "$@") || { echo "$sh: completing '$*' failed"; fail=1; return; }
  for w in "${want[@]}"; do
    grep -qxF -- "$w" <<<"$got" || {
      echo "$sh: completing '$*' does not offer '$w' (offers: $(echo $got))"; fail=1; }
  done
}

shells=(bash)
if command -v zsh >/dev/null; then shells+=(zsh); else echo "zsh not installed: its completion not checked"; fi
for sh in "${shells[@]}"; do
  expect "$sh" $commands help -- ""
  expect "$sh" $commands -- help ""
  expect "$sh" --version --port --uart --net -- --
  expect "$sh" --data --hex --file --out -- call echo --
  expect "$sh" --framesize --pixformat --cut-through -- snapshot --
  # The command is found after a global option and its value.
  expect "$sh" --framesize --count -- --baud 115200 stream jpeg_image_stream --
  expect "$sh" RGB565 GRAYSCALE -- snapshot --pixformat ""
  expect "$sh" auto -- --port ""
done
[ $fail -eq 0 ] || exit 1
echo "completions (${shells[*]}) offer omv-rpc's commands and options"
