#!/usr/bin/env bash
# install-virt-lxc.sh - install the built project: the jars under /usr/local/lib/virt-lxc/lib and the
# `virt-lxc` command on PATH (/usr/local/bin/virt-lxc), and the controller (<emulator>) with its native
# helper. Run after `mvn package`; safe to re-run.
#
#   scripts/install-virt-lxc.sh [--prefix DIR]
#
# --prefix DIR installs everything under DIR instead (DIR/lib, DIR/virt-lxc-controller, and the command as
# DIR/bin/virt-lxc), e.g. a private copy to benchmark (scripts/bench-start.sh --controller DIR/virt-lxc-controller).
#
# The controller is a JVM that libvirtd starts once per domain, so its launcher is tuned for start time and
# memory (see the comments in it), and when libvirtd answers, a training start of a throw-away busybox domain
# records the classes a start loads into a class-data sharing archive (virt-lxc-controller.jsa) that every
# later start maps instead of loading and verifying those classes again; a training save and restore of that
# domain does the same for the command (virt-lxc.jsa). Without libvirtd both simply run without an archive.
set -euo pipefail

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"
here=$(cd "$(dirname "$0")/.." && pwd)
BASE=/usr/local/lib/virt-lxc
BIN=/usr/local/bin
if [[ ${1:-} == --prefix ]]; then
  [[ -n ${2:-} ]] || die "--prefix needs a directory"
  mkdir -p "$2"
  BASE=$(cd "$2" && pwd)
  BIN=$BASE/bin
  shift 2
fi
(( $# == 0 )) || die "usage: $0 [--prefix DIR]"
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

# The native helper the controller starts container inits with.
install -m 755 "$init_helper" "$BASE/virt-lxc-init.new" && mv "$BASE/virt-lxc-init.new" "$BASE/virt-lxc-init"

# JNA's native dispatch library, unpacked once here instead of into a temporary file by every controller start.
jna_jar=$(ls "$here"/driver/target/lib/jna-*.jar | head -n 1)
case $(uname -m) in
  x86_64) jna_arch=x86-64 ;;
  *) jna_arch=$(uname -m) ;;
esac
rm -rf "$BASE/native"
mkdir -p "$BASE/native"
if (cd "$BASE/native" && jar xf "$jna_jar" "com/sun/jna/linux-$jna_arch/libjnidispatch.so") \
    && [[ -s $BASE/native/com/sun/jna/linux-$jna_arch/libjnidispatch.so ]]; then
  mv "$BASE/native/com/sun/jna/linux-$jna_arch/libjnidispatch.so" "$BASE/native/libjnidispatch.so"
fi
rm -rf "$BASE/native/com"
jna_opts=
[[ -s $BASE/native/libjnidispatch.so ]] && jna_opts="-Djna.boot.library.path=$BASE/native"

