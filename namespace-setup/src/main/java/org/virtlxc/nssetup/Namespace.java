package org.virtlxc.nssetup;

/** A Linux namespace kind, with its {@code CLONE_NEW*} flag (also the {@code setns} type). */
public enum Namespace {
  MOUNT(0x00020000),
  UTS(0x04000000),
  IPC(0x08000000),
  USER(0x10000000),
  PID(0x20000000),
  NET(0x40000000);

  private final int cloneFlag;

  Namespace(int cloneFlag) {
    this.cloneFlag = cloneFlag;
  }

  /** The {@code CLONE_NEW*} constant of this namespace. */
  public int cloneFlag() {
    return cloneFlag;
  }

  /** Whether an existing namespace of this kind can be joined by fd (libvirt's lxc:namespace sharing). */
  public boolean joinable() {
    return this == NET || this == IPC || this == UTS;
  }
}
