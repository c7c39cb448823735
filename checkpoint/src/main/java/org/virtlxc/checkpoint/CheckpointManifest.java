package org.virtlxc.checkpoint;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.virtlxc.checkpoint.criu.ConsoleTty;
import org.virtlxc.checkpoint.criu.CriuExternals;
import org.virtlxc.checkpoint.criu.ExternalNetns;
import org.virtlxc.checkpoint.criu.ExtraConsole;

/**
 * What a restore needs besides CRIU's images, written next to them in {@value #FILE} (with the domain XML in
 * {@value #DOMAIN_XML}): the domain's name and UUID, the init's host pid at dump time and the externals declared to
 * CRIU (with {@code netns.inode} when the container had its own network namespace). The file is written before the dump and removed if the dump fails, so its presence marks a complete dump.
 */
public record CheckpointManifest(String name, String uuid, long initPid, CriuExternals externals, Instant dumpedAt) {
  public static final String FILE = "virt-lxc-checkpoint.properties";
  public static final String DOMAIN_XML = "domain.xml";
  static final int FORMAT = 1;

  /** Reads the manifest of {@code imageDir}; the message names the file and what is wrong with it. */
  public static CheckpointManifest read(Path imageDir) throws CheckpointException {
    Path file = imageDir.resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new CheckpointException("unable to read checkpoint " + imageDir + ": no " + FILE
          + " (not a complete virt-lxc dump)", e);
    } catch (IOException e) {
      throw new CheckpointException("unable to read " + file + ": " + e.getMessage(), e);
    }
    try {
      String format = required(p, "format");
      if (!format.equals(Integer.toString(FORMAT))) {
        throw new IllegalArgumentException("unsupported format " + format + " (this virt-lxc reads " + FORMAT + ")");
      }
      String netns = p.getProperty("netns.inode");
      List<ExtraConsole> extra = new ArrayList<>();
      for (int i = 1; p.getProperty("console." + i + ".tty") != null; i++) {
        extra.add(new ExtraConsole(i, ConsoleTty.parse(required(p, "console." + i + ".tty")),
            list(p, "console." + i + ".mount")));
      }
      CriuExternals externals = new CriuExternals(ConsoleTty.parse(required(p, "console.tty")),
          list(p, "console.mount"), list(p, "bind.mount"),
          netns == null ? null : new ExternalNetns(Long.parseLong(netns.strip())), extra);
      return new CheckpointManifest(required(p, "domain.name"), required(p, "domain.uuid"),
          Long.parseLong(required(p, "init.pid")), externals, Instant.parse(required(p, "dumped.at")));
    } catch (RuntimeException e) {
      throw new CheckpointException("unable to read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the manifest into {@code imageDir} (temp file, then rename). */
  public void write(Path imageDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(FORMAT));
    p.setProperty("domain.name", name);
    p.setProperty("domain.uuid", uuid);
    p.setProperty("init.pid", Long.toString(initPid));
    p.setProperty("console.tty", externals.consoleTty().key());
    putList(p, "console.mount", externals.consoleMounts());
    for (ExtraConsole c : externals.extraConsoles()) {
      p.setProperty("console." + c.index() + ".tty", c.tty().key());
      putList(p, "console." + c.index() + ".mount", c.mounts());
    }
    putList(p, "bind.mount", externals.bindMounts());
    if (externals.netns() != null) {
      p.setProperty("netns.inode", Long.toString(externals.netns().inode()));
    }
    p.setProperty("dumped.at", dumpedAt.toString());
    Path tmp = imageDir.resolve(FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "virt-lxc checkpoint: what restore needs besides CRIU's images");
    }
    Files.move(tmp, imageDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v.strip();
  }

  private static List<String> list(Properties p, String prefix) {
    List<String> values = new ArrayList<>();
    for (int i = 0; p.getProperty(prefix + "." + i) != null; i++) {
      values.add(p.getProperty(prefix + "." + i));
    }
    return values;
  }

  private static void putList(Properties p, String prefix, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      p.setProperty(prefix + "." + i, values.get(i));
    }
  }
}
