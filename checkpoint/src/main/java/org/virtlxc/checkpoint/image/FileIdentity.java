package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which file a path names and how it was: device, inode, size and modification time. A file replaced (saved over:
 * a new inode), cut or written to since has another identity.
 */
public record FileIdentity(long device, long inode, long size, long modifiedNanos) {
  /** The identity of the file {@code path} names now (following symbolic links). */
  public static FileIdentity of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime");
    return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
  }

  /** What differs between {@code earlier} and this, in words: "another file", "size 10, was 12", "modified". */
  public String changesSince(FileIdentity earlier) {
    if (device != earlier.device || inode != earlier.inode) {
      return "it is another file (device " + device + " inode " + inode + ", was device " + earlier.device
          + " inode " + earlier.inode + ")";
    }
    if (size != earlier.size) {
      return "its size is " + size + " bytes, was " + earlier.size;
    }
    return modifiedNanos == earlier.modifiedNanos ? "unchanged" : "it was modified";
  }

  /** The identity of the file open as {@code fd} in this process. */
  static FileIdentity ofOpen(int fd) throws IOException {
    return of(Path.of("/proc/self/fd/" + fd));
  }
}
