#!/usr/bin/env bash
# The Debian packages: cpack builds lianxin-services and lianxin-tools from the
# build tree; their contents, dependencies and maintainer scripts are checked,
# and systemd-analyze verifies the unit templates as installed (instance 654322).
# Usage (ctest): package_test.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
services=$(ls "$work"/out/lianxin-services_*.deb 2>/dev/null) || fail "no lianxin-services package"
tools=$(ls "$work"/out/lianxin-tools_*.deb 2>/dev/null) || fail "no lianxin-tools package"

contains() {  # contains DEB PATH...
  local deb=$1; shift
  local listing; listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for path in "$@"; do
    grep -qx "./$path" <<<"$listing" || fail "$(basename "$deb") lacks /$path"
  done
}
contains "$services" usr/libexec/lianxin/registry usr/libexec/lianxin/contact \
  usr/libexec/lianxin/education usr/libexec/lianxin/appraisal \
  usr/lib/systemd/system/lianxin-registry@.service usr/lib/systemd/system/lianxin-appraisal@.service \
  usr/lib/systemd/system/lianxin@.target usr/share/lianxin/example/common.flags \
  usr/share/lianxin/monitoring/alerts.yml usr/share/doc/lianxin-services/operations.md
contains "$tools" usr/bin/lxctl usr/bin/lxaudit usr/bin/lxkafka usr/bin/lianxin-broker
if dpkg-deb -c "$services" | awk '{print $6}' | grep -q '^./usr/bin/lxctl$'; then
  fail "lxctl belongs to lianxin-tools only"
fi

depends=$(dpkg-deb -f "$services" Depends)
for lib in libgrpc++ librdkafka libprotobuf libssl3 adduser systemd; do  # RocksDB is linked statically
  grep -q "$lib" <<<"$depends" || fail "lianxin-services does not depend on $lib: $depends"
done
dpkg-deb -e "$services" "$work/control"
[ -x "$work/control/postinst" ] || fail "lianxin-services has no executable postinst"
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst does not create the system user"

# The binaries are stripped and run from where the units say.
root=$work/root
dpkg-deb -x "$services" "$root"
dpkg-deb -x "$tools" "$root"
"$root/usr/libexec/lianxin/registry" --version >/dev/null 2>&1 ||
  "$root/usr/libexec/lianxin/registry" --helpshort >/dev/null 2>&1 || fail "installed registry does not run"
file "$root/usr/bin/lxctl" | grep -q 'not stripped' && fail "lxctl is not stripped"

# systemd-analyze verify resolves ExecStart on the real root: point it at the unpacked tree.
units=$work/units
mkdir -p "$units"
for unit in "$root"/usr/lib/systemd/system/*; do
  sed "s#/usr/libexec/lianxin/#$root/usr/libexec/lianxin/#" "$unit" >"$units/$(basename "$unit")"
done
for service in registry contact education appraisal; do
  out=$(cd "$units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
    "$units/lianxin-$service@.service" 2>&1) ||
    fail "systemd-analyze verify lianxin-$service@.service: $out"
  [ -z "$out" ] || fail "systemd-analyze verify lianxin-$service@.service complained: $out"
done
out=$(cd "$units" && systemd-analyze verify --man=no "$units/lianxin@.target" 2>&1) ||
  fail "systemd-analyze verify lianxin@.target: $out"
echo "package_test: $(basename "$services") $(basename "$tools"): contents, dependencies, units verified"
