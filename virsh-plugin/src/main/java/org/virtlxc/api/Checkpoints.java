package org.virtlxc.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.DomainJobLock;
import org.virtlxc.checkpoint.PendingRestore;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.SaveService;
import org.virtlxc.checkpoint.UnpackedImage;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.RunState;

/**
 * Save, restore and managed save of LXC domains for libvirt-java clients: what {@code virsh save|restore|managedsave}
 * do for QEMU domains, for domains whose {@code <emulator>} is virt-lxc's controller. libvirtd stays in charge: a
 * restore defines the domain if needed and starts it with {@link Domain#create()}; virt-lxc's controller then has
 * CRIU restore the saved tree instead of booting.
 *
 * <pre>{@code
 * Connect conn = new Connect("lxc:///");                  // libvirt-java
 * Checkpoints cp = Checkpoints.create();
 * Domain web = conn.domainLookupByName("web");
 * cp.save(web, Path.of("/srv/web.save"), SaveOptions.defaults());      // web is shut off
 * Domain back = cp.restore(conn, Path.of("/srv/web.save"), RestoreOptions.defaults());  // running again
 * }</pre>
 *
 * <p>Every method runs one job on the domain at a time (a second one fails at once: "operation in progress") and
 * throws {@link CheckpointException} with a message naming the domain, the file and the cause (CRIU's first error, the
 * image's defect, libvirt's own message).
 */
public final class Checkpoints {
  private static final Logger LOG = LogManager.getLogger(Checkpoints.class);
  /** virDomainXMLFlags: VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE. */
  private static final int INACTIVE_XML = 1 | 2;

  private final SaveService service;

