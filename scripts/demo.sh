#!/usr/bin/env bash
# demo.sh - virt-lxc's built-in demo, as root: boots a tiny busybox container
# `virt-lxc-demo` through libvirtd's LXC driver and shows it running.
#
#   * builds a busybox rootfs under /var/lib/virt-lxc/demo/rootfs (from the host's
#     static /bin/busybox, applet symlinks, minimal /etc);
#   * writes the domain XML to /var/lib/virt-lxc/demo/virt-lxc-demo.xml: type lxc,
#     64 MiB, init /bin/sh running a counter loop that writes /tmp/counter and the
#     console, root filesystem mounted from the rootfs dir, console pty, emulator
#     /usr/lib/libvirt/libvirt_lxc or $VIRT_LXC_EMULATOR;
#   * checks it with `virt-lxc domxml-check` when that command is installed;
#   * (re)defines and starts the domain (destroying a running one first), then
#     shows `virsh list`, `dominfo` and the counter advancing inside it;
#   * under virt-lxc's controller, saves it to $DIR/virt-lxc-demo.save with
#     `virt-lxc save` and restores it with `virt-lxc restore`: the counter continues.
# The domain is left running; stop it with: virsh -c lxc:/// destroy virt-lxc-demo
# Needs libvirtd (started with scripts/setup/ensure-libvirtd.sh when it doesn't answer).
set -euo pipefail

