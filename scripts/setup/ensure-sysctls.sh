#!/usr/bin/env bash
# Kernel settings virt-lxc needs (idempotent, as root; raises limits, never lowers them).
# fs.pipe-max-size >= 4 MiB: CRIU's lazy page server (post-copy migration, `virt-lxc migrate --postcopy`) sizes a pipe
# to 4 MiB (criu/page-pipe.c pipe_read_dest_init), which the kernel refuses above fs.pipe-max-size (default 1 MiB)
# unless the process has CAP_SYS_RESOURCE; CRIU then fails the first page request ("page-pipe: splice: -1: Bad file
# descriptor").
set -euo pipefail
want=4194304
have=$(cat /proc/sys/fs/pipe-max-size)
if [ "$have" -lt "$want" ]; then
  echo "$want" > /proc/sys/fs/pipe-max-size
  echo "fs.pipe-max-size: $have -> $want (for CRIU's lazy page server: virt-lxc migrate --postcopy)"
fi
# and after a reboot
conf=/etc/sysctl.d/60-virt-lxc.conf
if [ -d /etc/sysctl.d ] && ! grep -qs '^fs.pipe-max-size' "$conf"; then
  printf '%s\n' "# CRIU's lazy page server (virt-lxc migrate --postcopy)" "fs.pipe-max-size = $want" >> "$conf"
fi
