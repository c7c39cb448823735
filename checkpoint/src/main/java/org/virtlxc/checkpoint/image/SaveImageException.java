package org.virtlxc.checkpoint.image;

import java.io.IOException;

/**
 * A save image that cannot be used, or a save-image operation refused, with what is wrong: the file, the member, the
 * offset. An {@link IOException} so that integrity errors found deep inside a stream travel like any read error.
 */
public final class SaveImageException extends IOException {
  /** What kind of problem; the CLI maps it to libvirt's error classes. */
  public enum Code {
    /** The file is not a virt-lxc save image at all. */
    NOT_AN_IMAGE,
    /** A format version this virt-lxc does not read. */
    UNSUPPORTED_VERSION,
    /** A checksum, header or structure does not match: the bytes were changed. */
    CORRUPT,
    /** The image ends early. */
    TRUNCATED,
    /** The image is intact but cannot be restored on this host. */
    INCOMPATIBLE,
    /** The caller asked for something invalid (bad member name, mismatched domain XML, non-empty target). */
    INVALID_ARGUMENT
  }

  private final Code code;

  public SaveImageException(Code code, String message) {
    this(code, message, null);
  }

  public SaveImageException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
