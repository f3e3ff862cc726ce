#!/bin/sh
# The package's own test (issue 12, item 3): the .deb installs into a throw-away root with its
# own dpkg database (dpkg --root; the maintainer scripts run with DPKG_ROOT set, outside a
# chroot), the installed proxierd checks the installed configuration with the installed
# definitions, a local edit of the configuration survives a reinstall (conffile), removing the
# package keeps the store and purging it deletes the store.
# Usage: deb_test.sh PACKAGE.deb   (PROXIER_EMULATOR: qemu-user for another architecture's binary)
set -eu
deb=$(realpath "$1")
run=${PROXIER_EMULATOR:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "deb_test: $*" >&2; exit 1; }

dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/proxier/proxierd.toml "$work/control/conffiles" || fail "the configuration is not a conffile"

root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg() { command dpkg --root="$root" --force-script-chrootless --force-depends \
  --force-confdef --force-confold "$@" >/dev/null; }
arch=$(dpkg-deb -f "$deb" Architecture)
[ "$arch" = "$(command dpkg --print-architecture)" ] || dpkg --add-architecture "$arch"
dpkg -i "$deb"

bin=$root/usr/bin/proxierd
conf=$root/etc/proxier/proxierd.toml
test -x "$bin" || fail "no $bin"
test -f "$root/usr/share/proxier/defs/30-managementserver.xml" || fail "no definitions"
unit=$(find "$root" -name proxierd.service -path '*/systemd/system/*' | head -n 1)
test -n "$unit" || fail "no systemd unit"
grep -q '^ExecStart=/usr/bin/proxierd --config /etc/proxier/proxierd.toml ' "$unit" ||
  fail "the unit does not run /usr/bin/proxierd with /etc/proxier/proxierd.toml"
mode=$(stat -c %a "$conf")
test "$mode" = 640 || fail "installed configuration mode $mode, want 640"
out=$($run "$bin" --config "$conf" --check-config) || fail "--check-config failed: $out"
echo "$out" | grep -q "is valid" || fail "$out"

# Conffile: a local edit survives a reinstall.
echo "# local edit $$" >>"$conf"
dpkg -i "$deb"
grep -q "# local edit $$" "$conf" || fail "the local edit of $conf was lost on reinstall"

# Remove keeps the store (and the edited configuration); purge deletes both.
mkdir -p "$root/var/lib/proxier"
echo store >"$root/var/lib/proxier/proxier.db"
dpkg -r proxier
test ! -e "$bin" || fail "proxierd still installed after remove"
test -f "$root/var/lib/proxier/proxier.db" || fail "remove deleted the store"
test -f "$conf" || fail "remove deleted the configuration"
dpkg -P proxier
test ! -e "$root/var/lib/proxier" || fail "purge left the store"
test ! -e "$conf" || fail "purge left the configuration"
echo "package ok: $(basename "$deb") installs, checks its configuration, keeps conffile edits, purges its store"
