package org.virtlxc.cgroups;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One cgroup directory. All reads and writes of control files go through here, so every failure names the file and
 * the value. Files are never created: writing a file the kernel does not offer is an error.
 */
public record CgroupDir(Path path) {

  /** Writes {@code value} to control file {@code file} in one write (one rule per call for devices.allow etc.). */
  public void write(String file, String value) throws CgroupException {
    Path p = path.resolve(file);
    try {
      Files.write(p, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM,
          "unable to write '" + value + "' to " + p + ": " + describe(e), e);
    }
  }

  /** Reads control file {@code file}, trimmed. */
  public String read(String file) throws CgroupException {
    Path p = path.resolve(file);
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM, "unable to read " + p + ": " + describe(e), e);
    }
  }

  /** Reads a control file holding one integer ("max" reads as {@link Long#MAX_VALUE}). */
  public long readLong(String file) throws CgroupException {
    String v = read(file);
    if (v.equals("max")) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new CgroupException(CgroupException.Code.SYSTEM,
          "unable to parse " + path.resolve(file) + ": not a number: '" + v + "'", e);
    }
  }

  /** Whether the control file exists (the kernel offers it). */
  public boolean has(String file) {
    return Files.exists(path.resolve(file));
  }

  /** The child cgroup {@code name}. */
  public CgroupDir child(String name) {
    return new CgroupDir(path.resolve(name));
  }

  static String describe(IOException e) {
    String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getMessage();
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : reason;
  }
}
