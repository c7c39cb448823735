package org.virtlxc.checkpoint.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import org.virtlxc.domainxml.model.Domain;

/**
 * The first member of a save image: everything {@code save-image-dumpxml}, {@code save-image-info} and the
 * compatibility check need, readable without the rest of the image.
 *
 * @param formatVersion the image format version ({@link SaveImageFormat#VERSION} for images this virt-lxc writes)
 * @param domainName    the domain's name
 * @param domainUuid    the domain's UUID
 * @param domainXml     the inactive domain XML the domain is restored with
 * @param created       when the dump was taken
 * @param runState      whether the domain comes back running or paused
 * @param compression   how the image's tar stream is stored
 * @param host          the host the domain was dumped on
 * @param cgroupLimits  the domain cgroup's limits at dump time, knob file name to value (e.g.
 *                      {@code memory.limit_in_bytes}); informational, the restore re-applies them from the XML
 * @param criuExternals the {@code --external} arguments given to CRIU at dump (each must be provided at restore)
 * @param processCount  processes dumped
 * @param memoryPages   memory pages dumped (in {@code criu/pages-*.img})
 * @param pageSize      bytes per page
 * @param members       the payload members in image order, with their sizes
 */
public record Manifest(int formatVersion, String domainName, String domainUuid, String domainXml, Instant created,
                       RunState runState, Compression compression, HostFacts host, Map<String, String> cgroupLimits,
                       List<String> criuExternals, int processCount, long memoryPages, int pageSize,
                       List<MemberInfo> members) {
  public Manifest {
    Objects.requireNonNull(domainName, "domainName");
    Objects.requireNonNull(domainUuid, "domainUuid");
    Objects.requireNonNull(domainXml, "domainXml");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(runState, "runState");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(host, "host");
    cgroupLimits = Map.copyOf(new TreeMap<>(cgroupLimits));
    criuExternals = List.copyOf(criuExternals);
    members = List.copyOf(members);
    if (members.stream().map(MemberInfo::name).distinct().count() != members.size()) {
      throw new IllegalArgumentException("a member is listed twice: " + members);
    }
    if (processCount < 0 || memoryPages < 0 || pageSize <= 0) {
      throw new IllegalArgumentException("manifest counts must be non-negative and the page size positive: "
          + processCount + " processes, " + memoryPages + " pages of " + pageSize + " bytes");
    }
  }

  /** Starts a manifest for the domain {@code domainXml} describes (its name and UUID are read from it). */
  public static Builder builder(String domainXml) throws SaveImageException {
    return new Builder(domainXml);
  }

  /** Total bytes of the payload members. */
  public long payloadBytes() {
    return members.stream().mapToLong(MemberInfo::size).sum();
  }

  /** Bytes of the memory page members ({@code criu/pages-*.img}). */
  public long pageBytes() {
    return members.stream().filter(MemberInfo::isPages).mapToLong(MemberInfo::size).sum();
  }

  /** A copy with another domain XML (whose name and UUID must be this domain's) and, when not null, run state. */
  public Manifest withDomainXml(String xml, RunState state) throws SaveImageException {
    Domain d = parseDomain(xml);
    if (!domainUuid.equalsIgnoreCase(d.uuid()) || !domainName.equals(d.name())) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, "the new XML describes domain '"
          + d.name() + "' (" + d.uuid() + "), but the image holds domain '" + domainName + "' (" + domainUuid + ")");
    }
    return new Manifest(formatVersion, domainName, domainUuid, xml, created, state == null ? runState : state,
        compression, host, cgroupLimits, criuExternals, processCount, memoryPages, pageSize, members);
  }

  Manifest withWriteDetails(Compression c, List<MemberInfo> payload) {
    return new Manifest(SaveImageFormat.VERSION, domainName, domainUuid, domainXml, created, runState, c, host,
        cgroupLimits, criuExternals, processCount, memoryPages, pageSize, payload);
  }

  static Domain parseDomain(String xml) throws SaveImageException {
    Domain d;
    try {
      d = DomainXml.parse(xml, "domain XML");
    } catch (DomainXmlException e) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT, e.getMessage(), e);
    }
    if (d.uuid() == null || d.uuid().isBlank()) {
      throw new SaveImageException(SaveImageException.Code.INVALID_ARGUMENT,
          "domain XML of '" + d.name() + "' has no <uuid>");
    }
    return d;
  }

  /** Collects the manifest's fields; members, format version and compression are filled by the writer. */
  public static final class Builder {
    private final String xml;
    private final String name;
    private final String uuid;
    private Instant created = Instant.now();
    private RunState runState = RunState.RUNNING;
    private HostFacts host;
    private Map<String, String> cgroupLimits = Map.of();
    private List<String> criuExternals = List.of();
    private int processCount;
    private long memoryPages;
    private int pageSize = 4096;

    private Builder(String xml) throws SaveImageException {
      Domain d = parseDomain(xml);
      this.xml = xml;
      this.name = d.name();
      this.uuid = d.uuid();
    }

    public Builder created(Instant when) {
      this.created = when;
      return this;
    }

    public Builder runState(RunState state) {
      this.runState = state;
      return this;
    }

    public Builder host(HostFacts facts) {
      this.host = facts;
      return this;
    }

    public Builder cgroupLimits(Map<String, String> limits) {
      this.cgroupLimits = limits;
      return this;
    }

    public Builder criuExternals(List<String> externals) {
      this.criuExternals = externals;
      return this;
    }

    public Builder processCount(int count) {
      this.processCount = count;
      return this;
    }

    public Builder memory(long pages, int bytesPerPage) {
      this.memoryPages = pages;
      this.pageSize = bytesPerPage;
      return this;
    }

    /** The manifest; its members and compression are placeholders until the writer writes it. */
    public Manifest build() {
      if (host == null) {
        throw new IllegalStateException("manifest of '" + name + "': host facts not set");
      }
      return new Manifest(SaveImageFormat.VERSION, name, uuid, xml, created, runState, Compression.NONE, host,
          cgroupLimits, criuExternals, processCount, memoryPages, pageSize, List.of());
    }
  }
}
