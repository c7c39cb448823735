#!/usr/bin/env bash
# install-virt-lxc.sh - install the built project: the jars under /usr/local/lib/virt-lxc/lib and the
# `virt-lxc` command on PATH (/usr/local/bin/virt-lxc), and the controller (<emulator>) with its native
# helper. Run after `mvn package`; safe to re-run.
set -euo pipefail

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"
here=$(cd "$(dirname "$0")/.." && pwd)
BASE=/usr/local/lib/virt-lxc
jar=$(ls "$here"/virsh-plugin/target/virsh-plugin-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n 1)
[[ -n $jar ]] || die "virsh-plugin is not built: run 'mvn -B package -DskipTests' in $here first"
driver_jar=$(ls "$here"/driver/target/driver-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -n 1)
[[ -n $driver_jar ]] || die "driver is not built: run 'mvn -B package -DskipTests' in $here first"
init_helper=$here/namespace-setup/target/native/virt-lxc-init
[[ -x $init_helper ]] || die "the native helper is not built ($init_helper): run 'mvn -B package -DskipTests' first"

# Replace the whole jar set at once, so no jar of an older build stays on the class path.
mkdir -p "$BASE"
rm -rf "$BASE"/lib.new.*
staging=$(mktemp -d "$BASE/lib.new.XXXXXX")
trap 'rm -rf "$staging"' EXIT
# The lib dir is the union of the virsh-plugin's and the controller's class paths (same versions: one
# reactor, so a jar both need is the same file; the second copy just replaces the first).
cp "$jar" "$here"/virsh-plugin/target/lib/*.jar "$staging/"
cp -f "$driver_jar" "$here"/driver/target/lib/*.jar "$staging/"
chmod 755 "$staging"
rm -rf "$BASE/lib.old"
if [[ -d $BASE/lib ]]; then mv "$BASE/lib" "$BASE/lib.old"; fi
mv "$staging" "$BASE/lib"
rm -rf "$BASE/lib.old"

# The controller libvirtd runs as <emulator>, and the native helper it starts container inits with.
install -m 755 "$init_helper" "$BASE/virt-lxc-init.new" && mv "$BASE/virt-lxc-init.new" "$BASE/virt-lxc-init"
install -m 755 "$here/driver/src/main/sh/virt-lxc-controller" "$BASE/virt-lxc-controller.new"
mv "$BASE/virt-lxc-controller.new" "$BASE/virt-lxc-controller"
log "installed the controller as $BASE/virt-lxc-controller"

cat > /usr/local/bin/virt-lxc.new <<'LAUNCHER'
#!/bin/sh
# virt-lxc: virsh-style save, restore and migration for libvirt LXC domains (installed by install.sh).
# A short-lived command: small heap, serial GC, quick JIT start.
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k ${VIRT_LXC_JAVA_OPTS:-} \
  -cp '/usr/local/lib/virt-lxc/lib/*' org.virtlxc.cli.VirtLxc "$@"
LAUNCHER
chmod 755 /usr/local/bin/virt-lxc.new
mv /usr/local/bin/virt-lxc.new /usr/local/bin/virt-lxc
log "installed $(/usr/local/bin/virt-lxc --version) as /usr/local/bin/virt-lxc"
