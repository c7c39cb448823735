#!/bin/sh
# The save/restore benchmark (not part of `mvn verify`): builds this tree, installs LXC (Debian's `lxc`, for the
# lxc-checkpoint comparison) if missing, and runs org.virtlxc.tests.bench.SaveRestoreBench, which prints
# virt-lxc save/restore vs raw CRIU vs lxc-checkpoint. Arguments go to it:
#   --memory-mib N (default 1024)  --repeat N (default 3)  --disk-dir DIR (default /var/tmp)  --no-lxc
#   --controller PROGRAM (the domain's <emulator>, e.g. the installed /usr/local/lib/virt-lxc/virt-lxc-controller;
#   default: a launcher of this build's jars)
#   --path command: save and restore with the virt-lxc command itself (a fresh JVM each), as an operator does; this
#   script then installs this build into a private prefix (/tmp/vlxct-bench-install, removed at the end, with both
#   class-data sharing archives) and runs its command and, unless --controller says otherwise, its controller.
#   --path service (default): SaveService in the benchmark's own, warm JVM, then virsh start (no command start).
set -eu
cd "$(dirname "$0")/.."
if ! command -v lxc-checkpoint >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends lxc >/dev/null
fi
mvn -B -o -q -pl tests -am package -DskipTests
jar=$(ls driver/target/driver-*.jar | grep -v -- '-tests\.jar$' | head -n 1)
command_opts=
case " $* " in
  *" --path command "*)
    prefix=/tmp/vlxct-bench-install
    trap 'rm -rf "$prefix"' EXIT
    scripts/install-virt-lxc.sh --prefix "$prefix" >&2
    command_opts=-Dvirtlxc.bench.command=$prefix/bin/virt-lxc
    case " $* " in *" --controller "*) ;; *) set -- "$@" --controller "$prefix/virt-lxc-controller" ;; esac
    ;;
esac
java ${BENCH_JAVA_OPTS:-} $command_opts -cp "tests/target/test-classes:$jar:driver/target/lib/*" \
  -Dvirtlxc.build.root="$(pwd)" org.virtlxc.tests.bench.SaveRestoreBench "$@"
