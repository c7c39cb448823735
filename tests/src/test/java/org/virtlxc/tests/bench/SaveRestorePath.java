package org.virtlxc.tests.bench;

import java.nio.file.Path;
import org.virtlxc.checkpoint.image.Compression;

/**
 * How the benchmark saves a running domain into an image file and restores it. {@link BuildingBlocks} uses the
 * checkpoint module's API; once the {@code virt-lxc save/restore} verbs exist, an implementation running them
 * replaces it without touching the rest of the benchmark.
 */
interface SaveRestorePath {
  /** What one save took (nanoseconds) and wrote. */
  record SaveTiming(long downtimeNanos, long criuNanos, long controllerExitNanos, long imageWriteNanos,
                    long imageBytes, long afterDurableNanos) {
    SaveTiming(long downtimeNanos, long criuNanos, long controllerExitNanos, long imageWriteNanos, long imageBytes) {
      this(downtimeNanos, criuNanos, controllerExitNanos, imageWriteNanos, imageBytes, 0);
    }
  }

  /** What one restore took (nanoseconds). */
  record RestoreTiming(long totalNanos, long extractNanos, long startNanos, StartSplit split) {
    RestoreTiming(long totalNanos, long extractNanos, long startNanos) {
      this(totalNanos, extractNanos, startNanos, null);
    }
  }

  /**
   * Where {@code virsh start}'s time went, from the processes' start times (10 ms ticks): libvirtd until it executed
   * the controller (fork); the controller (JVM start, handshake, setup) until CRIU cloned the restored init; CRIU's restore
   * and libvirtd's handling of the started domain until {@code virsh start} returned.
   */
  record StartSplit(long libvirtdNanos, long controllerNanos, long criuAndAfterNanos) {}

  /** Saves running domain {@code name} into {@code image}: from the dump's start until the image is durable. */
  SaveTiming save(String name, Path image, Compression compression) throws Exception;

  /** Restores domain {@code name} from {@code image}: until {@code virsh start} returned and its init runs. */
  RestoreTiming restore(String name, Path image) throws Exception;
}
