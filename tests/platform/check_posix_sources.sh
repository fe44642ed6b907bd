#!/usr/bin/env bash
# The shared C code asks for POSIX only: Linux headers and GNU/BSD feature
# macros belong in files named for Linux (*linux*, *socketcan*), so that a
# Linux-only call cannot slip into code that macOS and the BSDs build.
# Usage: check_posix_sources.sh SOURCE_DIR
set -euo pipefail
cd "$1"
bad=0
while IFS= read -r f; do
  case "$(basename "$f")" in
    *linux*|*socketcan*) continue ;;
  esac
  if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(linux/|asm/|sys/epoll\.h|sys/inotify\.h|sys/sysmacros\.h|sys/prctl\.h|pty\.h|features\.h)|^[[:space:]]*#[[:space:]]*define[[:space:]]+_(GNU|DEFAULT|BSD)_SOURCE' "$f"; then
    echo "  ^ in $f: a Linux header or GNU/BSD feature macro outside a file named for Linux" >&2
    bad=1
  fi
done < <(find core links sim tools bench examples tests peers python/src -name '*.[ch]' 2>/dev/null | sort)
exit $bad
