package org.virtlxc.checkpoint.migrate;

/** Whether a migration copies the domain's storage (virsh {@code migrate --copy-storage-all|--copy-storage-inc}). */
public enum StorageCopy {
  /** The domain's filesystems are on shared storage: the destination must have them at the same paths. */
  NONE,
  /** Its writable filesystems are copied into new (missing or empty) directories at the same paths there. */
  ALL,
  /** Its writable filesystems are copied, sending only what differs from what is there already (an older copy). */
  INCREMENTAL
}
