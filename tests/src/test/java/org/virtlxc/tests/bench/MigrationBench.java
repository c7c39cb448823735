package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.virtlxc.tests.MigrationPki;
import org.virtlxc.tests.MigrationServices;
import org.virtlxc.tests.SimulatedHost;
import org.virtlxc.tests.TwoHosts;

/**
 * Not a test: the migration benchmark (issue 6's figures). On two simulated hosts ({@link TwoHosts}) with
 * {@code virt-lxc migration-service} on each, migrates a container whose init fills N MiB of anonymous memory
 * ({@code memtouch.c}) back and forth {@code --repeat} times for each {@code --memory-mib} size (default 64,256,1024)
 * and prints per run: total time (the {@code virt-lxc migrate} command, JVM start included), downtime (the longest gap
 * in the wall-clock heartbeat the container appends every 10 ms, {@code heartbeat.c}: from the freeze to the processes
 * running on the destination) and bytes sent (the image, from the source's completed job), for each of
 * {@code --modes} (default {@code stop-and-copy,postcopy}: with {@code --postcopy} the domain resumes on the
 * destination before its memory, which follows; the total then includes that transfer); next to each run, the raw
 * baseline ({@link RawMigration}: {@code criu dump} of the same memtouch tree, the directory sent over TCP to the other
 * host, {@code criu restore} there) and the ratio of virt-lxc's total to it (issue target for stop-and-copy: 1.2 at
 * most). Run it with
 * {@code scripts/bench-migrate.sh}. Everything is named {@code vlxct-bench6-…} and removed at the end.
 */
public final class MigrationBench {
  private static final String HEARTBEAT = "exec /heartbeat /tmp/hb";
  private static final Path CRIU = Path.of("/usr/local/lib/virt-lxc/bin/criu");
  private static final double TARGET = 1.2;

