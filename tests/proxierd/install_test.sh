#!/bin/sh
# The installed layout (issue 12, item 3): `cmake --install` into a throw-away DESTDIR puts
# proxierd in bin/, the definitions in share/proxier/defs/ and the configuration in
# etc/proxier/; the installed binary finds the installed definitions by itself (relative to its
# own location) and checks the installed configuration.
# Usage: install_test.sh BUILD_DIR  (PROXIER_EMULATOR: a cross build's qemu-user, may be empty)
set -eu
run=${PROXIER_EMULATOR:-}
build=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR="$root" cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
bin="$root$prefix/bin/proxierd"
defs="$root$prefix/share/proxier/defs"
conf=$(find "$root" -path '*/proxier/proxierd.toml' | head -n 1)
test -x "$bin" || { echo "no $bin"; exit 1; }
test -f "$defs/30-managementserver.xml" || { echo "no definitions in $defs"; exit 1; }
test -n "$conf" || { echo "no installed proxier/proxierd.toml"; exit 1; }
test -f "$root$prefix/lib/systemd/system/proxierd.service" || { echo "no systemd unit"; exit 1; }
grep -q "^ExecStart=$prefix/bin/proxierd " "$root$prefix/lib/systemd/system/proxierd.service" ||
  { echo "the unit does not start $prefix/bin/proxierd"; exit 1; }
mode=$(stat -c %a "$conf")
test "$mode" = 640 || { echo "installed config mode $mode, want 640"; exit 1; }
out=$($run "$bin" --config "$conf" --check-config)
echo "$out" | grep -q "is valid" || { echo "$out"; exit 1; }
echo "$out" | grep -q "data model: " || { echo "$out"; exit 1; }
# The definitions really came from the installed tree: without them the binary fails.
mv "$defs" "$defs.away"
if $run "$bin" --config "$conf" --check-config >/dev/null 2>&1; then
  echo "proxierd ran without its installed definitions (it must not use the source tree)"
  exit 1
fi
echo "installed layout ok: $bin, $defs, $conf"