  public Checkpoints(SaveService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /** With virt-lxc's installed CRIU ({@code -Dvirtlxc.criu} to override) and libvirtd's LXC state directory. */
  public static Checkpoints create() {
    return new Checkpoints(SaveService.create());
  }

  /**
   * Saves the running {@code domain} to the save image {@code file} (virsh {@code save}); the domain is shut off once
   * the image is durable, unless {@code options} leave it running. On failure it keeps running and {@code file} is
   * untouched.
   */
  public SaveResult save(Domain domain, Path file, SaveOptions options) throws CheckpointException {
    String name = nameOf(domain);
    requireActive(domain, name, "save");
    return service.save(name, file, withInactiveXml(domain, name, options));
  }

  /** {@link #save(Domain, Path, SaveOptions)} of the domain named {@code name} on {@code conn}. */
  public SaveResult save(Connect conn, String name, Path file, SaveOptions options) throws CheckpointException {
    return save(lookup(conn, name), file, options);
  }

  /**
   * Restores the save image {@code file} (virsh {@code restore}) and returns the running (or paused) domain. The whole
   * image is checked first (checksums, truncation, format version, this host's kernel, CPU and CRIU); a running domain
   * of the same name or UUID is refused; an undefined domain is defined from the image's XML (or the options'). On
   * failure the image is kept, no pending restore is left, a domain this call defined is undefined again and a
   * definition the options' XML replaced is defined again.
   */
  public Domain restore(Connect conn, Path file, RestoreOptions options) throws CheckpointException {
    options.listener().phase(SaveListener.Phase.VERIFY);
    try (UnpackedImage unpacked = service.unpack(file, options.listener())) { // checked and unpacked in one pass
      return restore(conn, file, options, unpacked);
    }
  }

  private Domain restore(Connect conn, Path file, RestoreOptions options, UnpackedImage unpacked)
      throws CheckpointException {
    Manifest manifest = unpacked.manifest();
    String name = manifest.domainName();
    String what = "unable to restore domain " + name + " from " + file;
    String xml = manifest.domainXml();
    if (options.domainXml() != null) {
      try {
        xml = manifest.withDomainXml(options.domainXml(), null).domainXml();
      } catch (java.io.IOException e) {
        throw new CheckpointException(what + ": " + e.getMessage(), e);
      }
    }
    RunState state = options.runState() != null ? options.runState() : manifest.runState();
    try (DomainJobLock lock = DomainJobLock.acquire(name, "restore")) {
      DefinitionUndo definition = define(conn, findExisting(conn, manifest, what), xml, options, what);
      Domain domain = definition.domain();
      options.listener().phase(SaveListener.Phase.EXTRACT);
      PendingRestore pending;
      try {
        pending = service.stage(unpacked, state);
      } catch (CheckpointException e) {
        definition.undo();
        throw e;
      }
      options.listener().phase(SaveListener.Phase.START);
      try {
        domain.create();
      } catch (LibvirtException e) {
        discard(pending);
        definition.undo();
        throw new CheckpointException(what + ": " + libvirtMessage(e) + " (the save image is kept)", e);
      }
      pause(domain, name, state);
      return domain;
    }
  }

  /**
   * Managed save (virsh {@code managedsave}): saves the running {@code domain} into virt-lxc's state directory and
   * shuts it off; its next start (a plain {@code virsh start}, or {@link #start}) restores it and removes the image.
   */
  public SaveResult managedSave(Domain domain, SaveOptions options) throws CheckpointException {
    String name = nameOf(domain);
    requireActive(domain, name, "save");
    return service.managedSave(name, options);
  }

  /** Whether {@code domain} has a managed save image (virsh {@code dominfo}'s "Managed save"). */
  public boolean hasManagedSave(Domain domain) throws CheckpointException {
    return service.managedSaveOf(uuidOf(domain)).isPresent();
  }

  /** Removes the managed save image of {@code domain} (virsh {@code managedsave-remove}); false if it had none. */
  public boolean removeManagedSave(Domain domain) throws CheckpointException {
    String name = nameOf(domain);
    try (DomainJobLock lock = DomainJobLock.acquire(name, "remove the managed save of")) {
      return service.removeManagedSave(uuidOf(domain));
    }
  }

  /**
   * Starts {@code domain} (virsh {@code start}): from its managed save if it has one (back in the state it was saved
   * with), or, with {@code forceBoot}, discarding the managed save and booting.
   */
  public void start(Domain domain, boolean forceBoot) throws CheckpointException {
    String name = nameOf(domain);
    String uuid = uuidOf(domain);
    try (DomainJobLock lock = DomainJobLock.acquire(name, "start")) {
      if (forceBoot) {
        service.removeManagedSave(uuid);
      }
      Optional<PendingRestore> saved = service.managedSaveOf(uuid);
      RunState state = RunState.RUNNING;
      if (saved.isPresent()) {
        try {
          state = RunState.fromLabel(saved.get().runState());
        } catch (java.io.IOException | IllegalArgumentException e) {
          throw new CheckpointException("unable to start domain " + name + ": unable to read "
              + saved.get().marker() + ": " + e.getMessage(), e);
        }
      }
      boolean stopped = state == RunState.PAUSED;
      if (stopped) {
        setLeaveStopped(saved.get(), true);
      }
      try {
        domain.create();
      } catch (LibvirtException e) {
        if (stopped) {
          setLeaveStopped(saved.get(), false); // a later plain virsh start: the controller pauses it
        }
        throw new CheckpointException("unable to start domain " + name + ": " + libvirtMessage(e), e);
      }
      pause(domain, name, state);
    }
  }

  /**
   * Restore into the paused state without executing anything of the container: the controller had CRIU leave the
   * restored tree stopped (SIGSTOP, {@code --leave-stopped}); libvirt's own suspend freezes the machine cgroup (so
   * libvirt shows the domain paused); only then does SIGCONT end the stop, and the frozen processes run on when libvirt
   * resumes the domain. If the suspend fails the tree is continued anyway, so that it does not stay stopped under a
   * domain libvirt shows running.
   */
  private void pause(Domain domain, String name, RunState state) throws CheckpointException {
    if (state != RunState.PAUSED) {
      return;
    }
    awaitRestoreCompleted(domain, name);
    try {
      domain.suspend();
    } catch (LibvirtException e) {
      service.continuePaused(name);
      throw new CheckpointException("domain " + name + " was restored but could not be paused (it runs): "
          + libvirtMessage(e), e);
    }
    service.continuePaused(name);
  }

  /**
   * The controller removes the completed pending restore (marker, unpacked images) just after libvirtd has the domain;
   * suspending before that would freeze it half way and, if the domain were destroyed while paused, leave the images
   * behind. The tree is stopped meanwhile, so waiting costs nothing of the container's state.
   */
  private static void awaitRestoreCompleted(Domain domain, String name) throws CheckpointException {
    Path images = PendingRestore.ownedImagesDir(uuidOf(domain));
    Path inMemory = PendingRestore.ownedFastImagesDir(uuidOf(domain));
    for (int i = 0; i < 100 && (java.nio.file.Files.exists(images) || java.nio.file.Files.exists(inMemory)); i++) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckpointException("interrupted while restoring domain " + name, e);
      }
    }
  }

  private static void setLeaveStopped(PendingRestore pending, boolean stopped) throws CheckpointException {
    try {
      pending.setLeaveStopped(stopped);
    } catch (java.io.IOException e) {
      throw new CheckpointException("unable to update " + pending.marker() + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Domain> findExisting(Connect conn, Manifest manifest, String what)
      throws CheckpointException {
    try {
      Optional<Domain> byUuid = lookupOptional(() -> conn.domainLookupByUUIDString(manifest.domainUuid()));
      Optional<Domain> byName = lookupOptional(() -> conn.domainLookupByName(manifest.domainName()));
      if (byName.isPresent() && !byName.get().getUUIDString().equalsIgnoreCase(manifest.domainUuid())) {
        throw new CheckpointException(what + ": another domain of that name is defined (UUID "
            + byName.get().getUUIDString() + ", the image's is " + manifest.domainUuid() + ")");
      }
      if (byUuid.isPresent() && !byUuid.get().getName().equals(manifest.domainName())) {
        throw new CheckpointException(what + ": its UUID " + manifest.domainUuid() + " belongs to domain "
            + byUuid.get().getName());
      }
      if (byUuid.isPresent() && byUuid.get().isActive() == 1) {
        throw new CheckpointException(what + ": domain " + manifest.domainName() + " is already running");
      }
      return byUuid;
    } catch (LibvirtException e) {
      throw new CheckpointException(what + ": " + libvirtMessage(e), e);
    }
  }

  private interface Lookup {
    Domain get() throws LibvirtException;
  }

  private static Optional<Domain> lookupOptional(Lookup lookup) throws LibvirtException {
    try {
      return Optional.of(lookup.get());
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Domain lookup(Connect conn, String name) throws CheckpointException {
    try {
      return conn.domainLookupByName(name);
    } catch (LibvirtException e) {
      throw new CheckpointException(libvirtMessage(e), e);
    }
  }

  private static void requireActive(Domain domain, String name, String verb) throws CheckpointException {
    try {
      if (domain.isActive() != 1) {
        throw new CheckpointException("unable to " + verb + " domain " + name + ": it is not running");
      }
    } catch (LibvirtException e) {
      throw new CheckpointException("unable to " + verb + " domain " + name + ": " + libvirtMessage(e), e);
    }
  }

  private static SaveOptions withInactiveXml(Domain domain, String name, SaveOptions options)
      throws CheckpointException {
    if (options.domainXml() != null) {
      return options;
    }
    try {
      return options.withDomainXml(domain.getXMLDesc(INACTIVE_XML));
    } catch (LibvirtException e) {
      throw new CheckpointException("unable to save domain " + name + ": unable to read its XML: "
          + libvirtMessage(e), e);
    }
  }

  private static String nameOf(Domain domain) throws CheckpointException {
    try {
      return domain.getName();
    } catch (LibvirtException e) {
      throw new CheckpointException(libvirtMessage(e), e);
    }
  }

  private static String uuidOf(Domain domain) throws CheckpointException {
    try {
      return domain.getUUIDString();
    } catch (LibvirtException e) {
      throw new CheckpointException(libvirtMessage(e), e);
    }
  }

  private static void discard(PendingRestore pending) {
    try {
      pending.discard();
    } catch (java.io.IOException e) {
      LOG.warn("unable to remove the pending restore {}: {}", pending.marker(), e.getMessage());
    }
  }

  /**
   * Defines the domain to restore when it is not defined, or when {@code restore --xml} gives its XML (the previous
   * definition is kept for {@link DefinitionUndo#undo}), and says how to take that back.
   */
  private static DefinitionUndo define(Connect conn, Optional<Domain> existing, String xml, RestoreOptions options,
      String what) throws CheckpointException {
    try {
      if (existing.isEmpty()) {
        return DefinitionUndo.undefine(conn.domainDefineXML(xml));
      }
      if (options.domainXml() == null) {
        return DefinitionUndo.nothing(existing.get());
      }
      String previous = existing.get().getXMLDesc(INACTIVE_XML);
      return DefinitionUndo.redefine(conn, conn.domainDefineXML(xml), previous);
    } catch (LibvirtException e) {
      throw new CheckpointException(what + ": unable to define it: " + libvirtMessage(e), e);
    }
  }

  /** libvirt's own message, without libvirt-java's wrapping. */
  static String libvirtMessage(LibvirtException e) {
    return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
  }
}
