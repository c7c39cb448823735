package org.virtlxc.nssetup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchPlanEncoderTest {
  record Rec(short type, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    ByteBuffer buf() {
      return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }
  }

  static List<Rec> records(byte[] wire) {
    ByteBuffer b = ByteBuffer.wrap(wire).order(ByteOrder.nativeOrder());
    List<Rec> out = new ArrayList<>();
    while (b.hasRemaining()) {
      short type = b.getShort();
      byte[] p = new byte[b.getInt()];
      b.get(p);
      out.add(new Rec(type, p));
    }
    return out;
  }

  /** Rebuilds a plan from the records, as the helper reads them. */
  static LaunchPlan decode(byte[] wire) {
    LaunchPlan.Builder b = LaunchPlan.builder();
    List<Rec> recs = records(wire);
    assertEquals(PlanRecord.VERSION, recs.get(0).type());
    assertEquals(1, recs.get(0).buf().getInt());
    List<String> argv = new ArrayList<>();
    List<String> consoles = new ArrayList<>();
    String root = "/";
    boolean ro = false;
    for (Rec r : recs) {
      ByteBuffer p = r.buf();
      switch (r.type()) {
        case PlanRecord.VERSION -> { }
        case PlanRecord.CLONE_FLAGS -> {
          int flags = p.getInt();
          for (Namespace ns : Namespace.values()) {
            if ((flags & ns.cloneFlag()) != 0) {
              b.create(ns);
            }
          }
        }
        case PlanRecord.JOIN_NS -> {
          int type = p.getInt();
          int fd = p.getInt();
          for (Namespace ns : Namespace.values()) {
            if (ns.cloneFlag() == type) {
              b.join(ns, fd);
            }
          }
        }
        case PlanRecord.UID_MAP -> r.text().lines().forEach(l -> b.uidMap(mapping(l)));
        case PlanRecord.GID_MAP -> r.text().lines().forEach(l -> b.gidMap(mapping(l)));
        case PlanRecord.ROOT -> root = r.text();
        case PlanRecord.ROOT_READONLY -> ro = true;
        case PlanRecord.MOUNT_BIND -> {
          boolean mro = p.getInt() != 0;
          String[] st = new String(r.payload(), 4, r.payload().length - 4, StandardCharsets.UTF_8).split("\0");
          b.mount(MountSpec.bind(st[0], st[1], mro));
        }
        case PlanRecord.MOUNT_TMPFS -> {
          long size = p.getLong();
          boolean mro = p.getInt() != 0;
          b.mount(MountSpec.tmpfs(new String(r.payload(), 12, r.payload().length - 12, StandardCharsets.UTF_8), size, mro));
        }
        case PlanRecord.MOUNT_PROC -> b.mountProc(true);
        case PlanRecord.MOUNT_SYSFS -> b.mountSysfs(true);
        case PlanRecord.MOUNT_DEV -> b.populateDev(true);
        case PlanRecord.MOUNT_DEVPTS -> b.mountDevpts(true);
        case PlanRecord.CONSOLE -> consoles.add(r.text());
        case PlanRecord.HOSTNAME -> b.hostname(r.text());
        case PlanRecord.DROP_CAP -> b.dropCapability(Capability.name(p.getInt()));
        case PlanRecord.ARG -> argv.add(r.text());
        case PlanRecord.ENV -> {
          String[] kv = r.text().split("=", 2);
          b.env(kv[0], kv[1]);
        }
        case PlanRecord.CWD -> b.cwd(r.text());
        case PlanRecord.UID -> b.uid(Integer.toUnsignedLong(p.getInt()));
        case PlanRecord.GID -> b.gid(Integer.toUnsignedLong(p.getInt()));
        default -> throw new AssertionError("unknown record type " + r.type());
      }
    }
    return b.root(root, ro).argv(argv).consoles(consoles).build();
  }

  private static IdMapping mapping(String line) {
    String[] f = line.trim().split(" ");
    return new IdMapping(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
  }

  static void assertSamePlan(LaunchPlan want, LaunchPlan got) {
    assertEquals(want.create(), got.create());
    assertEquals(want.join(), got.join());
    assertEquals(want.uidMap(), got.uidMap());
    assertEquals(want.gidMap(), got.gidMap());
    assertEquals(want.rootSource(), got.rootSource());
    assertEquals(want.rootReadonly(), got.rootReadonly());
    assertEquals(want.mounts(), got.mounts());
    assertEquals(List.of(want.mountProc(), want.mountSysfs(), want.populateDev(), want.mountDevpts()),
        List.of(got.mountProc(), got.mountSysfs(), got.populateDev(), got.mountDevpts()));
    assertEquals(want.consoles(), got.consoles());
    assertEquals(want.hostname(), got.hostname());
    assertEquals(want.dropCapabilities(), got.dropCapabilities());
    assertEquals(want.argv(), got.argv());
    assertEquals(want.env(), got.env());
    assertEquals(want.cwd(), got.cwd());
    assertEquals(want.uid(), got.uid());
    assertEquals(want.gid(), got.gid());
  }

  @Test
  void fullPlanRoundTrips() {
    LaunchPlan plan = LaunchPlan.builder()
        .create(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.USER)
        .join(Namespace.NET, 17).join(Namespace.IPC, 18)
        .uidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(0, 100000, 65536)).gidMap(new IdMapping(65536, 5, 1))
        .root("/var/lib/vlxct-root", true)
        .mount(MountSpec.bind("/srv/data", "/data", true))
        .mount(MountSpec.tmpfs("/run", 1 << 20, false))
        .standardFilesystems()
        .consoles(List.of("/dev/pts/7", "/dev/pts/8"))
        .hostname("vlxct-web1")
        .dropCapability("sys_module").dropCapability("CAP_MKNOD").dropCapability("checkpoint_restore")
        .argv("/sbin/init", "--verbose", "äöü")
        .env("container", "lxc-libvirt").env("EMPTY", "").env("EQ", "a=b")
        .cwd("/root").uid(1000).gid(4294967294L)
        .build();
    assertSamePlan(plan, decode(LaunchPlanEncoder.encode(plan)));
  }

  @Test
  void minimalPlanRoundTripsAndStartsWithVersion() {
    LaunchPlan plan = LaunchPlan.builder().create(Namespace.PID).argv("/bin/true").build();
    byte[] wire = LaunchPlanEncoder.encode(plan);
    List<Rec> recs = records(wire);
    assertEquals(PlanRecord.VERSION, recs.get(0).type());
    assertEquals(Namespace.PID.cloneFlag(), recs.get(1).buf().getInt());
    assertSamePlan(plan, decode(wire));
  }

  @Test
  void headerIsShortTypeThenIntLengthInNativeOrder() {
    byte[] wire = LaunchPlanEncoder.encode(LaunchPlan.builder().argv("/x").build());
    ByteBuffer b = ByteBuffer.wrap(wire).order(ByteOrder.nativeOrder());
    assertEquals(PlanRecord.VERSION, b.getShort());
    assertEquals(4, b.getInt());
    assertEquals(PlanRecord.FORMAT_VERSION, b.getInt());
  }
}
