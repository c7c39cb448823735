#!/usr/bin/env bash
# ensure-libvirtd.sh - make sure a libvirtd with a working LXC driver answers on
# lxc:///, as root, on a host without systemd.
#
# If `virsh -c lxc:/// uri` answers, libvirtd is left as it is. Otherwise it is
# started with `libvirtd -d`; on a hybrid cgroup host (v1 controllers plus a
# cgroup2 mount at /sys/fs/cgroup/unified) it is started in a private mount
# namespace where that cgroup2 mount is unmounted, because stock libvirt_lxc
# cannot boot containers when it sees it (virCgroupV2BindMount fails).
# libvirtd logs to /var/log/libvirt/libvirtd.log (unless libvirtd.conf says
# otherwise). The LXC driver does not use virtlogd, so it is not started.
#
# Then it checks that the LXC driver is loaded (capabilities offer exe/lxc) and
# that it really boots a container: a tiny busybox domain `vlxct-probe-<pid>`
# with emulator /usr/lib/libvirt/libvirt_lxc is defined, started, listed,
# entered, destroyed and undefined again, and its directory
# /var/lib/virt-lxc/vlxct-probe-<pid> removed (plus the mount-point dirs and
# socket libvirt_lxc leaves in /run/libvirt/lxc). Probes left by an interrupted
# run are removed first.
#
# Finally libvirt's "default" network is defined (from libvirt's shipped XML),
# marked autostart and started (ensure-default-network.sh).
set -euo pipefail
# shellcheck source=../lib/busybox-rootfs.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib/busybox-rootfs.sh"

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

URI=lxc:///
LOG=/var/log/libvirt/libvirtd.log
PIDFILE=/run/libvirtd.pid
UNIFIED=/sys/fs/cgroup/unified
LXC_EMULATOR=/usr/lib/libvirt/libvirt_lxc
PROBE=vlxct-probe-$$          # unique: concurrent runs must not collide
START_TIMEOUT=${VIRT_LXC_LIBVIRTD_TIMEOUT:-30}

for c in libvirtd virsh unshare timeout; do
  command -v "$c" >/dev/null || die "$c not found (run scripts/setup/install-packages.sh)"
done
[[ -x $LXC_EMULATOR ]] || die "$LXC_EMULATOR missing (package libvirt-daemon-driver-lxc)"

virsh_() { timeout 20 virsh -q -c "$URI" "$@"; }
answers() { timeout 10 virsh -c "$URI" uri >/dev/null 2>&1; }

libvirtd_pid() {  # pid of the running libvirtd, if any
  local p
  if [[ -r $PIDFILE ]]; then
    p=$(<"$PIDFILE")
    [[ $p =~ ^[0-9]+$ && -d /proc/$p && $(cat "/proc/$p/comm" 2>/dev/null) == libvirtd ]] && { echo "$p"; return 0; }
  fi
  return 1
}

# True when this host has the hybrid layout's controller-less cgroup2 mount.
hybrid_unified() {
  awk -v m="$UNIFIED" '$5 == m { for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup2") f = 1 } END { exit !f }' \
    /proc/self/mountinfo
}

show_log_tail() {
  if [[ -f $LOG ]]; then
    echo "---- last lines of $LOG ----" >&2
    tail -n 25 "$LOG" >&2
    echo "----" >&2
  else
    echo "(no $LOG)" >&2
  fi
}

# --- 1. libvirtd running and answering? ---------------------------------------------

if answers; then
  log "libvirtd already answers on $URI"
  if p=$(libvirtd_pid) && hybrid_unified && grep -q " $UNIFIED " "/proc/$p/mountinfo" 2>/dev/null; then
    log "WARNING: the running libvirtd (pid $p) sees $UNIFIED; stock libvirt_lxc will fail to boot containers"
    log "WARNING: stop it and re-run this script so that it is restarted in a private mount namespace"
  fi
else
  if p=$(libvirtd_pid); then
    log "libvirtd (pid $p) is running but does not answer yet; waiting up to ${START_TIMEOUT}s"
  else
    mkdir -p "$(dirname "$LOG")"
    # Log to a file unless the administrator configured outputs in libvirtd.conf
    # (the variable is given to libvirtd only: virsh would log there too).
    logenv=()
    if ! grep -qsE '^[[:space:]]*log_outputs[[:space:]]*=' /etc/libvirt/libvirtd.conf; then
      logenv=("LIBVIRT_LOG_OUTPUTS=3:file:$LOG")
    fi
    getent passwd libvirt-qemu >/dev/null \
      || log "WARNING: no user libvirt-qemu: libvirtd's QEMU driver will abort start-up (run install-packages.sh)"
    if hybrid_unified; then
      log "hybrid cgroups: starting libvirtd -d in a private mount namespace without $UNIFIED"
      env "${logenv[@]}" unshare --mount --propagation private sh -c "umount $UNIFIED && exec libvirtd -d" \
        || { show_log_tail; die "could not start libvirtd"; }
    else
      log "starting libvirtd -d"
      env "${logenv[@]}" libvirtd -d || { show_log_tail; die "could not start libvirtd"; }
    fi
  fi
  deadline=$((SECONDS + START_TIMEOUT))
  until answers; do
    if ! libvirtd_pid >/dev/null && (( SECONDS >= deadline - START_TIMEOUT + 3 )); then
      show_log_tail
      die "libvirtd exited during start-up"
    fi
    if (( SECONDS >= deadline )); then
      show_log_tail
      die "libvirtd does not answer on $URI after ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "libvirtd answers on $URI (pid $(libvirtd_pid || echo '?'))"
