package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.UnpackedImage;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.VerifiedImage;
import org.virtlxc.tests.Virsh;

/**
 * What {@code virt-lxc save} and {@code virt-lxc restore} run below libvirt-java: {@link SaveService#save} (CRIU dumps
 * into its scratch directory, the image is written next to FILE; downtime until the image is durable, the kill of the
 * stopped tree and the controller's exit after it measured apart); restore = {@link SaveService#unpack} (check and
 * unpack in one pass into virt-lxc's restore directory), {@link SaveService#stage(UnpackedImage, RunState)}, {@code
 * virsh start}. With {@code before}, the path as it was before issue 5's speed-ups: the dump next to FILE
 * ({@code virtlxc.save.scratch=none}, {@code virtlxc.save.stream=false}), restore = {@link SaveService#verify} then {@link SaveService#stage(Path,
 * Manifest, RunState)} (the image read twice).
 */
final class ServicePath implements SaveRestorePath {
  private final SaveService service = SaveService.create();
  private final boolean before;

  ServicePath(boolean before) {
    this.before = before;
  }

  @Override
  public SaveTiming save(String name, Path image, Compression compression) throws Exception {
    String old = System.getProperty("virtlxc.save.scratch");
    String oldStream = System.getProperty("virtlxc.save.stream");
    if (before) {
      System.setProperty("virtlxc.save.scratch", "none");
      System.setProperty("virtlxc.save.stream", "false");
    }
    long[] writeStart = {0};
    long[] stop = {0};
    SaveListener listener = new SaveListener() {
      @Override
      public void phase(Phase phase) {
        if (phase == Phase.WRITE_IMAGE) {
          writeStart[0] = System.nanoTime();
        } else if (phase == Phase.STOP) {
          stop[0] = System.nanoTime();
        }
      }
    };
    try {
      long t0 = System.nanoTime();
      SaveResult r = service.save(name, image, SaveOptions.defaults().withCompression(compression)
          .withListener(listener));
      long t1 = System.nanoTime();
      long criu = r.criuTime().toNanos();
      // downtime: from the dump's start until the image is durable (phase STOP); the tree's kill and the controller's
      // exit after that are reported as "after durable"
      return new SaveTiming(stop[0] - t0, criu, writeStart[0] - t0 - criu, stop[0] - writeStart[0],
          Files.size(image), t1 - stop[0]);
    } finally {
      restore("virtlxc.save.scratch", old);
      restore("virtlxc.save.stream", oldStream);
    }
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  @Override
  public RestoreTiming restore(String name, Path image) throws Exception {
    long t0 = System.nanoTime();
    long t1;
    if (before) {
      VerifiedImage v = service.verify(image);
      service.stage(image, v.manifest(), RunState.RUNNING);
      t1 = System.nanoTime();
    } else {
      try (UnpackedImage u = service.unpack(image)) {
        service.stage(u, RunState.RUNNING);
        t1 = System.nanoTime();
      }
    }
    double before = uptime();
    Virsh.run("start", name).ok();
    long init = VirtLxcDomain.initPid(name);
    double after = uptime();
    long t2 = System.nanoTime();
    return new RestoreTiming(t2 - t0, t1 - t0, t2 - t1, split(name, init, before, after));
  }

  /** Where a start between {@code before} and {@code after} (seconds since boot) went, see {@link StartSplit}. */
  static StartSplit split(String name, long init, double before, double after) throws java.io.IOException {
    long ctl = Long.parseLong(Files.readString(Path.of("/run/libvirt/lxc", name + ".pid")).strip());
    double ctlStart = startTime(ctl);
    double initStart = startTime(init);
    return new StartSplit(nanos(ctlStart - before), nanos(initStart - ctlStart), nanos(after - initStart));
  }

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }

  /** Seconds since boot, as /proc/uptime counts them. */
  static double uptime() throws java.io.IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
  }

  /** When process {@code pid} started, in seconds since boot (field 22 of /proc/PID/stat, USER_HZ = 100). */
  private static double startTime(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[19]) / 100.0;
  }
}
