#!/usr/bin/env bash
# The README's main command: set up, build, then run the demo tour on loopback: lab-acs and
# proxierd with free ports and a temporary configuration/store, proxierd bootstraps, a
# GetParameterValues is queued through the lab's API with a connection request, both stop.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/setup.sh
scripts/build.sh

echo
echo "== proxierd --check-config etc/proxierd.toml"
summary=$("$BUILD_DIR"/apps/proxierd/proxierd --check-config --config etc/proxierd.toml)
printf '%s\n' "$summary" | sed -n '1,/^data model:/p'

work=$(mktemp -d "${TMPDIR:-/tmp}/proxier-demo.XXXXXX")
cleanup() {
  local rc=$?
  # The tour stops its processes itself; this catches whatever survives an abrupt end.
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$work/pids"
  fi
  if [ "$rc" -eq 0 ]; then rm -rf "$work"; else echo "demo: logs kept in $work" >&2; fi
}
trap cleanup EXIT
# UPnP runs only inside a network namespace made for the demo (loopback, SSDP multicast on lo).
unshare -n -- sh -c "ip link set lo up && ip route add 239.255.255.250/32 dev lo src 127.0.0.1 \
  && exec python3 scripts/demo_tour.py --build-dir '$BUILD_DIR' --workdir '$work'"