fi

# --- 2. LXC driver loaded? ------------------------------------------------------------

caps=$(virsh_ capabilities) || die "virsh -c $URI capabilities failed"
if ! grep -q '<os_type>exe</os_type>' <<<"$caps" || ! grep -q "<domain type='lxc'" <<<"$caps"; then
  echo "$caps" >&2
  die "libvirtd's LXC driver is not loaded (no exe/lxc guest in capabilities)"
fi
log "LXC driver loaded: capabilities offer an exe guest of domain type lxc"

# --- 3. Boot a tiny busybox container through stock libvirt_lxc. ------------------

PROBE_DIR=/var/lib/virt-lxc/$PROBE
remove_domain() {  # $1 = probe domain name
  local n=$1 d
  virsh -q -c "$URI" destroy "$n" >/dev/null 2>&1 || true
  virsh -q -c "$URI" undefine "$n" >/dev/null 2>&1 || true
  rm -rf "/var/lib/virt-lxc/$n"
  # libvirt_lxc leaves its (empty) mount-point dirs and monitor socket behind.
  if ! virsh -q -c "$URI" dominfo "$n" >/dev/null 2>&1; then
    for d in dev devpts fuse; do rmdir "/run/libvirt/lxc/$n.$d" 2>/dev/null || true; done
    rm -f "/run/libvirt/lxc/$n.sock"
    # and, in some hierarchies, its machine cgroup (empty once libvirtd killed its tasks: retry briefly)
    local try cg left
    for try in 1 2 3 4 5; do
      left=0
      for cg in /sys/fs/cgroup/*/machine/lxc-*-"$n".libvirt-lxc /sys/fs/cgroup/machine/lxc-*-"$n".libvirt-lxc; do
        [[ -d $cg ]] || continue
        rmdir "$cg" 2>/dev/null || left=1
      done
      [[ $left == 0 ]] && break
      sleep 1
    done
  fi
}
remove_probe() { remove_domain "$PROBE"; }
probe_failed() {
  local lxclog=/var/log/libvirt/lxc/$PROBE.log
  if [[ -f $lxclog ]]; then
    echo "---- last lines of $lxclog ----" >&2
    tail -n 20 "$lxclog" >&2
    echo "----" >&2
  fi
  show_log_tail
  remove_probe
  die "$*"
}
# Leftovers of interrupted runs: probes whose script is gone.
while read -r n; do
  [[ $n =~ ^vlxct-probe-([0-9]+)$ ]] || continue
  kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
  log "removing the leftover probe domain $n"
  remove_domain "$n"
done < <(virsh_ list --all --name 2>/dev/null || true)
trap remove_probe EXIT

make_busybox_rootfs "$PROBE_DIR/rootfs" "$PROBE" || probe_failed "could not build the probe's rootfs"
cat >"$PROBE_DIR/domain.xml" <<EOF
<domain type='lxc'>
  <name>$PROBE</name>
  <memory unit='MiB'>32</memory>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c</initarg>
    <initarg>echo vlxct-probe up; while :; do sleep 1; done</initarg>
  </os>
  <devices>
    <emulator>$LXC_EMULATOR</emulator>
    <filesystem type='mount'>
      <source dir='$PROBE_DIR/rootfs'/>
      <target dir='/'/>
    </filesystem>
    <console type='pty'/>
  </devices>
</domain>
EOF

log "probe: defining and starting $PROBE (emulator $LXC_EMULATOR)"
virsh_ define "$PROBE_DIR/domain.xml" >/dev/null || probe_failed "could not define $PROBE"
virsh_ start "$PROBE" >/dev/null || probe_failed "could not start $PROBE"
sleep 1
state=$(virsh_ domstate "$PROBE" 2>/dev/null || true)
[[ $state == running ]] || probe_failed "$PROBE is '$state' after start, expected running"
virsh_ list | grep -qw "$PROBE" || probe_failed "$PROBE missing from 'virsh list'"
out=$(virsh_ lxc-enter-namespace "$PROBE" --noseclabel /bin/sh -c 'echo pid1=$(cat /proc/1/comm)' 2>&1) \
  || probe_failed "lxc-enter-namespace into $PROBE failed: $out"
[[ $out == *pid1=sh* ]] || probe_failed "unexpected answer from inside $PROBE: $out"
log "probe: $PROBE running, listed, and its init is pid 1 inside ($out)"

virsh_ destroy "$PROBE" >/dev/null || probe_failed "could not destroy $PROBE"
virsh_ undefine "$PROBE" >/dev/null || probe_failed "could not undefine $PROBE"
trap - EXIT
remove_probe
rm -f "/var/log/libvirt/lxc/$PROBE.log"
rmdir /var/lib/virt-lxc 2>/dev/null || true
log "probe: $PROBE destroyed, undefined and removed; libvirtd + LXC driver OK"

# --- 4. libvirt's default network, as a normal host has it. ------------------------
"$(dirname "${BASH_SOURCE[0]}")/ensure-default-network.sh"