# The controller libvirtd runs as <emulator>. Its class path is the driver's own (not the command's jars), listed
# jar by jar (not lib/*): a class-data sharing archive is only used with the exact class path it was made with.
classpath=$BASE/lib/$(basename "$driver_jar")
for j in "$here"/driver/target/lib/*.jar; do classpath+=:$BASE/lib/$(basename "$j"); done
write_controller() { # FILE EXTRA-JVM-OPTIONS
  cat > "$1" <<CONTROLLER
#!/bin/sh
# virt-lxc-controller: the program libvirtd runs as a domain's <emulator> (in place of libvirt_lxc).
# Written by scripts/install-virt-lxc.sh. exec: the pid libvirtd recorded in /run/libvirt/lxc/NAME.pid is the JVM's.
# JVM options, for start time and memory (one controller per running domain; figures: scripts/bench-start.sh):
#   serial GC and a small heap with a small young generation (the controller keeps about 3 MiB of objects);
#   C1 only, one compiler thread, default compile thresholds: with the start's work cut (no JAXB), compiling its hot
#   code costs about 2 MiB of VmRSS (about 46 MiB in all, under 48) and saves about a fifth of the start;
#   small thread stacks, bounded code cache and metaspace, no perf-data file (/tmp/hsperfdata);
#   class-data sharing: the archive the installer recorded from a training start (ignored if absent);
#   JNA: its dispatch library unpacked by the installer, and no search of the library directories (ldconfig -p).
jsa=$BASE/virt-lxc-controller.jsa
cds=
[ -r "\$jsa" ] && cds="-XX:SharedArchiveFile=\$jsa"
exec java -XX:+UseSerialGC -Xms2m -Xmn512k -Xmx32m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 \\
  -Xss512k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData \$cds $2 \\
  $jna_opts -Djna.platform.library.path= \\
  -Dvirtlxc.init=$BASE/virt-lxc-init -cp '$classpath' org.virtlxc.driver.ControllerMain "\$@"
CONTROLLER
  chmod 755 "$1"
}

# The training: a throw-away busybox domain run by a copy of the launcher that writes the controller's archive when
# its JVM exits, booted, then saved and restored with the virt-lxc command: the boot's controller ends with the save
# and leaves the controller's archive (boot and save); the restore, run with -XX:DumpLoadedClassList, lists the
# command's classes (JVM start, picocli, libvirt connection, logging, the image check, the restore through libvirtd),
# from which a static archive is dumped. Without a working
# save (e.g. no CRIU yet), the domain is destroyed instead and only the controller's archive is recorded.
record_cds_archive() {
  local name work i
  virsh -q -c lxc:/// version >/dev/null 2>&1 || { log "libvirtd does not answer (lxc:///)"; return 1; }
  name=$(basename "$BASE")-cds-training
  work=$(mktemp -d "/tmp/$name.XXXXXX")
  # shellcheck source=lib/busybox-rootfs.sh
  source "$here/scripts/lib/busybox-rootfs.sh"
  make_busybox_rootfs "$work/root" "$name" || return 1
  write_controller "$work/virt-lxc-controller" "-XX:ArchiveClassesAtExit=$work/controller.jsa"
  sed -i 's/^jsa=.*/jsa=/' "$work/virt-lxc-controller"
  cat > "$work/domain.xml" <<DOMAIN
<domain type='lxc'>
  <name>$name</name>
  <memory unit='KiB'>65536</memory>
  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>echo trained; sleep 1000</initarg></os>
  <devices>
    <emulator>$work/virt-lxc-controller</emulator>
    <filesystem type='mount'><source dir='$work/root'/><target dir='/'/></filesystem>
    <console type='pty'/>
  </devices>
</domain>
DOMAIN
  forget_domain "$name"
  local ok=1 saved=1
  if virsh -q -c lxc:/// define "$work/domain.xml" >/dev/null && virsh -q -c lxc:/// start "$name" >/dev/null; then
    sleep 1
    if "$BIN/virt-lxc" save "$name" "$work/training.img" >/dev/null 2>&1; then
      saved=0
    else
      virsh -q -c lxc:/// destroy "$name" >/dev/null || true
    fi
    for i in $(seq 1 100); do [[ -s $work/controller.jsa ]] && break; sleep 0.1; done
    sleep 0.5
    # The archive must map with the installed launcher's class path, or it is of no use.
    if [[ -s $work/controller.jsa ]] && java -Xshare:on -XX:SharedArchiveFile="$work/controller.jsa" -XX:-UsePerfData \
        -cp "$classpath" org.virtlxc.driver.ControllerMain --help >/dev/null 2>&1; then
      mv "$work/controller.jsa" "$BASE/virt-lxc-controller.jsa"
      ok=0
    fi
    rm -f "$work/controller.jsa" # the restore's controller writes one too: not kept
    # A static archive from the restore's class list, not a dynamic one: JDK 17 leaves classes built for Java 5
    # (picocli's) out of dynamic archives, but stores them in static ones.
    if (( saved == 0 )) && VIRT_LXC_JAVA_OPTS="-XX:DumpLoadedClassList=$work/command.classes" \
        "$BIN/virt-lxc" restore "$work/training.img" >/dev/null 2>&1 && [[ -s $work/command.classes ]] \
        && java -Xshare:dump -XX:SharedClassListFile="$work/command.classes" -XX:SharedArchiveFile="$work/command.jsa" \
        -cp "$BASE/lib/*" >/dev/null 2>&1 \
        && java -Xshare:on -XX:SharedArchiveFile="$work/command.jsa" -cp "$BASE/lib/*" org.virtlxc.cli.VirtLxc \
        --version >/dev/null 2>&1; then
      mv "$work/command.jsa" "$BASE/virt-lxc.jsa"
    fi
  fi
  forget_domain "$name"
  rm -rf "$work"
  return $ok
}

