#!/usr/bin/env bash
# Builds the Debian package build-*/packages/proxier_<version>_<arch>.deb (CPack DEB, see
# cmake/Packaging.cmake), runs lintian on it (errors and warnings fail; remaining tags are
# explained in etc/debian/README.lintian) and its install test (tests/package/deb_test.sh).
#
# Usage: scripts/package.sh [amd64|arm64|armhf]   (default: this machine's architecture)
#   Builds only what the package holds, with CMAKE_INSTALL_PREFIX=/usr, in build-deb-<arch>; or
#   packages an existing build directory given as BUILD_DIR (e.g. scripts/cross-build.sh's,
#   which uses the /usr prefix too) without reconfiguring it.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(dpkg --print-architecture)
arch=${1:-$host}
build=${BUILD_DIR:-}
only=(-DCMAKE_INSTALL_PREFIX=/usr -DPROXIER_BUILD_TESTS=OFF -DPROXIER_BUILD_BENCH=OFF
      -DPROXIER_BUILD_TOOLS=OFF)
if [ -z "$build" ]; then
  build=build-deb-$arch
  if [ "$arch" = "$host" ]; then
    scripts/setup.sh
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${only[@]}" >/dev/null
  else
    BUILD_DIR=$build scripts/cross-build.sh "$arch" "${only[@]}"
  fi
fi
for p in lintian fakeroot; do
  command -v "$p" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends lintian fakeroot >/dev/null
    break
  }
done
cmake --build "$build" -j "$(nproc)" --target proxierd proxier_package_docs
rm -rf "$build/packages"
(cd "$build" && fakeroot cpack -G DEB >/dev/null)
deb=$(ls "$build"/packages/proxier_*_"$arch".deb)
echo "package: $deb ($(stat -c %s "$deb") bytes)"
lintian --info --fail-on error,warning "$deb"
emulator=""
if [ "$arch" != "$host" ]; then
  emulator=$(sed -n 's/^PROXIER_QEMU_PROGRAM:FILEPATH=//p' "$build/CMakeCache.txt")
fi
PROXIER_EMULATOR=$emulator sh tests/package/deb_test.sh "$deb"
