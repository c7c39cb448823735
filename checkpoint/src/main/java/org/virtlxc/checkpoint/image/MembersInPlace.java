package org.virtlxc.checkpoint.image;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * CRIU images that a restore reads where they lie in the verified save image file instead of from an unpacked copy
 * (its memory pages: most of its bytes). Kept as {@value #FILE} in the CRIU directory that holds the unpacked rest:
 * the save image's path, its {@link FileIdentity} when it was verified, and each CRIU file's offset and size in it.
 * The controller's {@link CriuImageServer} serves them to {@code criu restore --stream}, and refuses to if the file is
 * no longer the one verified.
 *
 * @param image    the save image file (absolute)
 * @param identity what it was when its checksums were verified
 * @param files    CRIU file name ({@code pages-1.img}) to where its bytes lie in {@code image}
 */
public record MembersInPlace(Path image, FileIdentity identity, Map<String, Region> files) {
  public static final String FILE = "virt-lxc-in-place.properties";
  private static final String FILE_PREFIX = "file.";

  /** {@code size} bytes at {@code offset} of the image file. */
  public record Region(long offset, long size) {
    public Region {
      if (offset < 0 || size < 0) {
        throw new IllegalArgumentException("bad region " + offset + "+" + size);
      }
    }
  }

  public MembersInPlace {
    if (!image.isAbsolute()) {
      throw new IllegalArgumentException("the save image path must be absolute: " + image);
    }
    files = Map.copyOf(new LinkedHashMap<>(files));
  }

  /** Writes this into CRIU directory {@code criuDir}. */
  public void write(Path criuDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("image", image.toString());
    p.setProperty("image.device", Long.toString(identity.device()));
    p.setProperty("image.inode", Long.toString(identity.inode()));
    p.setProperty("image.size", Long.toString(identity.size()));
    p.setProperty("image.modified-nanos", Long.toString(identity.modifiedNanos()));
    new TreeMap<>(files).forEach((name, r) -> p.setProperty(FILE_PREFIX + name, r.offset() + "," + r.size()));
    try (Writer w = Files.newBufferedWriter(criuDir.resolve(FILE), StandardCharsets.UTF_8)) {
      p.store(w, "virt-lxc: CRIU files read in place from a verified save image");
    }
  }

  /** What {@link #write} wrote into {@code criuDir}, if anything. */
  public static Optional<MembersInPlace> read(Path criuDir) throws IOException {
    Path file = criuDir.resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      FileIdentity id = new FileIdentity(number(p, "image.device"), number(p, "image.inode"),
          number(p, "image.size"), number(p, "image.modified-nanos"));
      Map<String, Region> files = new LinkedHashMap<>();
      for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
        if (key.startsWith(FILE_PREFIX)) {
          String[] v = p.getProperty(key).split(",", -1);
          if (v.length != 2) {
            throw new IllegalArgumentException(key + " must be OFFSET,SIZE, not '" + p.getProperty(key) + "'");
          }
          files.put(key.substring(FILE_PREFIX.length()), new Region(Long.parseLong(v[0]), Long.parseLong(v[1])));
        }
      }
      return Optional.of(new MembersInPlace(Path.of(required(p, "image")), id, files));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is unusable: " + e.getMessage(), e);
    }
  }

  private static long number(Properties p, String key) {
    return Long.parseLong(required(p, key));
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("'" + key + "' is missing");
    }
    return v;
  }
}