# Destroys and undefines a domain, waiting out a libvirtd restart (up to 20 s): nothing of the training is left.
forget_domain() {
  local i
  for i in $(seq 1 10); do
    virsh -q -c lxc:/// destroy "$1" >/dev/null 2>&1 || true
    virsh -q -c lxc:/// undefine "$1" >/dev/null 2>&1 || true
    [[ $(virsh -q -c lxc:/// domstate "$1" 2>&1) == *"failed to get domain"* ]] && return 0
    sleep 2
  done
  log "WARNING: unable to undefine the training domain $1"
}

rm -f "$BASE/virt-lxc-controller.jsa" "$BASE/virt-lxc.jsa" # made for the previous jars
write_controller "$BASE/virt-lxc-controller.new" ""
mv "$BASE/virt-lxc-controller.new" "$BASE/virt-lxc-controller"
log "installed the controller as $BASE/virt-lxc-controller"
mkdir -p "$BIN"
cat > "$BIN/virt-lxc.new" <<LAUNCHER
#!/bin/sh
# virt-lxc: virsh-style save, restore and migration for libvirt LXC domains (installed by install.sh).
# A short-lived command: small heap, serial GC, quick JIT start; but migration moves the whole image through TLS and
# SHA-256, which the quick JIT (C1) runs at a seventh of the optimizing JIT's speed, so it gets the full JIT.
# Class-data sharing: the archive the installer recorded from a training restore (ignored if absent or made for other
# jars, without a word: the JVM's own warnings go to stderr, so that stdout stays the command's).
JIT=-XX:TieredStopAtLevel=1
for a in "\$@"; do case "\$a" in migrate|migration-service) JIT=-XX:TieredStopAtLevel=4 ;; esac; done
jsa=$BASE/virt-lxc.jsa
cds=
[ -r "\$jsa" ] && cds="-XX:SharedArchiveFile=\$jsa"
exec java -XX:+UseSerialGC \$JIT -Xss512k -Xlog:disable -Xlog:all=warning,cds*=off:stderr \$cds \${VIRT_LXC_JAVA_OPTS:-} \\
  -Dvirtlxc.controller=$BASE/virt-lxc-controller -cp '$BASE/lib/*' org.virtlxc.cli.VirtLxc "\$@"
LAUNCHER
chmod 755 "$BIN/virt-lxc.new"
mv "$BIN/virt-lxc.new" "$BIN/virt-lxc"
log "installed $("$BIN/virt-lxc" --version) as $BIN/virt-lxc"
# Twice at most: a libvirtd restart during the training start only costs a second one.
if record_cds_archive || { sleep 2; record_cds_archive; }; then
  log "recorded the controller's class-data sharing archive $BASE/virt-lxc-controller.jsa"
else
  log "no class-data sharing archive: the controller starts without one (slower)"
fi
if [[ -s $BASE/virt-lxc.jsa ]]; then
  log "recorded the command's class-data sharing archive $BASE/virt-lxc.jsa"
else
  log "no class-data sharing archive for the command: it starts without one (slower)"
fi
