#!/usr/bin/env bash
# The README's main command: set up, build, then run the demo on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo
echo "== proxierd --check-config etc/proxierd.toml"
build/apps/proxierd/proxierd --check-config --config etc/proxierd.toml
