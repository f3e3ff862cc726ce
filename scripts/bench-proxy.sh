#!/usr/bin/env bash
# The proxy benchmark of issue 5 (bench/proxy_bench.cc): builds it and runs it inside a private
# network namespace (only lo; never in the root namespace). Extra arguments go to the benchmark,
# e.g. scripts/bench-proxy.sh --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
cmake --build "$build" -j2 --target proxy_bench
exec unshare -n -- sh -c "ip link set lo up && ip route add 239.255.255.250/32 dev lo src 127.0.0.1 \
&& exec \"\$0\" \"\$@\"" "$build/bench/proxy_bench" "$@"
