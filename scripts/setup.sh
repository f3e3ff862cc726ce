#!/usr/bin/env bash
# Installs the Debian 12 packages Proxier needs to build and test (only those missing).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libupnp-dev libxerces-c-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libgnutls28-dev openssl
  libtomlplusplus-dev libcli11-dev zlib1g-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang libclang-rt-14-dev iproute2 gssdp-tools python3 curl
  gir1.2-gssdp-1.6 python3-gi
  systemd shellcheck
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
