#!/usr/bin/env bash
# The SSDP flood benchmark of issue 10 (bench/ssdp_flood.py): builds proxierd, lab-acs and
# upnp-dm-sim, then runs it inside a private network namespace (only lo; never in the root
# namespace). FLOOD_DEVICES (10000) and FLOOD_RATE (5000 datagrams/s) change the flood;
# FLOOD_PROBE=0 leaves out the ACS reads during it (proxierd's CPU is then the flood's alone).
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(pwd)/${BUILD_DIR:-build}"
cmake --build "$build" -j2 --target proxierd lab-acs upnp-dm-sim
export PROXIER_PROXIERD="$build/apps/proxierd/proxierd" PROXIER_LAB_ACS="$build/apps/lab-acs/lab-acs"
export PROXIER_UPNP_DM_SIM="$build/apps/upnp-dm-sim/upnp-dm-sim" PYTHONDONTWRITEBYTECODE=1
exec unshare -n -- sh -c "ip link set lo up && ip route add 239.255.255.250/32 dev lo src 127.0.0.1 \
&& exec python3 bench/ssdp_flood.py"
