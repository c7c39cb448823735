package org.virtlxc.nssetup;

/**
 * Record types of the launch plan wire format read by {@code virt-lxc-init} from fd 3.
 * Each record is {@code u16 type, u32 length, payload} in native byte order; integers in
 * payloads are native-order u32 (u64 for sizes); strings are UTF-8 without a terminator.
 * Keep in sync with the enum in {@code src/main/c/virt-lxc-init.c}.
 */
public final class PlanRecord {
  private PlanRecord() {}

  /** u32 format version, always first. */
  public static final short VERSION = 1;
  /** u32 OR of the CLONE_NEW* flags to create. */
  public static final short CLONE_FLAGS = 2;
  /** u32 CLONE_NEW* type, u32 fd: setns() before creating the others. */
  public static final short JOIN_NS = 3;
  /** Text: the whole uid_map ("inside outside count\n" lines). */
  public static final short UID_MAP = 4;
  /** Text: the whole gid_map. */
  public static final short GID_MAP = 5;
  /** String: host directory of the root filesystem ("/" = host root). */
  public static final short ROOT = 6;
  /** Empty: remount the root read-only. */
  public static final short ROOT_READONLY = 7;
  /** u32 readonly, then source NUL target. */
  public static final short MOUNT_BIND = 8;
  /** u64 size in bytes (0 = default), u32 readonly, target. */
  public static final short MOUNT_TMPFS = 9;
  /** Empty: mount proc on /proc. */
  public static final short MOUNT_PROC = 10;
  /** Empty: mount sysfs read-only on /sys. */
  public static final short MOUNT_SYSFS = 11;
  /** Empty: tmpfs /dev with standard nodes and links. */
  public static final short MOUNT_DEV = 12;
  /** Empty: private devpts on /dev/pts. */
  public static final short MOUNT_DEVPTS = 13;
  /** String: host path of one console tty; repeated, in <console> order (the first is /dev/console). */
  public static final short CONSOLE = 14;
  /** String: hostname. */
  public static final short HOSTNAME = 15;
  /** u32 capability number to drop. */
  public static final short DROP_CAP = 16;
  /** String: one argv element (records in order). */
  public static final short ARG = 17;
  /** String: one NAME=value (records in order). */
  public static final short ENV = 18;
  /** String: working directory. */
  public static final short CWD = 19;
  /** u32 uid. */
  public static final short UID = 20;
  /** u32 gid. */
  public static final short GID = 21;

  /** The only format version. */
  public static final int FORMAT_VERSION = 1;
}