  private MigrationBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(64, 256, 1024);
    int repeat = 2;
    boolean compress = false;
    List<String> modes = List.of("stop-and-copy", "postcopy");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--memory-mib" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--compress" -> compress = true;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "' (expected --memory-mib N[,N...], --repeat N, --compress, --modes stop-and-copy,postcopy)");
      }
    }
    Path buildRoot = Path.of(System.getProperty("virtlxc.build.root", ".")).toAbsolutePath().normalize();
    List<String> rows = new ArrayList<>();
    List<String> ratios = new ArrayList<>();
    Cleanup cleanup = new Cleanup();
    try (TwoHosts hosts = TwoHosts.start("vlxct-bench6-")) {
      Path pki = MigrationPki.create(hosts.shared().resolve("pki"), List.of(hosts.a().address(),
          hosts.b().address()));
      try (MigrationServices services = MigrationServices.start(hosts, pki)) {
        Path memtouch = hosts.shared().resolve("memtouch");
        Host.runOk(List.of("gcc", "-O2", "-static", "-o", memtouch.toString(),
            buildRoot.resolve("tests/src/test/bench/memtouch.c").toString()), Map.of(),
            hosts.shared().resolve("gcc.log"));
        Host.runOk(List.of("gcc", "-O2", "-static", "-o", hosts.shared().resolve("heartbeat").toString(),
            buildRoot.resolve("tests/src/test/bench/heartbeat.c").toString()), Map.of(),
            hosts.shared().resolve("gcc.log"));
        for (int mib : sizes) {
          RawMigration raw = new RawMigration(new RawCriu(CRIU, memtouch, mib, hosts.shared(), cleanup),
              hosts.shared());
          for (String mode : modes) {
            rows.addAll(measure(hosts, pki, memtouch, mib, repeat, compress, mode.equals("postcopy"), raw, ratios));
          }
        }
      } finally {
        cleanup.runAll();
      }
    }
    System.out.printf(Locale.ROOT, "%nMigration (%s, %s) between two simulated hosts on one machine:%n",
        String.join(" and ", modes), compress ? "zstd" : "no compression");
    RawMigration.describe().forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%8s %6s %10s %10s %12s %10s %8s %14s%n", "MiB", "run", "total s", "downtime s",
        "sent MiB", "raw s", "ratio", "mode");
    rows.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%ntarget: stop-and-copy total <= %.1fx raw dump+transfer+restore%n", TARGET);
    ratios.forEach(System.out::println);
  }

  private static List<String> measure(TwoHosts hosts, Path pki, Path memtouch, int mib, int repeat,
      boolean compress, boolean postcopy, RawMigration raw, List<String> ratios) throws Exception {
    String name = hosts.id() + "-m" + mib + (postcopy ? "p" : "");
    Path root = rootfs(hosts.shared().resolve(name), memtouch);
    Path xml = hosts.shared().resolve(name + ".xml");
    Files.writeString(xml, "<domain type='lxc'><name>" + name + "</name><uuid>" + UUID.randomUUID() + "</uuid>"
        + "<memory unit='MiB'>" + (mib + 256) + "</memory><os><type>exe</type><init>/bin/sh</init>"
        + "<initarg>-c</initarg><initarg>/memtouch " + mib + " &gt; /tmp/ready &amp; " + HEARTBEAT + "</initarg></os>"
        + "<devices><emulator>" + hosts.controller() + "</emulator><filesystem type='mount'><source dir='" + root
        + "'/><target dir='/'/></filesystem><console type='pty'/></devices></domain>");
    SimulatedHost from = hosts.a();
    SimulatedHost to = hosts.b();
    from.virsh("define", xml.toString()).ok();
    from.virsh("start", name).ok();
    List<String> rows = new ArrayList<>();
    try {
      for (int i = 0; i < 600 && !(Files.exists(root.resolve("tmp/ready"))
          && Files.readString(root.resolve("tmp/ready")).contains("ready")); i++) {
        Thread.sleep(100);
      }
      for (int run = 1; run <= repeat; run++) {
        int beatsBefore = Files.readAllLines(root.resolve("tmp/hb")).size();
        List<String> cmd = new ArrayList<>(List.of("migrate", name, "lxc+tcp://" + to.address() + "/system",
            "--pki", pki.toString()));
        if (compress) {
          cmd.add("--compress");
        }
        if (postcopy) {
          cmd.add("--postcopy");
        }
        String up0 = now();
        long t0 = System.nanoTime();
        JobPhases phases = new JobPhases(Map.of(from.name().substring(from.name().length() - 1),
            from.hostPath("/run/virt-lxc/jobs/" + name + ".job"), to.name().substring(to.name().length() - 1),
            to.hostPath("/run/virt-lxc/jobs/" + name + ".job")));
        try {
          from.virtLxc(cmd.toArray(String[]::new)).ok();
        } finally {
          phases.close();
        }
        double total = (System.nanoTime() - t0) / 1e9;
        String up1 = now();
        // until the heartbeat runs on the destination (a beat after the command returned), 60 s at most
        for (int i = 0; i < 600 && !beatAfter(root.resolve("tmp/hb"), Double.parseDouble(up1)); i++) {
          Thread.sleep(100);
        }
        String resumed = now();
        double downtime = longestGap(Files.readAllLines(root.resolve("tmp/hb")), beatsBefore);
        String job = from.virtLxc("domjobinfo", name, "--completed").ok().out();
        long sent = dataTotal(job);
        if (System.getenv("BENCH_DEBUG") != null) {
          List<String> hb = Files.readAllLines(root.resolve("tmp/hb"));
          System.out.println("time at start " + up0 + ", at end " + up1 + ", beating again " + resumed + "; beats " + beatsBefore + " .. "
              + hb.size() + ": first " + hb.get(beatsBefore) + ", last " + hb.get(hb.size() - 1));
          for (int k = beatsBefore + 1; k < hb.size(); k++) {
            try {
              double g = Double.parseDouble(hb.get(k).split(" ")[0]) - Double.parseDouble(hb.get(k - 1).split(" ")[0]);
              if (g > 0.1) {
                System.out.println("gap " + g + " from " + hb.get(k - 1) + " to " + hb.get(k));
              }
            } catch (NumberFormatException e) {
              System.out.println("bad line " + hb.get(k));
            }
          }
        }
        RawMigration.Timing r = raw.run(from, to);
        double rawTotal = r.totalNanos() / 1e9;
        String direction = from.name().substring(from.name().length() - 1) + ">" + to.name().substring(
            to.name().length() - 1);
        String mode = postcopy ? "postcopy" : "stop-and-copy";
        rows.add(String.format(Locale.ROOT, "%8d %6s %10.2f %10.2f %12.1f %10.2f %7.2fx %14s", mib,
            run + " " + direction, total, downtime, sent / 1048576.0, rawTotal, total / rawTotal, mode));
        if (!postcopy) {
          ratios.add(String.format(Locale.ROOT, "%8d MiB run %d %s: %.2fx %s", mib, run, direction,
              total / rawTotal, total / rawTotal <= TARGET ? "ok" : "MISSED"));
        }
        System.out.println(rows.get(rows.size() - 1));
        System.out.println("         phases: " + String.join(", ", phases.timeline()));
        System.out.printf(Locale.ROOT, "         raw: dump %.2f s, transfer %.2f s (%.1f MiB), restore %.2f s%n",
            r.dumpNanos() / 1e9, r.transferNanos() / 1e9, r.bytes() / 1048576.0, r.restoreNanos() / 1e9);
        SimulatedHost x = from;
        from = to;
        to = x;
      }
    } finally {
      for (SimulatedHost h : List.of(hosts.a(), hosts.b())) {
        h.virsh("destroy", name);
        h.virsh("undefine", name);
      }
    }
    return rows;
  }

  private static String now() {
    java.time.Instant t = java.time.Instant.now();
    return String.format(Locale.ROOT, "%d.%06d", t.getEpochSecond(), t.getNano() / 1000);
  }

  private static boolean beatAfter(Path hb, double uptime) throws java.io.IOException {
    List<String> beats = Files.readAllLines(hb);
    try {
      return !beats.isEmpty() && Double.parseDouble(beats.get(beats.size() - 1).split(" ")[0]) > uptime;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The longest gap between consecutive heartbeats after the first {@code from} ones, in seconds. */
  static double longestGap(List<String> beats, int from) {
    double longest = 0;
    for (int i = Math.max(1, from); i < beats.size(); i++) {
      try {
        longest = Math.max(longest, Double.parseDouble(beats.get(i).split(" ")[0])
            - Double.parseDouble(beats.get(i - 1).split(" ")[0]));
      } catch (NumberFormatException e) {
        // a line cut by the freeze: skip it
      }
    }
    return longest;
  }

  /** "Data total: 1.23 GiB" of a {@code domjobinfo} table, in bytes. */
  static long dataTotal(String table) {
    for (String line : table.split("\n")) {
      if (line.startsWith("Data total:")) {
        String[] v = line.substring("Data total:".length()).strip().split("\\s+");
        double n = Double.parseDouble(v[0]);
        return (long) (n * switch (v[1]) {
          case "KiB" -> 1024.0;
          case "MiB" -> 1048576.0;
          case "GiB" -> 1073741824.0;
          default -> 1.0;
        });
      }
    }
    return 0;
  }

  private static Path rootfs(Path root, Path memtouch) throws Exception {
    for (String d : List.of("bin", "tmp", "proc", "sys", "dev", "etc", "root")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    for (String applet : List.of("sh", "usleep")) {
      Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
    }
    Files.copy(memtouch, root.resolve("memtouch"));
    Files.copy(memtouch.resolveSibling("heartbeat"), root.resolve("heartbeat"));
    return root;
  }
}
