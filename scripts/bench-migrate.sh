#!/bin/sh
# The migration benchmark (not part of `mvn verify`): builds this tree and runs org.virtlxc.tests.bench.MigrationBench,
# which migrates a container filling N MiB of memory back and forth between two simulated hosts (TwoHosts: own
# network, mount and cgroup namespaces and libvirtd each, on this machine) and prints total time, downtime and bytes
# sent per run, next to the raw baseline (criu dump, the directory over TCP, criu restore) and the ratio. Arguments
# go to it:
#   --memory-mib N[,N...] (default 64,256,1024)  --repeat N (default 2)  --compress
#   --modes stop-and-copy,postcopy (default both)
# Run as root with libvirtd installed; everything is named vlxct-bench6-... and removed at the end.
set -eu
cd "$(dirname "$0")/.."
# and the tests module's test classpath (TwoHosts uses JUnit's assertions)
mvn -B -o -q -pl tests -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$(pwd)/tests/target/bench.classpath"
jar=$(ls virsh-plugin/target/virsh-plugin-*.jar | grep -v -- '-tests\.jar$' | head -n 1)
exec java ${BENCH_JAVA_OPTS:-} -cp "tests/target/test-classes:$jar:virsh-plugin/target/lib/*:$(cat tests/target/bench.classpath)" \
  -Dvirtlxc.build.root="$(pwd)" org.virtlxc.tests.bench.MigrationBench "$@"
