#!/bin/sh
# The service files (issue 12, item 4): the configured proxierd.service passes
# `systemd-analyze verify` (pointed at the built binary) and its offline exposure score
# (`systemd-analyze security`) stays at or below 2.0; etc/openwrt/proxierd.init parses
# (`sh -n`) and is shellcheck-clean.
# Usage: service_test.sh SOURCE_DIR CONFIGURED_UNIT PROXIERD_BINARY
set -eu
src=$1
unit=$2
bin=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
installed=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
sed "s|$installed|$bin|g" "$unit" >"$dir/proxierd.service"
systemd-analyze verify "$dir/proxierd.service"
report=$(systemd-analyze security --offline=true "$dir/proxierd.service" 2>&1)
score=$(echo "$report" | sed -n 's/.*Overall exposure level for proxierd.service: \([0-9.]*\).*/\1/p')
test -n "$score" || { echo "$report"; exit 1; }
echo "exposure score $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "$report"; echo "exposure $score > 2.0"; exit 1; }
sh -n "$src/etc/openwrt/proxierd.init"
shellcheck -s sh "$src/etc/openwrt/proxierd.init"
echo "service files ok"
