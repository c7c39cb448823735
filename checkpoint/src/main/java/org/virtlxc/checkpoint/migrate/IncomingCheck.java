package org.virtlxc.checkpoint.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.virtlxc.checkpoint.image.Compatibility;
import org.virtlxc.checkpoint.image.CompatibilityReport;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.SaveImageException;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.DomainXmlException;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;

/**
 * The destination's decision on a {@link MigrationMessage.Hello}, before anything is touched: protocol version; the
 * XML names the domain the hello names; this host can restore what the source host dumps (architecture, CPU
 * features, CRIU; {@link Compatibility}); the domain neither runs here nor clashes with another domain's name or
 * UUID, and has no pending restore; enough memory is available; every host path it needs (root filesystem, bind
 * mount sources: shared storage) exists here, or, with a storage copy, each tree to copy is a directory here (or can
 * be made), empty for {@link StorageCopy#ALL}, and only the read-only sources need to exist.
 *
 * @param host            this host's facts
 * @param availableMemory bytes this host can give (MemAvailable)
 * @param presence        what libvirtd knows of the domain here
 * @param pendingRestore  whether the domain has a pending restore (a managed save) here
 * @param pathExists      whether a host path exists here
 * @param pathHasContent  whether a host path exists here and is something other than an empty directory
 */
public record IncomingCheck(HostFacts host, long availableMemory, MigrationTarget.Presence presence,
                            boolean pendingRestore, Predicate<String> pathExists, Predicate<String> pathHasContent) {

  /** Accept (with the compatibility warnings) or Refuse (every reason). */
  public MigrationMessage decide(MigrationMessage.Hello hello) {
    List<String> reasons = new ArrayList<>();
    if (hello.protocol() != MigrationMessage.PROTOCOL) {
      return new MigrationMessage.Refuse(List.of("the source speaks migration protocol " + hello.protocol()
          + ", this host " + MigrationMessage.PROTOCOL));
    }
    Domain domain;
    Manifest asDumped;
    try {
      domain = DomainXml.parse(hello.domainXml(), "the domain XML of " + hello.domainName());
      asDumped = Manifest.builder(hello.domainXml()).host(hello.host()).build();
    } catch (DomainXmlException | SaveImageException e) {
      return new MigrationMessage.Refuse(List.of(e.getMessage()));
    }
    if (!hello.domainName().equals(domain.name()) || !hello.domainUuid().equalsIgnoreCase(domain.uuid())) {
      return new MigrationMessage.Refuse(List.of("the domain XML describes " + domain.name() + " (" + domain.uuid()
          + "), not " + hello.domainName() + " (" + hello.domainUuid() + ")"));
    }
    CompatibilityReport compat = Compatibility.check(asDumped, host);
    reasons.addAll(compat.problems());
    if (presence.runningUuid() != null) {
      reasons.add("domain " + hello.domainName() + " is already running on this host");
    }
    if (presence.nameTakenBy() != null) {
      reasons.add("another domain named " + hello.domainName() + " is defined on this host (UUID "
          + presence.nameTakenBy() + ")");
    }
    if (presence.uuidTakenBy() != null) {
      reasons.add("UUID " + hello.domainUuid() + " belongs to domain " + presence.uuidTakenBy() + " on this host");
    }
    if (pendingRestore) {
      reasons.add("domain " + hello.domainName() + " has a pending restore (managed save) on this host");
    }
    if (hello.memoryBytes() > availableMemory) {
      reasons.add("not enough memory: the domain uses " + mib(hello.memoryBytes()) + " MiB, this host has "
          + mib(availableMemory) + " MiB available");
    }
    if (hello.copyStorage() == StorageCopy.NONE) {
      for (String path : sharedPaths(domain)) {
        if (!pathExists.test(path)) {
          reasons.add("host path " + path + " of the domain does not exist on this host (the root filesystem and"
              + " bind mount sources must be on shared storage, at the same path; or copy them with"
              + " --copy-storage-all)");
        }
      }
    } else {
      storageCopyProblems(domain, hello.copyStorage(), reasons);
    }
    return reasons.isEmpty() ? new MigrationMessage.Accept(host, compat.warnings())
        : new MigrationMessage.Refuse(reasons);
  }

  private void storageCopyProblems(Domain domain, StorageCopy copy, List<String> reasons) {
    for (String path : StorageSync.readOnlySources(domain)) {
      if (!pathExists.test(path)) {
        reasons.add("host path " + path + " of the domain does not exist on this host (read-only filesystems are not"
            + " copied: they must be on shared storage, at the same path)");
      }
    }
    for (String path : StorageSync.trees(domain)) {
      if (path.equals("/") || path.isEmpty()) {
        reasons.add("the domain's filesystem " + path + " is the host's root directory, which a storage copy does not"
            + " copy");
      } else if (copy == StorageCopy.ALL && pathHasContent.test(path)) {
        reasons.add("host path " + path + " already exists on this host and is not an empty directory:"
            + " --copy-storage-all copies into new directories only (--copy-storage-inc updates an existing copy)");
      }
    }
  }

  /** The host directories a domain needs: sources of its {@code <filesystem type='mount'>} (root included). */
  public static List<String> sharedPaths(Domain domain) {
    List<String> paths = new ArrayList<>();
    if (domain.devices() == null) {
      return paths;
    }
    for (Filesystem fs : domain.devices().filesystems()) {
      String type = fs.type() == null ? "mount" : fs.type();
      if ((type.equals("mount") || type.equals("bind")) && fs.source() != null && fs.source().dir() != null) {
        paths.add(fs.source().dir());
      }
    }
    return paths;
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }
}
