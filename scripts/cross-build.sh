#!/usr/bin/env bash
# Cross-builds Proxier for a gateway architecture with Debian 12's own cross toolchain and
# multiarch libraries, installing what is missing first (dpkg --add-architecture, apt-get).
#
# Usage: scripts/cross-build.sh arm64|armhf [--test unit|target] [extra cmake arguments]
#   Builds into build-<arch> (BUILD_DIR overrides) with cmake/<triplet>.cmake, for the /usr
#   prefix of firmware images and packages (scripts/package.sh packages such a directory).
#   --test unit    then runs the unit tests under qemu-user;
#   --test target  the unit tests, the installed-layout test, the CWMP integration tests
#                  (proxierd + lab-acs on loopback) and the embedded-mode test (upnp-dm-sim in a
#                  network namespace): proxierd under qemu-user, the test peers lab-acs and
#                  upnp-dm-sim from the native build in build/ (built first if missing), as they
#                  would be other machines on a real network.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
arch=${1:-}
case $arch in
  arm64) triplet=aarch64-linux-gnu; qemu=qemu-aarch64 ;;
  armhf) triplet=arm-linux-gnueabihf; qemu=qemu-arm ;;
  *) usage ;;
esac
shift
tests=""
if [ "${1:-}" = "--test" ]; then
  tests=${2:-}
  case $tests in unit | target) ;; *) usage ;; esac
  shift 2
fi
build=${BUILD_DIR:-build-$arch}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# 1. The toolchain, qemu-user and the target's libraries. libupnp-dev is the one -dev package that
# is not co-installable across architectures (its upnpconfig.h differs on 32-bit ones), so its
# headers and pkg-config file are unpacked into the build directory instead (step 2).
host_pkgs=(cmake ninja-build pkgconf git python3 iproute2 openssl qemu-user
           libcli11-dev nlohmann-json3-dev "crossbuild-essential-$arch")
target_pkgs=(pkgconf libupnp13 libixml10 libxerces-c-dev libsqlite3-dev libcurl4-openssl-dev
             libssl-dev libmicrohttpd-dev libgnutls28-dev libtomlplusplus-dev zlib1g-dev
             libgtest-dev libgmock-dev)
missing=()
for p in "${host_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for p in "${target_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p:$arch" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p:$arch")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "cross-build: dpkg --add-architecture $arch"
    $SUDO dpkg --add-architecture "$arch"
  fi
  echo "cross-build: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# 2. libupnp-dev for the target, unpacked: headers and the pkg-config file point into the build
# directory, the libupnp.so/libixml.so links at the target's runtime libraries installed above.
overlay=$(realpath -m "$build/libupnp-dev")
if [ ! -f "$overlay/.unpacked" ]; then
  rm -rf "$overlay"
  mkdir -p "$build"
  dl=$(mktemp -d)
  chmod 0777 "$dl"  # apt-get download runs as _apt
  (cd "$dl" && apt-get download -qq "libupnp-dev:$arch")
  dpkg-deb -x "$dl"/libupnp-dev_*.deb "$overlay"
  rm -rf "$dl"
  for link in "$overlay/usr/lib/$triplet"/*.so; do
    ln -sfn "/usr/lib/$triplet/$(readlink "$link")" "$link"
  done
  # <upnp/upnp.h> must come from here, not from the build machine's /usr/include/upnp.
  sed -i -e "s|^prefix=.*|prefix=$overlay/usr|" \
         -e 's|^Cflags: \(.*\)|Cflags: \1 -I${includedir}|' \
         "$overlay/usr/lib/$triplet/pkgconfig/libupnp.pc"
  touch "$overlay/.unpacked"
fi

# 3. Build (and, for --test target, the native test peers).
peers=()
if [ "$tests" = target ]; then
  native=$(realpath -m "${NATIVE_BUILD_DIR:-build}")
  if [ ! -f "$native/CMakeCache.txt" ]; then
    scripts/setup.sh
    cmake -S . -B "$native" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$native" -j "$(nproc)" --target lab-acs upnp-dm-sim
  peers=(-DPROXIER_TEST_PEERS_DIR="$native")
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="cmake/$triplet.cmake" \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DPROXIER_BUILD_BENCH=OFF \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DPROXIER_CROSS_PKG_CONFIG_PATH="$overlay/usr/lib/$triplet/pkgconfig" "${peers[@]}" "$@" \
  >/dev/null
cmake --build "$build" -j "$(nproc)"
file -b "$build/apps/proxierd/proxierd" 2>/dev/null || true
command -v "$qemu" >/dev/null || { echo "cross-build: no $qemu, tests not run"; exit 0; }

# 4. Tests on the target architecture, under qemu-user.
case $tests in
  unit)
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -L unit ;;
  target)
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -L unit
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -R \
      '^(proxierd_install|integration_(session|rpcs|connection_request|retry|restart|transfers|secrets|store_modes|conformance|tls|embedded))$' ;;
esac
