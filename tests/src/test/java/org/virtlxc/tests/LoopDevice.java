package org.virtlxc.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loop block device over a sparse file, made with losetup and detached by {@link #close()}. */
final class LoopDevice implements AutoCloseable {
  final Path path;
  /** "MAJ:MIN" as cgroup files show it. */
  final String number;

  private LoopDevice(Path path, String number) {
    this.path = path;
    this.number = number;
  }

  /** Attaches a new loop device to a {@code sizeBytes} sparse file {@code backing}. */
  static LoopDevice attach(Path backing, long sizeBytes) throws Exception {
    try (var f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
      f.setLength(sizeBytes);
    }
    Path dev = Path.of(run("losetup", "--find", "--show", backing.toString()).strip());
    String number = Files.readString(Path.of("/sys/block", dev.getFileName().toString(), "dev")).strip();
    return new LoopDevice(dev, number);
  }

  /** Sets the device's I/O scheduler (the kernel offers bfq for loop devices here). */
  void scheduler(String name) throws IOException {
    Path file = Path.of("/sys/block", path.getFileName().toString(), "queue/scheduler");
    Files.writeString(file, name);
  }

  @Override
  public void close() throws Exception {
    run("losetup", "--detach", path.toString());
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.strip());
    }
    return out;
  }
}
