#!/usr/bin/env bash
# install-packages.sh - install the Debian 12 packages virt-lxc needs, as root.
#
#   libvirt daemon + LXC driver + virsh, the default network's helpers,
#   busybox-static (demo/test rootfs), JDK 17 + Maven (unless already present),
#   zstd, gcc + libc6-dev (native helper).
#
# Idempotent: packages already installed are skipped; `apt-get update` runs only
# when a missing package has no install candidate or the install fails on stale
# indexes. Works without systemd: if no /usr/sbin/policy-rc.d exists and pid 1 is
# not systemd, a temporary one (exit 101) stops postinst scripts from starting
# services; it is removed again on exit. An existing policy-rc.d is left alone.
# Also creates the libvirt-qemu user and the libvirt, kvm, libvirt-qemu groups
# that libvirtd needs (see ensure_libvirt_users below).
set -euo pipefail

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"
command -v apt-get >/dev/null || die "apt-get not found (Debian 12 expected)"

export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg (e.g. a boot-time apt-get update) instead of failing.
APT_LOCK=(-o DPkg::Lock::Timeout=300)

# The package list. Debian 12 (bookworm) names.
PKGS=(
  libvirt-daemon                 # libvirtd (+ network/storage/nwfilter drivers)
  libvirt-daemon-driver-lxc      # lxc:/// driver and /usr/lib/libvirt/libvirt_lxc
  libvirt-daemon-config-network  # the "default" NAT network definition
  libvirt-clients                # virsh
  dnsmasq-base                   # DHCP/DNS for libvirt networks
  iptables                       # NAT rules for the default network; CRIU locks TCP connections with it
  iproute2                       # ip(8): libvirt's veths/bridges, virt-lxc's controller sets up container NICs
  iputils-ping                   # ping(8), used by the networking integration tests
  util-linux                     # unshare(1) for ensure-libvirtd.sh and the controller's restore netns
  busybox-static                 # demo and test root filesystems
  zstd                           # save-image compression
  gcc                            # native launch helper
  libc6-dev
  ca-certificates                # Maven Central over https
  openssl                        # the migration tests make a throwaway CA and certificates with it
)

# JDK 17 and Maven only if the machine doesn't already provide them.
java_ok() {
  command -v javac >/dev/null 2>&1 || return 1
  local v
  v=$(javac -version 2>&1 | awk '{print $2}')
  [[ ${v%%.*} =~ ^[0-9]+$ ]] && (( ${v%%.*} >= 17 ))
}
java_ok || PKGS+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || PKGS+=(maven)

is_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

missing=()
for p in "${PKGS[@]}"; do
  is_installed "$p" || missing+=("$p")
done

# libvirtd loads the QEMU driver (libvirt-daemon depends on it) and exits at
# start-up when its user `libvirt-qemu` does not exist ("Failed to parse user
# 'libvirt-qemu'"). That user and the libvirt/kvm groups are normally created by
# libvirt-daemon-system, which we do not install (it pulls systemd, polkitd and
# init scripts that would start libvirtd outside our mount namespace). Create
# them the way its postinst does (uid/gid 64055 when free).
ensure_libvirt_users() {
  local g
  for g in libvirt kvm; do
    getent group "$g" >/dev/null || { groupadd --system "$g"; log "created group $g"; }
  done
  if ! getent passwd libvirt-qemu >/dev/null; then
    local uidopt=()
    getent passwd 64055 >/dev/null || uidopt=(--uid 64055)
    useradd --system "${uidopt[@]}" --gid kvm --home-dir /var/lib/libvirt --no-create-home \
      --shell /usr/sbin/nologin --comment "Libvirt Qemu" libvirt-qemu 2> >(grep -v SYS_UID_MAX >&2 || true)
    log "created user libvirt-qemu"
  fi
  if ! getent group libvirt-qemu >/dev/null; then
    local gidopt=()
    getent group 64055 >/dev/null || gidopt=(--gid 64055)
    groupadd --system "${gidopt[@]}" libvirt-qemu
    log "created group libvirt-qemu"
  fi
  id -nG libvirt-qemu | tr ' ' '\n' | grep -qx libvirt-qemu || usermod -a -G libvirt-qemu libvirt-qemu
}

if (( ${#missing[@]} == 0 )); then
  ensure_libvirt_users
  log "all ${#PKGS[@]} packages already installed, nothing to do"
  exit 0
fi
log "missing packages: ${missing[*]}"

# Temporary policy-rc.d so postinst scripts never try to start daemons on a host
# without systemd (no-op when one exists already or systemd is pid 1).
POLICY=/usr/sbin/policy-rc.d
POLICY_MARK="# virt-lxc temporary policy-rc.d"
cleanup_policy() {
  if [[ -f $POLICY ]] && grep -qF "$POLICY_MARK" "$POLICY"; then
    rm -f "$POLICY"
  fi
}
if [[ ! -e $POLICY && $(cat /proc/1/comm 2>/dev/null || true) != systemd ]]; then
  trap cleanup_policy EXIT
  printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" >"$POLICY"
  chmod 755 "$POLICY"
  log "installed temporary $POLICY (no systemd here)"
fi

needs_update() {
  # No indexes at all, or some missing package has no candidate.
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || return 0
  local p cand
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [[ -n $cand && $cand != "(none)" ]] || return 0
  done
  return 1
}

updated=0
if needs_update; then
  log "apt-get update (indexes missing or stale)"
  apt-get "${APT_LOCK[@]}" update
  updated=1
fi

apt_install() {
  apt-get "${APT_LOCK[@]}" install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
}

log "apt-get install ${missing[*]}"
if ! apt_install; then
  (( updated )) && die "apt-get install failed"
  log "install failed; refreshing indexes with apt-get update and retrying"
  apt-get "${APT_LOCK[@]}" update
  apt_install || die "apt-get install failed after apt-get update"
fi

# Verify.
still=()
for p in "${PKGS[@]}"; do
  is_installed "$p" || still+=("$p")
done
(( ${#still[@]} == 0 )) || die "not installed after apt-get: ${still[*]}"
for f in /usr/sbin/libvirtd /usr/lib/libvirt/libvirt_lxc /usr/bin/virsh /bin/busybox; do
  [[ -x $f ]] || die "$f missing after install"
done
ensure_libvirt_users
log "packages installed: ${PKGS[*]}"
