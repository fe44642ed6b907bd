#!/usr/bin/env bash
# Install the build into a temporary prefix, then build programs against it
# with the CMake package and with pkg-config, and run them.
# Usage: check_install.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
build=$1 src=$2 version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
want="OMV_RPC_ERR_CLOSED 7c6b6fa4 $version"

cmake -S "$src" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
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
echo "1 passed, 0 failed"
