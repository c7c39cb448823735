package org.virtlxc.nssetup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Everything the native helper {@code virt-lxc-init} needs to start a container's init: an
 * immutable value, built with {@link Builder}, which enforces the rules the helper relies on.
 * Paths of mount targets, console, cwd and argv[0] are as seen inside the container unless
 * stated otherwise; sources are host paths. It carries no policy: {@link PlanFromDomain} maps a
 * libvirt domain onto it, with libvirt_lxc's defaults.
 */
public final class LaunchPlan {
  private final Set<Namespace> create;
  private final Map<Namespace, Integer> join;
  private final List<IdMapping> uidMap;
  private final List<IdMapping> gidMap;
  private final String rootSource;
  private final boolean rootReadonly;
  private final List<MountSpec> mounts;
  private final boolean mountProc;
  private final boolean mountSysfs;
  private final boolean populateDev;
  private final boolean mountDevpts;
  private final List<String> consoles;
  private final String hostname;
  private final SortedSet<Integer> dropCapabilities;
  private final List<String> argv;
  private final List<String> env;
  private final String cwd;
  private final OptionalLong uid;
  private final OptionalLong gid;

  private LaunchPlan(Builder b) {
    create = Collections.unmodifiableSet(EnumSet.copyOf(b.create));
    join = Collections.unmodifiableMap(new EnumMap<>(b.join));
    uidMap = List.copyOf(b.uidMap);
    gidMap = List.copyOf(b.gidMap);
    rootSource = b.rootSource;
    rootReadonly = b.rootReadonly;
    mounts = List.copyOf(b.mounts);
    mountProc = b.mountProc;
    mountSysfs = b.mountSysfs;
    populateDev = b.populateDev;
    mountDevpts = b.mountDevpts;
    consoles = List.copyOf(b.consoles);
    hostname = b.hostname;
    dropCapabilities = Collections.unmodifiableSortedSet(new TreeSet<>(b.dropCapabilities));
    argv = List.copyOf(b.argv);
    env = List.copyOf(b.env);
    cwd = b.cwd;
    uid = b.uid;
    gid = b.gid;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding a copy of this plan. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Namespaces created for the init (never empty: at least a pid or mount namespace is usual). */
  public Set<Namespace> create() { return create; }
  /** Namespaces joined before the others are created: kind → fd number in the launching process. */
  public Map<Namespace, Integer> join() { return join; }
  public List<IdMapping> uidMap() { return uidMap; }
  public List<IdMapping> gidMap() { return gidMap; }
  /** The host uid of the container's root when the plan creates a user namespace (and maps uid 0), else empty. */
  public OptionalLong hostUidOfRoot() { return IdMapping.toHost(uidMap, 0); }
  /** The host gid of the container's root group when the plan creates a user namespace (and maps gid 0). */
  public OptionalLong hostGidOfRoot() { return IdMapping.toHost(gidMap, 0); }
  /** Host directory that becomes the container's root; "/" means the host root (no pivot_root). */
  public String rootSource() { return rootSource; }
  public boolean rootReadonly() { return rootReadonly; }
  public List<MountSpec> mounts() { return mounts; }
  public boolean mountProc() { return mountProc; }
  /** Whether sysfs is mounted (always read-only) on /sys. */
  public boolean mountSysfs() { return mountSysfs; }
  /** Whether /dev is a fresh tmpfs with null, zero, full, random, urandom, tty and the std* links. */
  public boolean populateDev() { return populateDev; }
  /** Whether /dev/pts is a private devpts instance (newinstance,ptmxmode=0666,mode=0620). */
  public boolean mountDevpts() { return mountDevpts; }
  /** Host path of the first console tty (bound to /dev/console and /dev/tty1, init's stdio), or null. */
  public String console() { return consoles.isEmpty() ? null : consoles.get(0); }
  /**
   * Host paths of the console ttys, in {@code <console>} order: the first is /dev/console, /dev/tty1 and init's
   * stdio, the Nth (N &gt; 1) is /dev/ttyN, as libvirt_lxc lays them out.
   */
  public List<String> consoles() { return consoles; }
  public String hostname() { return hostname; }
  /** Capability numbers dropped from the bounding (and inheritable) set. */
  public SortedSet<Integer> dropCapabilities() { return dropCapabilities; }
  public List<String> argv() { return argv; }
  /** The complete environment of init, NAME=value, in order. */
  public List<String> env() { return env; }
  public String cwd() { return cwd; }
  public OptionalLong uid() { return uid; }
  public OptionalLong gid() { return gid; }

  @Override
  public String toString() {
    return "LaunchPlan[create=" + create + ", join=" + join + ", root=" + rootSource + (rootReadonly ? " ro" : "")
        + ", mounts=" + mounts + ", hostname=" + hostname + ", argv=" + argv + "]";
  }

  static void requireAbsolute(String what, String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException(what + " must be an absolute path: " + path);
    }
    requireNoNul(what, path);
  }

