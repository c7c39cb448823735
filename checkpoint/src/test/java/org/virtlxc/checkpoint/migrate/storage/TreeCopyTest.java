package org.virtlxc.checkpoint.migrate.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tree copied by listing, diff, tar stream and receiver: first whole, then only what changed. */
class TreeCopyTest {
  @TempDir
  Path tmp;

  @Test
  void aCopyEqualsItsSourceAndAnUpdateSendsOnlyWhatChanged() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Path dst = tmp.resolve("dst");
    Files.createDirectories(src.resolve("etc/deep/er"));
    Files.writeString(src.resolve("etc/hostname"), "vlxct\n");
    byte[] big = new byte[3 << 20];
    new Random(1).nextBytes(big);
    Files.write(src.resolve("etc/deep/er/big.bin"), big);
    Files.createFile(src.resolve("empty"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("etc/hostname"));
    Files.createSymbolicLink(src.resolve("dangling"), Path.of("/nowhere/at/all"));
    Files.writeString(src.resolve("suid"), "#!/bin/sh\n");
    Files.setAttribute(src.resolve("suid"), "unix:mode", 04755);
    Files.setAttribute(src.resolve("etc/hostname"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(src.resolve("etc/deep"), "unix:gid", 4321, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(src.resolve("etc/deep"), "unix:mode", 01777, LinkOption.NOFOLLOW_LINKS);
    new ProcessBuilder("mkfifo", src.resolve("fifo").toString()).start().waitFor();
    Files.setLastModifiedTime(src.resolve("etc"), FileTime.fromMillis(1_000_000_000_000L));

    Files.createDirectories(dst);
    Files.setLastModifiedTime(dst, FileTime.fromMillis(0)); // else it may share src's time (the clock is coarse)
    TreeDiff first = copy(src, dst);
    assertTrue(first.delete().isEmpty());
    assertEquals(TreeListing.of(src).size(), first.send().size(), "everything sent the first time");
    assertEquals(TreeListing.of(src), TreeListing.of(dst), "the copy equals its source");
    assertEquals(TreeDiff.between(TreeListing.of(src), TreeListing.of(dst)), new TreeDiff(List.of(), List.of()));

    Files.delete(src.resolve("empty"));
    Files.writeString(src.resolve("etc/hostname"), "vlxct-changed\n");
    deleteTree(src.resolve("etc/deep"));
    Files.writeString(src.resolve("etc/deep"), "now a file\n");
    Files.createDirectory(src.resolve("link2"));
    Files.setLastModifiedTime(src, FileTime.fromMillis(2_000_000_000_000L)); // surely not the time it had
    TreeDiff second = copy(src, dst);
    assertEquals(List.of("empty", "etc/deep"), second.delete());
    assertEquals(List.of(".", "etc", "etc/deep", "etc/hostname", "link2"),
        second.send().stream().map(TreeEntry::path).toList(), "only what changed, and the directories holding it");
    assertEquals(TreeListing.of(src), TreeListing.of(dst));
    assertEquals("vlxct-changed\n", Files.readString(dst.resolve("etc/hostname")));
    assertFalse(Files.exists(dst.resolve("etc/deep/er/big.bin")));
  }

  @Test
  void whatTheProgressThrowsEndsTheSending() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.write(src.resolve("a"), new byte[3 << 20]);
    Files.write(src.resolve("b"), new byte[3 << 20]);
    List<TreeEntry> all = TreeListing.of(src);
    long[] sent = new long[1];
    IOException e = assertThrows(IOException.class, () -> TreeSender.send(src, all, new ByteArrayOutputStream(), n -> {
      sent[0] += n;
      if (sent[0] >= 1 << 20) {
        throw new IOException("vlxct: aborted");
      }
    }));
    assertEquals("vlxct: aborted", e.getMessage());
    assertEquals(1 << 20, sent[0], "nothing sent after the progress said stop");
  }

  @Test
  void namesOutsideTheTreeAreRefused() throws Exception {
    Path dst = tmp.resolve("dst");
    assertThrows(IllegalArgumentException.class, () -> new TreeReceiver(dst).receive(tar("../escape", null)));
    assertThrows(IllegalArgumentException.class, () -> new TreeReceiver(dst).receive(tar("/etc/escape", null)));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    IOException e = assertThrows(IOException.class,
        () -> new TreeReceiver(dst).receive(tar("up", outside.toString(), "up/escape")));
    assertTrue(e.getMessage().contains("not inside " + dst), e.getMessage());
    try (var s = Files.list(outside)) {
      assertEquals(0, s.count(), "nothing written through the link");
    }
    assertThrows(IllegalArgumentException.class, () -> new TreeReceiver(dst).delete(List.of("a/../../b")));
  }

  private static TreeDiff copy(Path src, Path dst) throws IOException {
    Files.createDirectories(dst);
    TreeDiff diff = TreeDiff.between(TreeListing.of(src), TreeListing.of(dst));
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    long[] sent = new long[1];
    TreeSender.send(src, diff.send(), stream, n -> sent[0] += n);
    assertEquals(diff.bytes(), sent[0], "content bytes counted");
    TreeReceiver receiver = new TreeReceiver(dst);
    receiver.delete(diff.delete());
    receiver.receive(new ByteArrayInputStream(stream.toByteArray()));
    assertEquals(diff.bytes(), receiver.bytes());
    return diff;
  }

  /** A tar with a symbolic link {@code link} to {@code target} (if not null), then an empty file {@code file}. */
  private static ByteArrayInputStream tar(String link, String target, String file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry l = new TarArchiveEntry(link, TarConstants.LF_SYMLINK, true);
      l.setLinkName(target);
      t.putArchiveEntry(l);
      t.closeArchiveEntry();
      TarArchiveEntry f = new TarArchiveEntry(file, TarConstants.LF_NORMAL, true);
      t.putArchiveEntry(f);
      t.closeArchiveEntry();
    }
    return new ByteArrayInputStream(bytes.toByteArray());
  }

  /** A tar with one empty file {@code name} (or a link to {@code target} when not null). */
  private static ByteArrayInputStream tar(String name, String target) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry f = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
      t.putArchiveEntry(f);
      t.closeArchiveEntry();
    }
    return new ByteArrayInputStream(bytes.toByteArray());
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
