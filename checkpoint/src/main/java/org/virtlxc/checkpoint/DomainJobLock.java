package org.virtlxc.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One checkpoint job (dump, save, restore, managed save) per domain at a time, across processes: an exclusive
 * {@code fcntl} lock on {@code /run/virt-lxc/jobs/NAME.lock} (or under the system property {@code virtlxc.jobs.dir}).
 * libvirtd's own job lock is not reachable from outside libvirtd; this only keeps virt-lxc's own jobs from racing each
 * other. A second job fails at once ("operation in progress"), as libvirt's does for a domain that has a job.
 */
public final class DomainJobLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DomainJobLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of {@code domainName} for a dump. */
  static DomainJobLock acquire(String domainName) throws CheckpointException {
    return acquire(domainName, "dump");
  }

  /**
   * Takes the lock of {@code domainName} for {@code operation} (a verb: "save", "restore"…), or fails at once naming
   * the lock file when another job holds it.
   */
  public static DomainJobLock acquire(String domainName, String operation) throws CheckpointException {
    String dir = System.getProperty("virtlxc.jobs.dir", "/run/virt-lxc/jobs");
    Path file = Path.of(dir).resolve(domainName + ".lock");
    FileChannel ch = null;
    try {
      Files.createDirectories(file.getParent());
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l = ch.tryLock();
      if (l == null) {
        throw new OverlappingFileLockException();
      }
      return new DomainJobLock(ch, l);
    } catch (OverlappingFileLockException e) {
      closeQuietly(ch);
      throw new CheckpointException("unable to " + operation + " domain " + domainName
          + ": operation in progress (another checkpoint job holds " + file + ")");
    } catch (IOException e) {
      closeQuietly(ch);
      throw new CheckpointException("unable to lock " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel below releases it as well
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing left to release
      }
    }
  }
}
