package org.virtlxc.tests.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.DumpOptions;
import org.virtlxc.checkpoint.DumpResult;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.ExtractedImage;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.SaveImageReader;
import org.virtlxc.checkpoint.image.SaveImageWriter;
import org.virtlxc.tests.Virsh;

/**
 * Save = {@link Checkpointer#dump} into a scratch directory, then {@link SaveImageWriter#write} of the image file
 * (fsync + rename); restore = {@link SaveImageReader#extract} into a scratch directory, {@link
 * Checkpointer#prepareRestore} and {@code virsh start}. Scratch directories are removed after each step, untimed.
 */
final class BuildingBlocks implements SaveRestorePath {
  private final Checkpointer checkpointer = Checkpointer.create();
  private final Path scratch;
  private final HostFacts host;
  private int serial;

  /** Scratch directories go below {@code scratch} (the benchmark's tmpfs). */
  BuildingBlocks(Path scratch) throws Exception {
    this.scratch = scratch;
    this.host = HostFacts.current();
  }

  @Override
  public SaveTiming save(String name, Path image, Compression compression) throws Exception {
    Path dir = scratch.resolve("dump-" + ++serial);
    try {
      long t0 = System.nanoTime();
      DumpResult dump = checkpointer.dump(name, dir, DumpOptions.stop());
      long t1 = System.nanoTime();
      Manifest manifest = Manifest.builder(Files.readString(dir.resolve(CheckpointManifest.DOMAIN_XML)))
          .host(host).created(dump.manifest().dumpedAt()).processCount(1).memory(pageBytes(dir) / 4096, 4096)
          .build();
      List<MemberSource> members = MemberSource.criuDirectory(dir);
      SaveImageWriter.create().compression(compression).write(image, manifest, members);
      long t2 = System.nanoTime();
      long criu = dump.criuTime().toNanos();
      return new SaveTiming(t2 - t0, criu, t1 - t0 - criu, t2 - t1, Files.size(image));
    } finally {
      Host.deleteTree(dir);
    }
  }

  @Override
  public RestoreTiming restore(String name, Path image) throws Exception {
    Path dir = scratch.resolve("restore-" + ++serial);
    try {
      long t0 = System.nanoTime();
      ExtractedImage x = SaveImageReader.extract(image, dir);
      long t1 = System.nanoTime();
      checkpointer.prepareRestore(x.criuDir());
      Virsh.run("start", name).ok();
      VirtLxcDomain.initPid(name);
      long t2 = System.nanoTime();
      return new RestoreTiming(t2 - t0, t1 - t0, t2 - t1);
    } finally {
      Host.deleteTree(dir);
    }
  }

  private static long pageBytes(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("pages-")).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
