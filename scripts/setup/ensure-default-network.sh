#!/usr/bin/env bash
# ensure-default-network.sh - make sure libvirt's stock "default" network (NAT,
# 192.168.122.0/24 on virbr0) is defined, marked autostart and active, as
# libvirt-daemon-system's packaging arranges on a normal host. Run as root with
# libvirtd answering (ensure-libvirtd.sh calls it).
#
# If the network is not defined, it is defined from the XML libvirt ships
# (/usr/share/libvirt/networks/default.xml, package libvirt-daemon-config-network).
# An existing definition is never changed. Idempotent.
set -euo pipefail

log() { echo "virt-lxc setup: $*"; }
die() { echo "virt-lxc setup: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"
URI=lxc:///   # networks are served by the same libvirtd, whatever the driver URI
NET=default
STOCK_XML=/usr/share/libvirt/networks/default.xml

virsh_() { timeout 30 virsh -q -c "$URI" "$@"; }

if ! virsh_ net-info "$NET" >/dev/null 2>&1; then
  [[ -r $STOCK_XML ]] || die "network '$NET' is not defined and $STOCK_XML is missing (package libvirt-daemon-config-network)"
  virsh_ net-define "$STOCK_XML" >/dev/null || die "could not define network '$NET' from $STOCK_XML"
  log "defined libvirt's network '$NET' from $STOCK_XML"
fi

info=$(virsh_ net-info "$NET") || die "virsh net-info $NET failed"
if ! grep -Eq '^Autostart:[[:space:]]+yes' <<<"$info"; then
  virsh_ net-autostart "$NET" >/dev/null || die "could not mark network '$NET' autostart"
  log "network '$NET' marked autostart"
fi
if ! grep -Eq '^Active:[[:space:]]+yes' <<<"$info"; then
  out=$(virsh_ net-start "$NET" 2>&1) || die "could not start network '$NET': $out"
  log "network '$NET' started"
fi
bridge=$(virsh_ net-info "$NET" | awk '/^Bridge:/ {print $2}')
log "libvirt's network '$NET' is active on bridge ${bridge:-?}"
