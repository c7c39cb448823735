package org.virtlxc.checkpoint.migrate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.migrate.storage.TreeDiff;
import org.virtlxc.checkpoint.migrate.storage.TreeEntry;
import org.virtlxc.checkpoint.migrate.storage.TreeListing;
import org.virtlxc.checkpoint.migrate.storage.TreeReceiver;
import org.virtlxc.checkpoint.migrate.storage.TreeSender;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;

/**
 * One pass of a storage copy over a migration's connection (see {@link MigrationMessage}): the source asks for the
 * destination's listings of the domain's trees, sends what differs as tar streams, and the destination applies it.
 * A migration makes two passes: one while the domain runs (most of the data), one once its processes are stopped
 * (what changed meanwhile), so that the destination's copy equals the trees the dumped processes saw.
 */
final class StorageSync {
  /** How long one side may take to list, send or apply a tree. */
  static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<List<TreeEntry>>> LISTINGS = new TypeReference<>() {};

  private StorageSync() {}

  /**
   * The host directories a storage copy copies: the sources of the domain's writable {@code <filesystem
   * type='mount'>} (the root filesystem among them). Read-only ones (e.g. a host's /usr shared into the container)
   * stay shared: the destination must have them.
   */
  static List<String> trees(Domain domain) {
    List<String> trees = new ArrayList<>();
    for (Filesystem fs : mountFilesystems(domain)) {
      if (fs.readonly() == null) {
        trees.add(fs.source().dir());
      }
    }
    return trees;
  }

  /** The read-only mount sources, which a storage copy leaves shared. */
  static List<String> readOnlySources(Domain domain) {
    List<String> paths = new ArrayList<>();
    for (Filesystem fs : mountFilesystems(domain)) {
      if (fs.readonly() != null) {
        paths.add(fs.source().dir());
      }
    }
    return paths;
  }

  private static List<Filesystem> mountFilesystems(Domain domain) {
    List<Filesystem> list = new ArrayList<>();
    if (domain.devices() == null) {
      return list;
    }
    for (Filesystem fs : domain.devices().filesystems()) {
      String type = fs.type() == null ? "mount" : fs.type();
      if ((type.equals("mount") || type.equals("bind")) && fs.source() != null && fs.source().dir() != null) {
        list.add(fs);
      }
    }
    return list;
  }

  /**
   * The source's side of pass {@code pass}; {@code sent} hears the file bytes as they go, and what it throws (a
   * {@code domjobabort}) ends the pass (the connection is then unusable: the migration fails).
   */
  static MigrationMessage.StorageSynced push(MigrationChannel channel, List<String> trees, int pass,
      TreeSender.Progress sent) throws IOException {
    try {
      channel.send(new MigrationMessage.StorageRequest(pass));
      List<List<TreeEntry>> theirs;
      try (InputStream in = channel.imageInput()) {
        theirs = JSON.readValue(in.readAllBytes(), LISTINGS);
      }
      if (theirs.size() != trees.size()) {
        throw new IOException("protocol error: the destination listed " + theirs.size() + " trees, not "
            + trees.size());
      }
      List<TreeDiff> diffs = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; i < trees.size(); i++) {
        TreeDiff d = TreeDiff.between(TreeListing.of(Path.of(trees.get(i))), theirs.get(i));
        diffs.add(d);
        bytes += d.bytes();
      }
      channel.send(new MigrationMessage.StorageChanges(diffs.stream().map(TreeDiff::delete).toList(), bytes));
      for (int i = 0; i < trees.size(); i++) {
        try (OutputStream out = channel.imageOutput()) {
          TreeSender.send(Path.of(trees.get(i)), diffs.get(i).send(), out, sent);
        }
      }
      MigrationMessage answer = channel.receive(STEP_TIMEOUT);
      if (answer instanceof MigrationMessage.StorageSynced synced) {
        return synced;
      }
      throw new IOException(answer instanceof MigrationMessage.Failed f ? "the destination failed: " + f.reason()
          : "protocol error: expected storage-synced, got " + answer);
    } catch (JobAbortedException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("storage copy (pass " + pass + ") failed: " + destinationsReason(channel, e), e);
    }
  }

  /** The destination's side of one pass: lists its trees, applies the source's changes, reports. */
  static MigrationMessage.StorageSynced serve(MigrationChannel channel, List<String> trees) throws IOException {
    channel.expect(MigrationMessage.StorageRequest.class, STEP_TIMEOUT);
    List<List<TreeEntry>> mine = new ArrayList<>();
    for (String t : trees) {
      Path p = Path.of(t);
      mine.add(Files.isDirectory(p) ? TreeListing.of(p) : List.of());
    }
    try (OutputStream out = channel.imageOutput()) {
      out.write(JSON.writeValueAsBytes(mine));
    }
    MigrationMessage.StorageChanges changes = channel.expect(MigrationMessage.StorageChanges.class, STEP_TIMEOUT);
    if (changes.delete().size() != trees.size()) {
      throw new IOException("protocol error: the source changes " + changes.delete().size() + " trees, not "
          + trees.size());
    }
    long files = 0;
    long bytes = 0;
    for (int i = 0; i < trees.size(); i++) {
      TreeReceiver receiver = new TreeReceiver(Path.of(trees.get(i)));
      receiver.delete(changes.delete().get(i));
      try (InputStream in = channel.imageInput()) {
        receiver.receive(in);
        in.transferTo(OutputStream.nullOutputStream()); // the tar's last padding, up to the end frame
      }
      files += receiver.files();
      bytes += receiver.bytes();
    }
    MigrationMessage.StorageSynced synced = new MigrationMessage.StorageSynced(files, bytes);
    channel.send(synced);
    return synced;
  }

  /** The destination's own reason, when it sent one before the connection broke; else {@code e}'s. */
  private static String destinationsReason(MigrationChannel channel, IOException e) {
    if (e.getMessage() != null && e.getMessage().startsWith("the destination failed")) {
      return e.getMessage();
    }
    try {
      if (channel.receive(Duration.ofSeconds(2)) instanceof MigrationMessage.Failed f) {
        return "the destination failed: " + f.reason();
      }
    } catch (IOException | RuntimeException other) {
      // nothing (more) to read
    }
    return e.getMessage();
  }
}
