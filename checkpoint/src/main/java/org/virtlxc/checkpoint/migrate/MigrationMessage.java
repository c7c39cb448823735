package org.virtlxc.checkpoint.migrate;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;
import org.virtlxc.checkpoint.image.HostFacts;

/**
 * The control messages of virt-lxc's migration protocol (version {@value #PROTOCOL}), sent as JSON objects whose
 * {@code type} names the record. The order of one migration (source S, destination D):
 *
 * <ol>
 *   <li>S → D {@link Hello}: the domain, the source host's facts, the memory it needs, the paths it needs shared.</li>
 *   <li>D → S {@link Accept} (with D's facts and warnings) or {@link Refuse} (the reasons; the connection ends).</li>
 *   <li>With a storage copy ({@link Hello#copyStorage}), twice (while the domain runs, then once it is stopped):
 *       S → D {@link StorageRequest}; D → S its trees' listings as a data stream (JSON); S → D {@link StorageChanges}
 *       and a tar data stream per tree; D → S {@link StorageSynced} (see {@link StorageSync}).</li>
 *   <li>S → D the save image as data frames ({@link MigrationChannel#imageOutput}), ended by an end frame or, if S
 *       fails meanwhile, by an abort frame naming why.</li>
 *   <li>D → S {@link Restored}: the domain runs on D with its processes still stopped; or {@link Failed}: D removed
 *       everything it created.</li>
 *   <li>S → D {@link Commit}: S gives the domain up. D continues the processes and answers {@link Done}; only then
 *       does S end its own stopped copy. A D that sees the connection end before {@link Commit} destroys its copy.</li>
 * </ol>
 *
 * <p>Post-copy ({@link Hello#postcopy()}): the image holds everything but the anonymous memory, which stays with the
 * source's CRIU (its lazy page server). D's {@link Accept} carries a {@link Accept#pageToken() token}; S opens a
 * second connection, sends {@link Pages} with it, and from then on that connection carries CRIU's page traffic
 * (D's {@code criu lazy-pages} to S's page server) as raw bytes. After the {@link Commit}, D's domain runs while its
 * memory arrives; D answers {@link Done} once every page is there (S's CRIU then ends and S ends its stopped copy),
 * or {@link Failed} if the page transfer broke: that cannot be undone.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MigrationMessage.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = MigrationMessage.Accept.class, name = "accept"),
    @JsonSubTypes.Type(value = MigrationMessage.Refuse.class, name = "refuse"),
    @JsonSubTypes.Type(value = MigrationMessage.Restored.class, name = "restored"),
    @JsonSubTypes.Type(value = MigrationMessage.Failed.class, name = "failed"),
    @JsonSubTypes.Type(value = MigrationMessage.Commit.class, name = "commit"),
    @JsonSubTypes.Type(value = MigrationMessage.Done.class, name = "done"),
    @JsonSubTypes.Type(value = MigrationMessage.Pages.class, name = "pages"),
    @JsonSubTypes.Type(value = MigrationMessage.StorageRequest.class, name = "storage-request"),
    @JsonSubTypes.Type(value = MigrationMessage.StorageChanges.class, name = "storage-changes"),
    @JsonSubTypes.Type(value = MigrationMessage.StorageSynced.class, name = "storage-synced")})
public sealed interface MigrationMessage {
  /** The protocol version a {@link Hello} carries; a destination refuses any other. */
  int PROTOCOL = 1;

  /**
   * The source proposes a migration.
   *
   * @param protocol    {@link #PROTOCOL}
   * @param domainName  the domain
   * @param domainUuid  its UUID
   * @param domainXml   the definition the destination is to run (and define, with {@code persistent})
   * @param host        the source host's facts (kernel, architecture, CPU flags, CRIU)
   * @param memoryBytes the memory the domain's processes use now (anonymous memory of the tree)
   * @param sharedPaths host paths the domain needs at the same place on the destination (root filesystem, bind mounts)
   * @param persistent  define the domain on the destination (virsh {@code --persistent})
   * @param compressed  the image comes zstd-compressed
   * @param postcopy    post-copy: the image holds no anonymous memory, the destination pulls it (CRIU lazy pages)
   * @param copyStorage whether the domain's writable filesystems are copied to the destination first (null: none)
   */
  record Hello(int protocol, String domainName, String domainUuid, String domainXml, HostFacts host, long memoryBytes,
               List<String> sharedPaths, boolean persistent, boolean compressed, boolean postcopy,
               StorageCopy copyStorage)
      implements MigrationMessage {
    public Hello {
      Objects.requireNonNull(domainName, "domainName");
      Objects.requireNonNull(domainUuid, "domainUuid");
      Objects.requireNonNull(domainXml, "domainXml");
      Objects.requireNonNull(host, "host");
      sharedPaths = List.copyOf(sharedPaths);
      copyStorage = copyStorage == null ? StorageCopy.NONE : copyStorage;
    }

    /** A stop-and-copy hello without a storage copy. */
    public Hello(int protocol, String domainName, String domainUuid, String domainXml, HostFacts host,
        long memoryBytes, List<String> sharedPaths, boolean persistent, boolean compressed) {
      this(protocol, domainName, domainUuid, domainXml, host, memoryBytes, sharedPaths, persistent, compressed, false,
          StorageCopy.NONE);
    }
  }

  /**
   * The destination takes the domain; {@code warnings} are worth telling the user (e.g. an older kernel);
   * {@code pageToken}, for a post-copy migration only, names it on the page connection ({@link Pages}).
   */
  record Accept(HostFacts host, List<String> warnings, String pageToken) implements MigrationMessage {
    public Accept {
      warnings = List.copyOf(warnings);
    }

    public Accept(HostFacts host, List<String> warnings) {
      this(host, warnings, null);
    }
  }

  /**
   * First and only message of a post-copy migration's page connection: the {@link Accept#pageToken()} of the
   * migration it serves; raw page traffic follows.
   */
  record Pages(String token) implements MigrationMessage {
    public Pages {
      Objects.requireNonNull(token, "token");
    }
  }

  /** The destination will not take the domain, for {@code reasons}. */
  record Refuse(List<String> reasons) implements MigrationMessage {
    public Refuse {
      reasons = List.copyOf(reasons);
    }
  }

  /** The destination runs the domain (its processes stopped until {@link Commit}). */
  record Restored(String domainName) implements MigrationMessage {}

  /** The destination could not restore the domain and removed everything it had created for it. */
  record Failed(String reason) implements MigrationMessage {}

  /** The source gives the domain up: the destination is to let it run. */
  record Commit(String domainName) implements MigrationMessage {}

  /** The domain runs on the destination. */
  record Done(String domainName) implements MigrationMessage {}

  /** The source asks for the listings of the destination's copies of the domain's trees ({@code pass} 1, 2). */
  record StorageRequest(int pass) implements MigrationMessage {}

  /**
   * What the source's trees' tar streams, which follow, change: per tree (in {@link StorageSync#trees} order) the
   * paths to delete first; {@code bytes} of file content follow.
   */
  record StorageChanges(List<List<String>> delete, long bytes) implements MigrationMessage {
    public StorageChanges {
      delete = delete.stream().map(List::copyOf).toList();
    }
  }

  /** The destination's trees equal the source's now: {@code files} and {@code bytes} of content written. */
  record StorageSynced(long files, long bytes) implements MigrationMessage {}
}
