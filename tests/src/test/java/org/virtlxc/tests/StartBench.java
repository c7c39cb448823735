package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Start benchmark (not a test: {@code scripts/bench-start.sh} runs it): boots and destroys N busybox containers under
 * each controller, interleaved, through stock {@code virsh}, and prints side by side the start latency ({@code virsh
 * start} until it returns with the domain running) and the controller's VmRSS one second after the start.
 *
 * <p>Arguments: {@code [-n N] [--prefix NAME-PREFIX] [--settle-ms MS] LABEL=EMULATOR...}
 */
public final class StartBench {
  private record Sample(double startMillis, long rssKib) {}

  private record Subject(String label, String emulator, List<Sample> samples) {}

  public static void main(String... args) throws Exception {
    int n = 10;
    String prefix = "vlxct-bench-";
    long settleMillis = 1000;
    List<Subject> subjects = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-n" -> n = Integer.parseInt(args[++i]);
        case "--prefix" -> prefix = args[++i];
        case "--settle-ms" -> settleMillis = Long.parseLong(args[++i]);
        default -> {
          String[] kv = args[i].split("=", 2);
          if (kv.length != 2 || !Files.isExecutable(Path.of(kv[1]))) {
            throw new IllegalArgumentException("expected LABEL=EXECUTABLE, got '" + args[i] + "'");
          }
          subjects.add(new Subject(kv[0], kv[1], new ArrayList<>()));
        }
      }
    }
    if (subjects.isEmpty() || n < 1) {
      throw new IllegalArgumentException("usage: StartBench [-n N] [--prefix P] [--settle-ms MS] LABEL=EMULATOR...");
    }
    Path work = Files.createTempDirectory(Path.of("/tmp"), prefix);
    List<String> domains = new ArrayList<>();
    try {
      Path rootfs = TestController.busyboxRoot(work.resolve("root"));
      for (Subject s : subjects) {
        String name = prefix + s.label();
        domains.add(name);
        Virsh.destroyAndUndefine(name);
        Path xml = Files.writeString(work.resolve(name + ".xml"), TestController.domainXml(name, rootfs, s.emulator()));
        Virsh.run("define", xml.toString()).ok();
      }
      // One untimed round: the page cache holds the jars and binaries before anything is measured.
      for (int round = 0; round <= n; round++) {
        for (int i = 0; i < subjects.size(); i++) {
          Sample sample = bootOnce(domains.get(i), settleMillis);
          if (round > 0) {
            subjects.get(i).samples().add(sample);
          }
          System.err.printf(Locale.ROOT, "%s round %d: start %.0f ms, controller VmRSS %d KiB%n", subjects.get(i)
              .label(), round, sample.startMillis(), sample.rssKib());
        }
      }
    } finally {
      for (String name : domains) {
        Virsh.destroyAndUndefine(name);
      }
      TestController.deleteTree(work);
    }
    print(n, subjects);
  }

  private static Sample bootOnce(String name, long settleMillis) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Virsh.run("start", name).ok();
    double millis = (System.nanoTime() - t0) / 1e6;
    String state = Virsh.run("domstate", name).ok().out().strip();
    if (!state.equals("running")) {
      throw new IllegalStateException(name + " is " + state + " after virsh start");
    }
    long pid = Long.parseLong(Virsh.run("domid", name).ok().out().strip());
    Thread.sleep(settleMillis);
    long rss = vmRssKib(pid);
    Virsh.run("destroy", name).ok();
    return new Sample(millis, rss);
  }

  private static long vmRssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  private static void print(int n, List<Subject> subjects) {
    System.out.printf(Locale.ROOT, "start benchmark: %d busybox containers per controller, interleaved, same run%n", n);
    System.out.printf(Locale.ROOT, "%-12s %16s %9s %18s %9s  %s%n", "controller", "start ms median", "p90",
        "VmRSS MiB median", "max", "emulator");
    for (Subject s : subjects) {
      List<Double> ms = s.samples().stream().map(Sample::startMillis).toList();
      List<Double> rss = s.samples().stream().map(x -> x.rssKib() / 1024.0).toList();
      System.out.printf(Locale.ROOT, "%-12s %16.0f %9.0f %18.1f %9.1f  %s%n", s.label(), percentile(ms, 50),
          percentile(ms, 90), percentile(rss, 50), Collections.max(rss), s.emulator());
    }
    if (subjects.size() == 2) {
      double a = percentile(subjects.get(0).samples().stream().map(Sample::startMillis).toList(), 50);
      double b = percentile(subjects.get(1).samples().stream().map(Sample::startMillis).toList(), 50);
      System.out.printf(Locale.ROOT, "start latency median, %s / %s: %.2fx%n", subjects.get(0).label(),
          subjects.get(1).label(), a / b);
    }
  }

  /** Nearest-rank percentile. */
  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
