#!/usr/bin/env bash
# bench-start.sh - start latency and controller RSS, virt-lxc's controller against stock libvirt_lxc, in one run.
#
#   scripts/bench-start.sh [-n N] [--controller PATH] [--stock PATH] [--prefix NAME-PREFIX]
#
# Boots and destroys N (default 10) busybox containers under each controller, interleaved, through stock virsh
# against the running libvirtd, and prints per controller: start latency (virsh start until it returns with the
# domain running; median, p90) and the controller's VmRSS one second after the start (median, max).
# --controller defaults to the installed /usr/local/lib/virt-lxc/virt-lxc-controller (e.g. point it at a private
# install: scripts/install-virt-lxc.sh --prefix DIR). Domains are named PREFIX-virt-lxc and PREFIX-libvirt_lxc
# (default prefix vlxct-bench-) and undefined at the end. Not part of `mvn verify`: timings are printed, not asserted.
set -euo pipefail

n=10 controller=/usr/local/lib/virt-lxc/virt-lxc-controller stock=/usr/lib/libvirt/libvirt_lxc prefix=vlxct-bench-
while (( $# )); do
  case $1 in
    -n) n=$2; shift 2 ;;
    --controller) controller=$2; shift 2 ;;
    --stock) stock=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    *) echo "usage: $0 [-n N] [--controller PATH] [--stock PATH] [--prefix NAME-PREFIX]" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "bench-start.sh: must run as root (libvirt's LXC driver)" >&2; exit 1; }
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# The tests module's classes and its class path (reactor jars, not whatever another build installed in ~/.m2).
mvn -B -o -q -pl tests -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -cp "tests/target/test-classes:$(cat tests/target/bench-classpath.txt)" \
  -Dvirtlxc.build.root="$here" org.virtlxc.tests.StartBench -n "$n" --prefix "$prefix" \
  "virt-lxc=$controller" "libvirt_lxc=$stock"
