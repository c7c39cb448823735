package org.virtlxc.checkpoint.migrate;

import java.time.Duration;
import java.util.Objects;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.image.Compression;

/**
 * How to migrate a domain (virsh {@code migrate} flags).
 *
 * @param live        keep the domain running while its memory is copied (pre-copy): needs dirty-memory tracking,
 *                    which is checked and refused with the reason where the kernel lacks it
 * @param postcopy    post-copy (CRIU lazy pages): the domain runs on the destination while its memory follows
 * @param persistent  define the domain on the destination (otherwise it runs there as a transient domain)
 * @param undefineSource undefine the domain on the source once it runs on the destination
 * @param compression how the image travels
 * @param timeout     abort the migration (the domain keeps running here) if it has not finished after this; null: none
 * @param listener    hears phases and the image's progress
 * @param copyStorage whether the domain's writable filesystems are copied to the destination
 */
public record MigrationOptions(boolean live, boolean postcopy, boolean persistent, boolean undefineSource,
                               Compression compression, Duration timeout, SaveListener listener,
                               StorageCopy copyStorage) {
  public MigrationOptions {
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(copyStorage, "copyStorage");
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("migration timeout must be positive, not " + timeout);
    }
  }

  /** Stop-and-copy, transient on the destination, source kept defined, no compression, no timeout. */
  public static MigrationOptions defaults() {
    return new MigrationOptions(false, false, false, false, Compression.NONE, null, SaveListener.NONE,
        StorageCopy.NONE);
  }

  public MigrationOptions withLive(boolean b) {
    return new MigrationOptions(b, postcopy, persistent, undefineSource, compression, timeout, listener, copyStorage);
  }

  public MigrationOptions withPostcopy(boolean b) {
    return new MigrationOptions(live, b, persistent, undefineSource, compression, timeout, listener, copyStorage);
  }

  public MigrationOptions withPersistent(boolean b) {
    return new MigrationOptions(live, postcopy, b, undefineSource, compression, timeout, listener, copyStorage);
  }

  public MigrationOptions withUndefineSource(boolean b) {
    return new MigrationOptions(live, postcopy, persistent, b, compression, timeout, listener, copyStorage);
  }

  public MigrationOptions withCompression(Compression c) {
    return new MigrationOptions(live, postcopy, persistent, undefineSource, c, timeout, listener, copyStorage);
  }

  public MigrationOptions withTimeout(Duration t) {
    return new MigrationOptions(live, postcopy, persistent, undefineSource, compression, t, listener, copyStorage);
  }

  public MigrationOptions withCopyStorage(StorageCopy c) {
    return new MigrationOptions(live, postcopy, persistent, undefineSource, compression, timeout, listener, c);
  }

  public MigrationOptions withListener(SaveListener l) {
    return new MigrationOptions(live, postcopy, persistent, undefineSource, compression, timeout, l, copyStorage);
  }
}