log() { echo "virt-lxc demo: $*"; }
die() { echo "virt-lxc demo: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

URI=lxc:///
NAME=virt-lxc-demo
DIR=/var/lib/virt-lxc/demo
ROOTFS=$DIR/rootfs
XML=$DIR/$NAME.xml
# virt-lxc's own controller once install.sh has installed it; stock libvirt_lxc otherwise.
DEFAULT_EMULATOR=/usr/local/lib/virt-lxc/virt-lxc-controller
[[ -x $DEFAULT_EMULATOR ]] || DEFAULT_EMULATOR=/usr/lib/libvirt/libvirt_lxc
EMULATOR=${VIRT_LXC_EMULATOR:-$DEFAULT_EMULATOR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/busybox-rootfs.sh
. "$HERE/lib/busybox-rootfs.sh"

virsh_() { timeout 30 virsh -q -c "$URI" "$@"; }

show_logs() {
  local f=/var/log/libvirt/lxc/$NAME.log
  if [[ -f $f ]]; then
    echo "---- last lines of $f ----" >&2
    tail -n 20 "$f" >&2
    echo "----" >&2
  fi
}

# --- prerequisites -------------------------------------------------------------

command -v virsh >/dev/null || die "virsh not found (run scripts/setup/install-packages.sh)"
[[ -x $EMULATOR ]] || die "emulator $EMULATOR is not an executable file (VIRT_LXC_EMULATOR=${VIRT_LXC_EMULATOR:-unset})"

if ! timeout 10 virsh -c "$URI" uri >/dev/null 2>&1; then
  log "libvirtd does not answer on $URI; running scripts/setup/ensure-libvirtd.sh"
  [[ -x $HERE/setup/ensure-libvirtd.sh ]] || die "libvirtd is not running and $HERE/setup/ensure-libvirtd.sh is missing"
  "$HERE/setup/ensure-libvirtd.sh" || die "could not get libvirtd running"
fi

# --- stop a previous demo ----------------------------------------------------------

state=$(virsh_ domstate "$NAME" 2>/dev/null || true)
if [[ -n $state && $state != "shut off" ]]; then
  log "destroying the running $NAME (state: $state)"
  virsh_ destroy "$NAME" >/dev/null || die "could not destroy the running $NAME"
fi

# --- root filesystem -----------------------------------------------------------------

log "building the busybox rootfs in $ROOTFS"
make_busybox_rootfs "$ROOTFS" "$NAME" || die "could not build the rootfs in $ROOTFS"
rm -f "$ROOTFS/tmp/counter"

# --- domain XML ------------------------------------------------------------------------
# The init loop writes the counter to /tmp/counter, then to the console. Nobody
# reads the console unless `virsh console` is attached, and libvirt_lxc stops
# relaying once about 40 KB are buffered: a plain `echo` would then block init
# forever (after ~25 min). So the console write runs under `timeout 1` (killed
# when blocked; the counter goes on, ~2 s a tick) and init's stderr goes to
# /dev/null (ash reports the killed echo on stderr, which would block pid 1).

# Keep the UUID of an already defined demo domain: redefining a name without it
# fails ("already exists with uuid ...").
UUID=$(virsh_ domuuid "$NAME" 2>/dev/null | tr -d '[:space:]' || true)
log "writing $XML (emulator $EMULATOR)"
cat >"$XML.tmp" <<EOF
<domain type='lxc'>
  <name>$NAME</name>
${UUID:+  <uuid>$UUID</uuid>
}  <memory unit='MiB'>64</memory>
  <currentMemory unit='MiB'>64</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type>exe</type>
    <init>/bin/sh</init>
    <initarg>-c</initarg>
    <initarg>exec 2&gt;/dev/null; i=0; while :; do i=\$((i+1)); echo \$i &gt;/tmp/counter; timeout 1 echo "virt-lxc-demo counter \$i"; sleep 1; done</initarg>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$EMULATOR</emulator>
    <filesystem type='mount'>
      <source dir='$ROOTFS'/>
      <target dir='/'/>
    </filesystem>
    <console type='pty'/>
  </devices>
</domain>
EOF
mv -f "$XML.tmp" "$XML"

if command -v virt-lxc >/dev/null 2>&1; then
  log "checking the XML with virt-lxc domxml-check"
  virt-lxc domxml-check "$XML" || die "virt-lxc domxml-check rejected $XML"
fi

# --- define, start, show -------------------------------------------------------------------

log "defining $NAME"
virsh_ define "$XML" >/dev/null || die "virsh define $XML failed"
log "starting $NAME"
if ! virsh_ start "$NAME" >/dev/null; then
  show_logs
  die "virsh start $NAME failed"
fi

read_counter() {
  virsh_ lxc-enter-namespace "$NAME" --noseclabel /bin/cat /tmp/counter 2>/dev/null | tr -d '[:space:]'
}

# Wait (bounded) for the counter to appear.
c1=""
for _ in $(seq 1 20); do
  c1=$(read_counter || true)
  [[ $c1 =~ ^[0-9]+$ ]] && break
  state=$(virsh_ domstate "$NAME" 2>/dev/null || true)
  [[ $state == running ]] || { show_logs; die "$NAME is '$state' instead of running"; }
  sleep 0.5
done
[[ $c1 =~ ^[0-9]+$ ]] || { show_logs; die "no counter in $NAME's /tmp/counter after 10s"; }

echo
echo "\$ virsh -c $URI list"
virsh -c "$URI" list || die "virsh list failed"
echo "\$ virsh -c $URI dominfo $NAME"
virsh -c "$URI" dominfo "$NAME" || die "virsh dominfo failed"

echo "\$ virsh -c $URI lxc-enter-namespace $NAME --noseclabel /bin/cat /tmp/counter"
echo "$c1"
sleep 3
c2=$(read_counter || true)
echo "\$ virsh -c $URI lxc-enter-namespace $NAME --noseclabel /bin/cat /tmp/counter   (3 s later)"
echo "$c2"
[[ $c2 =~ ^[0-9]+$ ]] || { show_logs; die "could not read the counter again"; }
(( c2 > c1 )) || { show_logs; die "the counter did not advance ($c1 -> $c2)"; }
echo

log "$NAME is running and its counter advances ($c1 -> $c2)"

# --- save and restore (virt-lxc's controller only) ---------------------------------------
# virt-lxc save: CRIU dumps the container's processes into one image file, libvirt shows the
# domain shut off; virt-lxc restore: libvirtd starts it again and the controller has CRIU
# rebuild the processes, so the counter (a shell variable in init's memory) goes on.
if [[ $EMULATOR == /usr/local/lib/virt-lxc/virt-lxc-controller ]] && command -v virt-lxc >/dev/null 2>&1; then
  SAVE=$DIR/$NAME.save
  rm -f "$SAVE"
  echo "\$ virt-lxc save $NAME $SAVE"
  virt-lxc -c "$URI" save "$NAME" "$SAVE" || { show_logs; die "virt-lxc save $NAME failed"; }
  echo "\$ virsh -c $URI domstate $NAME"
  virsh_ domstate "$NAME" || die "virsh domstate failed"
  saved=$(tr -d '[:space:]' <"$ROOTFS/tmp/counter")
  ls -l "$SAVE"
  sleep 2
  echo "\$ virt-lxc restore $SAVE"
  virt-lxc -c "$URI" restore "$SAVE" || { show_logs; die "virt-lxc restore $SAVE failed"; }
  sleep 2
  c3=$(read_counter || true)
  echo "\$ virsh -c $URI lxc-enter-namespace $NAME --noseclabel /bin/cat /tmp/counter   (after the restore)"
  echo "$c3"
  [[ $c3 =~ ^[0-9]+$ ]] || { show_logs; die "could not read the counter after the restore"; }
  (( c3 >= saved )) || die "the counter did not continue after the restore ($saved when saved -> $c3)"
  log "saved at counter $saved, restored: it continues ($c3), it did not start again at 1"
fi
log "console:  virsh -c $URI console $NAME   (leave with Ctrl-])"
log "stop it:  virsh -c $URI destroy $NAME"
log "remove:   virsh -c $URI undefine $NAME; rm -rf $DIR"
