package org.virtlxc.cgroups;

/**
 * A cgroup operation failed or a requested limit is invalid. Messages read "unable to &lt;verb&gt; &lt;object&gt;: &lt;cause&gt;";
 * {@link #code()} mirrors the libvirt error class the controller reports.
 */
public final class CgroupException extends Exception {
  /** libvirt-like error classes. */
  public enum Code {
    /** The domain XML asks for something invalid on this host (VIR_ERR_CONFIG_UNSUPPORTED / INVALID_ARG). */
    CONFIG,
    /** The host cannot do what is asked (VIR_ERR_OPERATION_UNSUPPORTED). */
    UNSUPPORTED,
    /** A system call or cgroupfs access failed (VIR_ERR_SYSTEM_ERROR). */
    SYSTEM,
    /** A bounded wait ran out (VIR_ERR_OPERATION_TIMEOUT). */
    TIMEOUT
  }

  private final Code code;

  public CgroupException(Code code, String message) {
    this(code, message, null);
  }

  public CgroupException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  static CgroupException config(String message) {
    return new CgroupException(Code.CONFIG, message);
  }
}
