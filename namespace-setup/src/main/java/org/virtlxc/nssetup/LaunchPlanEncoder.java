package org.virtlxc.nssetup;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes a {@link LaunchPlan} as the TLV records of {@link PlanRecord}, in native byte order. */
public final class LaunchPlanEncoder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private LaunchPlanEncoder() {}

  /** The complete plan, ready to be written to the helper's fd 3 (the helper reads until EOF). */
  public static byte[] encode(LaunchPlan plan) {
    LaunchPlanEncoder e = new LaunchPlanEncoder();
    e.u32(PlanRecord.VERSION, PlanRecord.FORMAT_VERSION);
    int flags = 0;
    for (Namespace ns : plan.create()) {
      flags |= ns.cloneFlag();
    }
    e.u32(PlanRecord.CLONE_FLAGS, flags);
    for (Map.Entry<Namespace, Integer> j : plan.join().entrySet()) {
      e.record(PlanRecord.JOIN_NS, buf(8).putInt(j.getKey().cloneFlag()).putInt(j.getValue()).array());
    }
    if (!plan.uidMap().isEmpty()) {
      e.string(PlanRecord.UID_MAP, lines(plan.uidMap()));
      e.string(PlanRecord.GID_MAP, lines(plan.gidMap()));
    }
    e.string(PlanRecord.ROOT, plan.rootSource());
    if (plan.rootReadonly()) {
      e.record(PlanRecord.ROOT_READONLY, new byte[0]);
    }
    for (MountSpec m : plan.mounts()) {
      if (m.kind() == MountSpec.Kind.BIND) {
        byte[] src = utf8(m.source());
        byte[] dst = utf8(m.target());
        e.record(PlanRecord.MOUNT_BIND, buf(4 + src.length + 1 + dst.length)
            .putInt(m.readonly() ? 1 : 0).put(src).put((byte) 0).put(dst).array());
      } else {
        byte[] dst = utf8(m.target());
        e.record(PlanRecord.MOUNT_TMPFS, buf(12 + dst.length)
            .putLong(m.sizeBytes()).putInt(m.readonly() ? 1 : 0).put(dst).array());
      }
    }
    e.flag(PlanRecord.MOUNT_PROC, plan.mountProc());
    e.flag(PlanRecord.MOUNT_SYSFS, plan.mountSysfs());
    e.flag(PlanRecord.MOUNT_DEV, plan.populateDev());
    e.flag(PlanRecord.MOUNT_DEVPTS, plan.mountDevpts());
    for (String tty : plan.consoles()) {
      e.string(PlanRecord.CONSOLE, tty);
    }
    if (plan.hostname() != null) {
      e.string(PlanRecord.HOSTNAME, plan.hostname());
    }
    for (int cap : plan.dropCapabilities()) {
      e.u32(PlanRecord.DROP_CAP, cap);
    }
    for (String a : plan.argv()) {
      e.string(PlanRecord.ARG, a);
    }
    for (String v : plan.env()) {
      e.string(PlanRecord.ENV, v);
    }
    e.string(PlanRecord.CWD, plan.cwd());
    plan.uid().ifPresent(id -> e.u32(PlanRecord.UID, (int) id));
    plan.gid().ifPresent(id -> e.u32(PlanRecord.GID, (int) id));
    return e.out.toByteArray();
  }

  private static String lines(Iterable<IdMapping> maps) {
    StringBuilder sb = new StringBuilder();
    maps.forEach(m -> sb.append(m.line()));
    return sb.toString();
  }

  private static ByteBuffer buf(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void flag(short type, boolean on) {
    if (on) {
      record(type, new byte[0]);
    }
  }

  private void u32(short type, int value) {
    record(type, buf(4).putInt(value).array());
  }

  private void string(short type, String s) {
    record(type, utf8(s));
  }

  private void record(short type, byte[] payload) {
    out.writeBytes(buf(6).putShort(type).putInt(payload.length).array());
    out.writeBytes(payload);
  }
}
