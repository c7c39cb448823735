package org.virtlxc.checkpoint.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content for one payload member: its name in the image, its exact size, and how to open it. The writer fails if
 * the content turns out shorter or longer than {@code size}. {@code file} is the regular file holding the content
 * when there is one (null otherwise): a writer to a file copies it in the kernel instead of through {@code opener}.
 */
public record MemberSource(String name, long size, Opener opener, Path file) {
  /** Opens the member's content; called once, when the writer reaches the member. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws IOException;
  }

  public MemberSource {
    new MemberInfo(name, size);
  }

  /** Content that is not (known to be) a regular file. */
  public MemberSource(String name, long size, Opener opener) {
    this(name, size, opener, null);
  }

  MemberInfo info() {
    return new MemberInfo(name, size);
  }

  /** A file as member {@code name}. */
  public static MemberSource ofFile(String name, Path file) throws IOException {
    return new MemberSource(name, Files.size(file), () -> Files.newInputStream(file), file);
  }

  /** Bytes as member {@code name}. */
  public static MemberSource ofBytes(String name, byte[] content) {
    byte[] copy = content.clone();
    return new MemberSource(name, copy.length, () -> new ByteArrayInputStream(copy));
  }

  /** A small extra file, stored as {@code extra/NAME}. */
  public static MemberSource extra(String name, Path file) throws IOException {
    return ofFile(MemberNames.EXTRA_PREFIX + name, file);
  }

  /**
   * Every regular file below CRIU's images directory {@code dir}, as {@code criu/RELATIVE-PATH}, sorted by name.
   * Symbolic links and other special files are refused: a pre-dump chain ({@code parent} link) must be flattened
   * into one directory first.
   */
  public static List<MemberSource> criuDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT,
          "CRIU images directory " + dir + " is not a directory");
    }
    List<MemberSource> out = new ArrayList<>();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
    for (Path p : paths) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, "CRIU images directory " + dir
            + " holds " + dir.relativize(p) + ", which is not a regular file (symbolic link or special file)");
      }
      String name = MemberNames.CRIU_PREFIX + dir.relativize(p).toString();
      try {
        out.add(ofFile(name, p));
      } catch (IllegalArgumentException e) {
        throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT,
            "CRIU images directory " + dir + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
