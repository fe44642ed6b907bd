#!/usr/bin/env bash
# Install the build into a temporary prefix, then build programs against it
# with the CMake package and with pkg-config, and run them. With the tools
# (TOOLS=ON): also the virtual camera library (omvrpc_sim), omv-rpc, its
# man page and completions, and the examples' sources, built on their own.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR VERSION TOOLS
set -euo pipefail
build=$1 src=$2 version=$3 tools=${4:-OFF}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
want="OMV_RPC_ERR_CLOSED 7c6b6fa4 $version"

cmake -S "$src" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DWITH_SIM="$tools" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
got=$(cat "$tmp/cmake/package_version.txt")
[ "$got" = "$version" ] || { echo "the CMake package says version '$got', expected '$version'"; exit 1; }
for exe in consumer_static consumer_shared; do
  got=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/cmake/$exe")
  [ "$got" = "$want" ] || { echo "$exe printed '$got', expected '$want'"; exit 1; }
done

pc="pkg-config --define-variable=prefix=$tmp/prefix"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
got=$($pc --modversion omvrpc)
[ "$got" = "$version" ] || { echo "pkg-config says version '$got', expected '$version'"; exit 1; }
cc "$src/consumer.c" $($pc --cflags omvrpc) $($pc --libs omvrpc) -o "$tmp/pc_shared"
got=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/pc_shared")
[ "$got" = "$want" ] || { echo "pkg-config build printed '$got'"; exit 1; }
cc "$src/consumer.c" $($pc --cflags omvrpc) "$tmp/prefix/lib/libomvrpc.a" $($pc --static --libs omvrpc | sed 's/-lomvrpc//') -o "$tmp/pc_static"
got=$("$tmp/pc_static")
[ "$got" = "$want" ] || { echo "static pkg-config build printed '$got'"; exit 1; }
for doc in README.md CHANGELOG.md protocol.md; do
  [ -s "$tmp/prefix/share/doc/omvrpc/$doc" ] || { echo "share/doc/omvrpc/$doc is not installed"; exit 1; }
done
if [ "$tools" != ON ]; then
  echo "1 passed, 0 failed (without the tools)"
  exit 0
fi

# The virtual camera library: CMake package (static, shared), pkg-config.
want_sim="OMV_RPC_OK jpeg"
for exe in consumer_sim_static consumer_sim_shared; do
  got=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/cmake/$exe")
  [ "$got" = "$want_sim" ] || { echo "$exe printed '$got', expected '$want_sim'"; exit 1; }
done
[ "$($pc --modversion omvrpc_sim)" = "$version" ] || { echo "omvrpc_sim.pc has another version"; exit 1; }
cc "$src/consumer_sim.c" $($pc --cflags omvrpc_sim) $($pc --libs omvrpc_sim) -o "$tmp/pc_sim"
got=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/pc_sim")
[ "$got" = "$want_sim" ] || { echo "pkg-config omvrpc_sim build printed '$got'"; exit 1; }

# omv-rpc and its man page: a section for every command, every option of
# every command's help, and no complaint from groff.
bin=$tmp/prefix/bin/omv-rpc
man=$tmp/prefix/share/man/man1/omv-rpc.1
[ "$("$bin" --version)" = "omv-rpc $version" ] || { echo "omv-rpc --version: $("$bin" --version)"; exit 1; }
[ -s "$man" ] || { echo "share/man/man1/omv-rpc.1 is not installed"; exit 1; }
for c in $("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
  grep -qx ".SS $c" "$man" || { echo "the man page has no section for '$c'"; exit 1; }
  for o in $("$bin" help "$c" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$man" || {
      echo "the man page does not mention $c's option $o"; exit 1; }
  done
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
  [ -z "$warnings" ] || { echo "groff on omv-rpc.1: $warnings"; exit 1; }
fi
bash "$src/check_completions.sh" "$tmp/prefix"

# The examples' sources build on their own against the installed package,
# and the pseudo-terminal demo runs on the installed shared library.
cmake -S "$tmp/prefix/share/doc/omvrpc/examples" -B "$tmp/examples" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  >/dev/null
cmake --build "$tmp/examples" -j2 >/dev/null
for exe in popular_features image_transfer_jpg omv-rpc-pty-demo; do
  [ -x "$tmp/examples/$exe" ] || { echo "the installed examples did not build $exe"; exit 1; }
done
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/examples/omv-rpc-pty-demo" 1 >"$tmp/demo.out" \
  || { echo "the installed pty demo failed:"; cat "$tmp/demo.out"; exit 1; }
echo "1 passed, 0 failed"
