package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.virtlxc.checkpoint.image.Compression;

/**
 * Not a test: the save/restore benchmark. Prints, side by side from one run, for a container whose init fills
 * {@code --memory-mib} MiB (default 1024) of anonymous memory with half-compressible data ({@code memtouch.c}):
 * virt-lxc's save downtime and restore time (plain and zstd, image size), raw {@code criu dump/restore} of the same
 * kind of tree, and LXC's {@code lxc-checkpoint}, each the median of {@code --repeat} runs (default 3), with the
 * ratios to the targets. Run it with {@code scripts/bench-save-restore.sh} (README, "Save/restore benchmark").
 *
 * <p>Everything it makes is named {@code vlxct-bench5-…} and removed at the end, also on failure or Ctrl-C.
 */
public final class SaveRestoreBench {
  private static final Path CRIU = Path.of("/usr/local/lib/virt-lxc/bin/criu");
  private static final Path SHM = Path.of("/dev/shm");
  /** The command {@code --path command} runs: the installed one, or {@code -Dvirtlxc.bench.command=PATH}. */
  private static final Path COMMAND = Path.of(System.getProperty("virtlxc.bench.command", "/usr/local/bin/virt-lxc"));

  private SaveRestoreBench() {}

  public static void main(String[] args) throws Exception {
    int mib = 1024;
    int repeat = 3;
    Path disk = Path.of("/var/tmp");
    boolean lxc = true;
    Path controller = null;
    String pathName = "service";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--memory-mib" -> mib = Integer.parseInt(args[++i]);
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--disk-dir" -> disk = Path.of(args[++i]);
        case "--no-lxc" -> lxc = false;
        case "--controller" -> controller = Path.of(args[++i]);
        case "--path" -> pathName = args[++i];
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "' (expected --memory-mib N, --repeat N, --disk-dir DIR, --no-lxc, --controller PROGRAM,"
            + " --path service|command|before|blocks)");
      }
    }
    Path buildRoot = Path.of(System.getProperty("virtlxc.build.root", ".")).toAbsolutePath().normalize();
    Cleanup cleanup = new Cleanup();
    try {
      Samples s = run(buildRoot, mib, repeat, disk, lxc, controller, pathName, cleanup);
      print(s, mib, repeat, disk, controller, pathName);
    } finally {
      cleanup.runAll();
    }
  }

  private static Samples run(Path buildRoot, int mib, int repeat, Path disk, boolean withLxc, Path controller,
      String pathName, Cleanup cleanup) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    Path base = Files.createTempDirectory(disk, "vlxct-bench5-");
    cleanup.add("remove " + base, () -> Host.deleteTree(base));
    // /dev/shm, not a tmpfs mounted here: libvirtd runs in a private mount namespace (ensure-libvirtd.sh), so the
    // controller, which reads the images at restore, sees only mounts made before libvirtd started.
    Path tmpfs = Files.createTempDirectory(SHM, "vlxct-bench5-");
    cleanup.add("remove " + tmpfs, () -> Host.deleteTree(tmpfs));
    Path images = Files.createDirectory(base.resolve("images"));
    Path memtouch = base.resolve("memtouch");
    Host.runOk(List.of("gcc", "-O2", "-static", "-o", memtouch.toString(),
        buildRoot.resolve("tests/src/test/bench/memtouch.c").toString()), Map.of(), base.resolve("setup.log"));

    Samples s = new Samples();
    VirtLxcDomain dom = new VirtLxcDomain("vlxct-bench5-" + id, base, rootfs(base.resolve("root-virtlxc"), memtouch),
        mib, buildRoot, controller, cleanup);
    RawCriu raw = new RawCriu(CRIU, memtouch, mib, base, cleanup);
    LxcContainer lxc = withLxc ? new LxcContainer("vlxct-bench5-" + id + "-lxc", Files.createDirectory(
        base.resolve("lxc-base")), rootfs(base.resolve("root-lxc"), memtouch), mib, CRIU, cleanup) : null;
    SaveRestorePath path = switch (pathName) {
      case "blocks" -> new BuildingBlocks(tmpfs);
      case "service" -> new ServicePath(false);
      case "before" -> new ServicePath(true);
      case "command" -> new CommandPath(COMMAND, base);
      default -> throw new IllegalArgumentException("--path: service, command, before or blocks, not '" + pathName
          + "'");
    };
    cleanup.add("remove pending restores of " + dom.name(), () -> dom.removePendingRestore());

    dom.startAndFill();
    if (lxc != null) {
      lxc.startAndFill();
    }
    for (int round = 1; round <= repeat; round++) {
      System.out.printf("round %d of %d%n", round, repeat);
      for (Compression c : Compression.values()) {
        Path image = images.resolve(dom.name() + "-" + c.label() + ".img");
        SaveRestorePath.SaveTiming st = path.save(dom.name(), image, c);
        s.addNanos("save " + c.label(), st.downtimeNanos());
        if (st.criuNanos() > 0) { // not seen from outside the command
          s.addNanos("save " + c.label() + ": criu dump", st.criuNanos());
          s.addNanos("save " + c.label() + ": dump outside CRIU", st.controllerExitNanos());
          s.addNanos("save " + c.label() + ": image write+fsync", st.imageWriteNanos());
        }
        if (st.afterDurableNanos() > 0) {
          s.addNanos("save " + c.label() + " then kill + controller exit", st.afterDurableNanos());
        }
        s.add("image " + c.label(), st.imageBytes());
        SaveRestorePath.RestoreTiming rt = path.restore(dom.name(), image);
        s.addNanos("restore " + c.label(), rt.totalNanos());
        if (rt.extractNanos() > 0) { // not seen from outside the command
          s.addNanos("restore " + c.label() + ": extract", rt.extractNanos());
          s.addNanos("restore " + c.label() + ": prepare+virsh start", rt.startNanos());
        }
        if (rt.split() != null) {
          s.addNanos("restore " + c.label() + ": start 1 libvirtd until controller forked", rt.split().libvirtdNanos());
          s.addNanos("restore " + c.label() + ": start 2 controller until CRIU cloned init",
              rt.split().controllerNanos());
          s.addNanos("restore " + c.label() + ": start 3 CRIU restore, libvirtd until start returned",
              rt.split().criuAndAfterNanos());
        }
        dom.awaitFilled();
        Files.delete(image);
        System.out.printf("  virt-lxc %-4s save %6.0f ms (criu %6.0f, write %6.0f), restore %6.0f ms, image %.0f MiB%n",
            c.label(), st.downtimeNanos() / 1e6, st.criuNanos() / 1e6, st.imageWriteNanos() / 1e6,
            rt.totalNanos() / 1e6, st.imageBytes() / 1048576.0);
      }

      long init = raw.start();
      Path rawTmpfs = tmpfs.resolve("raw-" + round);
      s.addNanos("raw dump tmpfs", raw.dump(init, rawTmpfs));
      long[] restored = raw.restore(rawTmpfs);
      s.addNanos("raw restore tmpfs", restored[0]);
      Host.deleteTree(rawTmpfs);
      Path rawDisk = images.resolve("raw-" + round);
      long dumpDisk = raw.dump(restored[1], rawDisk);
      s.addNanos("raw dump disk", dumpDisk);
      s.addNanos("raw dump disk+fsync", dumpDisk + raw.fsync(rawDisk));
      long[] again = raw.restore(rawDisk);
      s.addNanos("raw restore disk", again[0]);
      Host.kill(again[1]);
      Host.deleteTree(rawDisk);
      System.out.printf("  raw criu dump %6.0f ms, restore %6.0f ms (tmpfs)%n", s.all("raw dump tmpfs").get(round - 1),
          s.all("raw restore tmpfs").get(round - 1));

      if (lxc != null) {
        Path lxcDir = tmpfs.resolve("lxc-" + round);
        s.addNanos("lxc dump tmpfs", lxc.dump(lxcDir));
        s.addNanos("lxc restore tmpfs", lxc.restore(lxcDir));
        Host.deleteTree(lxcDir);
        System.out.printf("  lxc-checkpoint dump %6.0f ms, restore %6.0f ms%n", s.all("lxc dump tmpfs").get(round - 1),
            s.all("lxc restore tmpfs").get(round - 1));
      }
    }
    return s;
  }

  private static Path rootfs(Path root, Path memtouch) throws Exception {
    for (String d : List.of("bin", "tmp", "proc", "sys", "dev", "etc", "root")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
    Files.copy(memtouch, root.resolve("memtouch"));
    return root;
  }

  private static void print(Samples s, int mib, int repeat, Path disk, Path controller, String pathName)
      throws Exception {
    String fs = Files.getFileStore(disk).type();
    System.out.printf(Locale.ROOT, "%nSave/restore of a container with %d MiB resident (memtouch: half random, half"
        + " text), median of %d runs (min..max), ms%n", mib, repeat);
    System.out.printf("virt-lxc (--path %s) = %s; image in %s (%s)%n", pathName, switch (pathName) {
      case "blocks" -> "Checkpointer.dump into tmpfs (/dev/shm) + SaveImageWriter (fsync + rename); restore ="
          + " SaveImageReader.extract into tmpfs + prepareRestore + virsh start";
      case "before" -> "SaveService.save with the dump next to the image; restore = SaveService.verify + stage(file)"
          + " + virsh start (the product before issue 5's speed-ups)";
      case "command" -> "the commands, each a fresh JVM: virt-lxc save DOMAIN FILE (its whole time, an upper bound"
          + " of the downtime), virt-lxc restore FILE (" + COMMAND + ")";
      default -> "SaveService.save (what virt-lxc save runs); restore = SaveService.unpack + stage + virsh start"
          + " (what virt-lxc restore runs below libvirt-java)";
    }, disk, fs);
    System.out.printf("JVM: %s%n", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
        .getInputArguments()));
    System.out.printf("controller: %s%n", controller == null ? "this build's jars (plain JVM launcher, as the"
        + " integration tests run it)" : controller);
    System.out.printf("raw CRIU = criu dump -t / criu restore -d of memtouch as pid 1 of its own pid/uts/ipc"
        + " namespaces (no libvirt), into tmpfs and into %s%n%n", disk);
    String[] rows = {"save none", "save none: criu dump", "save none: dump outside CRIU",
        "save none: image write+fsync", "save none then kill + controller exit", "save zstd",
        "save zstd: criu dump", "save zstd: dump outside CRIU", "save zstd: image write+fsync",
        "save zstd then kill + controller exit",
        "raw dump tmpfs", "raw dump disk", "raw dump disk+fsync", "lxc dump tmpfs",
        "restore none", "restore none: extract", "restore none: prepare+virsh start",
        "restore none: start 1 libvirtd until controller forked",
        "restore none: start 2 controller until CRIU cloned init",
        "restore none: start 3 CRIU restore, libvirtd until start returned",
        "restore zstd", "restore zstd: extract", "restore zstd: prepare+virsh start",
        "restore zstd: start 1 libvirtd until controller forked",
        "restore zstd: start 2 controller until CRIU cloned init",
        "restore zstd: start 3 CRIU restore, libvirtd until start returned",
        "raw restore tmpfs", "raw restore disk", "lxc restore tmpfs"};
    System.out.printf("%-58s %9s %9s %9s%n", "what", "median", "min", "max");
    for (String r : rows) {
      if (!s.has(r)) {
        continue;
      }
      List<Double> v = s.all(r);
      System.out.printf(Locale.ROOT, "%-58s %9.0f %9.0f %9.0f%n", label(r), s.median(r),
          v.stream().mapToDouble(Double::doubleValue).min().orElse(0),
          v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }
    double plain = s.median("image none");
    double zstd = s.median("image zstd");
    System.out.printf(Locale.ROOT, "%nimage size: plain %.1f MiB, zstd %.1f MiB (%.2f of plain)%n", plain / 1048576,
        zstd / 1048576, zstd / plain);

    System.out.printf("%n%-52s %9s %9s  %s%n", "target", "value", "limit", "");
    for (String c : List.of("none", "zstd")) {
      ratio(s, "save " + c + " / raw criu dump to disk", "save " + c, "raw dump disk", 1.15);
      ratio(s, "save " + c + " / raw criu dump to tmpfs (info)", "save " + c, "raw dump tmpfs", Double.NaN);
      ratio(s, "save " + c + " / raw dump to disk + fsync (info)", "save " + c, "raw dump disk+fsync", Double.NaN);
      ratio(s, "save " + c + " / lxc-checkpoint -s", "save " + c, "lxc dump tmpfs", 1.0);
    }
    for (String c : List.of("none", "zstd")) {
      double d = (s.median("restore " + c) - s.median("raw restore tmpfs")) / 1000;
      System.out.printf(Locale.ROOT, "%-52s %+8.2fs %+8.2fs  %s%n", "restore " + c + " - raw criu restore (tmpfs)", d,
          0.5, d <= 0.5 ? "ok" : "MISSED");
      // medians mislead when one side's runs met first-touch guest memory (README, "Measuring on this VM")
      double quiet = (s.min("restore " + c) - s.min("raw restore tmpfs")) / 1000;
      System.out.printf(Locale.ROOT, "%-52s %+8.2fs %+8.2fs  %s%n", "restore " + c + " - raw, fastest runs (info)",
          quiet, 0.5, quiet <= 0.5 ? "ok" : "MISSED");
      ratio(s, "restore " + c + " / lxc-checkpoint -r", "restore " + c, "lxc restore tmpfs", 1.0);
    }
  }

  private static void ratio(Samples s, String what, String num, String den, double limit) {
    if (!s.has(num) || !s.has(den)) {
      return;
    }
    double r = s.median(num) / s.median(den);
    String verdict = Double.isNaN(limit) ? "" : (limit == 1.0 ? r < limit : r <= limit) ? "ok" : "MISSED";
    System.out.printf(Locale.ROOT, "%-52s %8.2fx %s  %s%n", what, r,
        Double.isNaN(limit) ? "         " : String.format(Locale.ROOT, "%8.2fx", limit), verdict);
  }

  private static String label(String key) {
    String k = key.replaceFirst("^save none", "virt-lxc save plain").replaceFirst("^save zstd", "virt-lxc save zstd")
        .replaceFirst("^restore none", "virt-lxc restore plain").replaceFirst("^restore zstd", "virt-lxc restore zstd")
        .replaceFirst("^raw dump", "raw criu dump ->").replaceFirst("^raw restore", "raw criu restore <-")
        .replaceFirst("^lxc dump", "lxc-checkpoint -s ->").replaceFirst("^lxc restore", "lxc-checkpoint -r <-");
    return k.contains(": ") ? "  " + k.substring(k.indexOf(": ") + 2) : k;
  }
}