  static void requireNoNul(String what, String s) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must not contain a NUL character");
    }
  }

  /** Collects the parts of a plan; {@link #build()} checks how they fit together. */
  public static final class Builder {
    private final EnumSet<Namespace> create = EnumSet.noneOf(Namespace.class);
    private final EnumMap<Namespace, Integer> join = new EnumMap<>(Namespace.class);
    private final List<IdMapping> uidMap = new ArrayList<>();
    private final List<IdMapping> gidMap = new ArrayList<>();
    private String rootSource = "/";
    private boolean rootReadonly;
    private final List<MountSpec> mounts = new ArrayList<>();
    private boolean mountProc;
    private boolean mountSysfs;
    private boolean populateDev;
    private boolean mountDevpts;
    private final List<String> consoles = new ArrayList<>();
    private String hostname;
    private final TreeSet<Integer> dropCapabilities = new TreeSet<>();
    private final List<String> argv = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private String cwd = "/";
    private OptionalLong uid = OptionalLong.empty();
    private OptionalLong gid = OptionalLong.empty();

    private Builder() {}

    private Builder(LaunchPlan p) {
      create.addAll(p.create);
      join.putAll(p.join);
      uidMap.addAll(p.uidMap);
      gidMap.addAll(p.gidMap);
      rootSource = p.rootSource;
      rootReadonly = p.rootReadonly;
      mounts.addAll(p.mounts);
      mountProc = p.mountProc;
      mountSysfs = p.mountSysfs;
      populateDev = p.populateDev;
      mountDevpts = p.mountDevpts;
      consoles.addAll(p.consoles);
      hostname = p.hostname;
      dropCapabilities.addAll(p.dropCapabilities);
      argv.addAll(p.argv);
      env.addAll(p.env);
      cwd = p.cwd;
      uid = p.uid;
      gid = p.gid;
    }

    public Builder create(Namespace... namespaces) {
      for (Namespace ns : namespaces) {
        create.add(ns);
      }
      return this;
    }

    /** Join an existing namespace, given as an open fd of the launching process. */
    public Builder join(Namespace ns, int fd) {
      if (!ns.joinable()) {
        throw new IllegalArgumentException("only net, ipc and uts namespaces can be joined, not " + ns);
      }
      if (fd < 0) {
        throw new IllegalArgumentException("namespace fd must not be negative: " + fd);
      }
      join.put(ns, fd);
      return this;
    }

    /** Forget the namespaces to join (the launcher renumbers them). */
    public Builder clearJoin() {
      join.clear();
      return this;
    }

    public Builder uidMap(IdMapping m) {
      uidMap.add(m);
      return this;
    }

    public Builder gidMap(IdMapping m) {
      gidMap.add(m);
      return this;
    }

    public Builder root(String source, boolean readonly) {
      requireAbsolute("root filesystem source", source);
      rootSource = source;
      rootReadonly = readonly;
      return this;
    }

    public Builder mount(MountSpec m) {
      if (m.target().equals("/")) {
        throw new IllegalArgumentException("the root filesystem is set with root(), not as a mount");
      }
      mounts.add(m);
      return this;
    }

    public Builder mountProc(boolean on) {
      mountProc = on;
      return this;
    }

    public Builder mountSysfs(boolean on) {
      mountSysfs = on;
      return this;
    }

    public Builder populateDev(boolean on) {
      populateDev = on;
      return this;
    }

    public Builder mountDevpts(boolean on) {
      mountDevpts = on;
      return this;
    }

    /** proc, read-only sysfs, a populated tmpfs /dev and a private devpts: what libvirt_lxc always sets up. */
    public Builder standardFilesystems() {
      return mountProc(true).mountSysfs(true).populateDev(true).mountDevpts(true);
    }

    /** The one console tty (host path), or null for none; replaces any consoles set before. */
    public Builder console(String hostTtyPath) {
      return consoles(hostTtyPath == null ? List.of() : List.of(hostTtyPath));
    }

    /** The console ttys (host paths) in {@code <console>} order; replaces any consoles set before. */
    public Builder consoles(List<String> hostTtyPaths) {
      for (String path : hostTtyPaths) {
        requireAbsolute("console tty path", path);
      }
      consoles.clear();
      consoles.addAll(hostTtyPaths);
      return this;
    }

    public Builder hostname(String name) {
      if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,63}")) {
        throw new IllegalArgumentException("hostname must be 1-64 letters, digits, '-' or '.', not starting with them: " + name);
      }
      hostname = name;
      return this;
    }

    /** Drop a capability, by libvirt name ("sys_module") from the bounding set. */
    public Builder dropCapability(String name) {
      dropCapabilities.add(Capability.number(name));
      return this;
    }

    public Builder argv(List<String> args) {
      argv.clear();
      for (String a : args) {
        requireNoNul("argument", a);
        argv.add(a);
      }
      return this;
    }

    public Builder argv(String... args) {
      return argv(List.of(args));
    }

    /** Append one NAME=value to init's environment. */
    public Builder env(String name, String value) {
      if (name.isEmpty() || name.contains("=")) {
        throw new IllegalArgumentException("environment name must be non-empty and without '=': " + name);
      }
      requireNoNul("environment name", name);
      requireNoNul("environment value", value);
      env.add(name + "=" + value);
      return this;
    }

    public Builder cwd(String dir) {
      requireAbsolute("working directory", dir);
      cwd = dir;
      return this;
    }

    public Builder uid(long id) {
      uid = OptionalLong.of(checkId("uid", id));
      return this;
    }

    public Builder gid(long id) {
      gid = OptionalLong.of(checkId("gid", id));
      return this;
    }

    private static long checkId(String what, long id) {
      if (id < 0 || id >= 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(what + " must be between 0 and 4294967294: " + id);
      }
      return id;
    }

    /** Checks how the parts fit together and returns the immutable plan. */
    public LaunchPlan build() {
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("argv must not be empty");
      }
      requireAbsolute("init (argv[0])", argv.get(0));
      for (Namespace ns : join.keySet()) {
        if (create.contains(ns)) {
          throw new IllegalArgumentException("namespace " + ns + " cannot be both created and joined");
        }
      }
      boolean user = create.contains(Namespace.USER);
      if (user != (!uidMap.isEmpty() && !gidMap.isEmpty()) || (!user && !(uidMap.isEmpty() && gidMap.isEmpty()))) {
        throw new IllegalArgumentException("a user namespace needs both uid and gid maps, and maps need a user namespace");
      }
      boolean needsMountNs = !rootSource.equals("/") || rootReadonly || !mounts.isEmpty() || mountProc
          || mountSysfs || populateDev || mountDevpts || !consoles.isEmpty();
      if (needsMountNs && !create.contains(Namespace.MOUNT)) {
        throw new IllegalArgumentException("root, mounts, /dev and console need a new mount namespace");
      }
      if (hostname != null && !create.contains(Namespace.UTS) && !join.containsKey(Namespace.UTS)) {
        throw new IllegalArgumentException("setting the hostname needs a new or joined uts namespace");
      }
      if (!consoles.isEmpty() && !populateDev) {
        throw new IllegalArgumentException("binding the console needs the tmpfs /dev");
      }
      return new LaunchPlan(this);
    }
  }
}
