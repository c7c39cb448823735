package org.virtlxc.checkpoint.criu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a container shares with its host and what CRIU must therefore be told about, on both sides: the console pty
 * (an external tty, re-attached to the new console on restore), the mounts of that pty inside the container and the
 * host directories bound into it (external mounts, keyed {@code console0..}, {@code bind0..}).
 *
 * @param consoleTty the console pty slave of the dumped container
 * @param consoleMounts mount points (in the container) of that pty, e.g. {@code /dev/console}, {@code /dev/tty1}
 * @param bindMounts mount points (in the container) of host directories, in domain XML order
 * @param netns the container's own network namespace (or one it shares with others), or null when it shares the
 *     host's
 * @param extraConsoles the consoles after the first, each an external tty with its own mounts
 */
public record CriuExternals(ConsoleTty consoleTty, List<String> consoleMounts, List<String> bindMounts,
    ExternalNetns netns, List<ExtraConsole> extraConsoles) {
  public CriuExternals {
    consoleMounts = List.copyOf(consoleMounts);
    bindMounts = List.copyOf(bindMounts);
    extraConsoles = List.copyOf(extraConsoles);
  }

  /** A container with one console. */
  public CriuExternals(ConsoleTty consoleTty, List<String> consoleMounts, List<String> bindMounts,
      ExternalNetns netns) {
    this(consoleTty, consoleMounts, bindMounts, netns, List.of());
  }

  /** A container in the host's network namespace. */
  public CriuExternals(ConsoleTty consoleTty, List<String> consoleMounts, List<String> bindMounts) {
    this(consoleTty, consoleMounts, bindMounts, null);
  }

  /** Mount point in the container → external key. */
  public Map<String, String> mountKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < consoleMounts.size(); i++) {
      keys.put(consoleMounts.get(i), "console" + i);
    }
    for (ExtraConsole c : extraConsoles) {
      for (int i = 0; i < c.mounts().size(); i++) {
        keys.put(c.mounts().get(i), c.mountKey(i));
      }
    }
    for (int i = 0; i < bindMounts.size(); i++) {
      keys.put(bindMounts.get(i), "bind" + i);
    }
    return keys;
  }

  /** The {@code --external} options of a dump. */
  public List<String> dumpArgs() {
    List<String> a = new ArrayList<>();
    a.add("--external");
    a.add(consoleTty.external());
    for (ExtraConsole c : extraConsoles) {
      a.add("--external");
      a.add(c.tty().external());
    }
    for (Map.Entry<String, String> e : mountKeys().entrySet()) {
      a.add("--external");
      a.add("mnt[" + e.getKey() + "]:" + e.getValue());
    }
    if (netns != null) {
      a.add("--external");
      a.add(netns.dumpExternal());
    }
    return a;
  }

  /**
   * The {@code --inherit-fd} and {@code --external} options of a restore: the console becomes fd {@code consoleFd}
   * of CRIU (the new pty slave, also bound at {@code consoleSlave}); bind mount {@code i} gets {@code bindSources[i]}.
   */
  public List<String> restoreArgs(int consoleFd, String consoleSlave, List<String> bindSources) {
    return restoreArgs(consoleFd, consoleSlave, bindSources, OptionalInt.empty());
  }

  /**
   * As {@link #restoreArgs(int, String, List)}, and the container's own network namespace is CRIU's fd {@code netnsFd}
   * (a fresh one, set up from the domain XML). Present exactly when the checkpoint has an {@link ExternalNetns}.
   */
  public List<String> restoreArgs(int consoleFd, String consoleSlave, List<String> bindSources, OptionalInt netnsFd) {
    return restoreArgs(consoleFd, List.of(consoleSlave), consoleFd, bindSources, netnsFd);
  }

  /**
   * As {@link #restoreArgs(int, String, List, OptionalInt)} for a domain with the consoles {@code consoleSlaves} (new
   * pty slaves, the first one CRIU's fd {@code consoleFd}); the checkpoint's extra console {@code i} becomes CRIU's fd
   * {@code firstExtraFd + i - 1}, and must have a console in the domain.
   */
  public List<String> restoreArgs(int consoleFd, List<String> consoleSlaves, int firstExtraFd,
      List<String> bindSources, OptionalInt netnsFd) {
    if (netns != null && netnsFd.isEmpty()) {
      throw new IllegalArgumentException("the checkpoint has its own network namespace, the domain has no <interface>"
          + " (nor <privnet/>, nor <lxc:sharenet>) to restore it with");
    }
    if (netns == null && netnsFd.isPresent()) {
      throw new IllegalArgumentException("the domain has an <interface> (or <privnet/>, or <lxc:sharenet>), the"
          + " checkpoint was taken in the host's network namespace");
    }
    if (bindSources.size() != bindMounts.size()) {
      throw new IllegalArgumentException("the image has " + bindMounts.size() + " host bind mounts " + bindMounts
          + ", the domain " + bindSources.size());
    }
    int consoles = 1 + extraConsoles.stream().mapToInt(ExtraConsole::index).max().orElse(0);
    if (consoleSlaves.size() < consoles) {
      throw new IllegalArgumentException("the checkpoint has " + consoles + " consoles, the domain "
          + consoleSlaves.size() + " <console> elements");
    }
    List<String> a = new ArrayList<>();
    a.add("--inherit-fd");
    a.add("fd[" + consoleFd + "]:" + consoleTty.external());
    for (int i = 0; i < consoleMounts.size(); i++) {
      a.add("--external");
      a.add("mnt[console" + i + "]:" + consoleSlaves.get(0));
    }
    for (ExtraConsole c : extraConsoles) {
      a.add("--inherit-fd");
      a.add("fd[" + (firstExtraFd + c.index() - 1) + "]:" + c.tty().external());
      for (int i = 0; i < c.mounts().size(); i++) {
        a.add("--external");
        a.add("mnt[" + c.mountKey(i) + "]:" + consoleSlaves.get(c.index()));
      }
    }
    for (int i = 0; i < bindMounts.size(); i++) {
      a.add("--external");
      a.add("mnt[bind" + i + "]:" + bindSources.get(i));
    }
    if (netnsFd.isPresent()) {
      a.add("--inherit-fd");
      a.add(ExternalNetns.inheritFd(netnsFd.getAsInt()));
    }
    return a;
  }
}
