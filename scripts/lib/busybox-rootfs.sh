# busybox-rootfs.sh - sourced by the scripts that need a tiny container root filesystem.
#
#   make_busybox_rootfs DIR HOSTNAME
#
# Fills DIR with the host's static busybox, a symlink per applet in /bin, the usual empty
# mount points and a minimal /etc (root user and group, hostname). Safe to re-run on the
# same DIR. Needs busybox-static; fails (returns 1, message on stderr) otherwise.

make_busybox_rootfs() {
  local dir=$1 hostname=$2 busybox applet n=0
  busybox=/bin/busybox
  [[ -x $busybox ]] || busybox=$(command -v busybox || true)
  if [[ -z $busybox || ! -x $busybox ]]; then
    echo "busybox not found (package busybox-static)" >&2; return 1
  fi
  if ldd "$busybox" >/dev/null 2>&1; then
    echo "$busybox is dynamically linked; install busybox-static" >&2; return 1
  fi
  mkdir -p "$dir"/{bin,sbin,dev,etc,proc,sys,tmp,root,run,var}
  chmod 1777 "$dir/tmp"
  cp -f "$busybox" "$dir/bin/busybox"
  chmod 755 "$dir/bin/busybox"
  while read -r applet; do
    [[ -n $applet && $applet != busybox ]] || continue
    ln -sfn busybox "$dir/bin/$applet"
    n=$((n + 1))
  done < <("$dir/bin/busybox" --list)
  if (( n == 0 )) || [[ ! -e $dir/bin/sh || ! -e $dir/bin/cat ]]; then
    echo "busybox in $dir offers no /bin/sh or /bin/cat" >&2; return 1
  fi
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
  printf 'root:x:0:\n' >"$dir/etc/group"
  printf '%s\n' "$hostname" >"$dir/etc/hostname"
}
