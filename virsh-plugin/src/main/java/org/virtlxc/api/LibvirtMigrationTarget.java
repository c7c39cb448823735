package org.virtlxc.api;

import java.io.IOException;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.virtlxc.checkpoint.migrate.MigrationTarget;

/**
 * The destination's libvirtd for the migration service: one connection to {@code uri} per call (the service runs
 * migrations on several threads), errors as libvirt words them.
 */
public final class LibvirtMigrationTarget implements MigrationTarget {
  private final String uri;

  public LibvirtMigrationTarget(String uri) {
    this.uri = uri;
  }

  @Override
  public Presence presence(String name, String uuid) throws IOException {
    try (Conn c = open()) {
      Optional<Domain> byName = lookup(() -> c.conn.domainLookupByName(name));
      Optional<Domain> byUuid = lookup(() -> c.conn.domainLookupByUUIDString(uuid));
      String running = null;
      if (byUuid.isPresent() && byUuid.get().isActive() == 1) {
        running = uuid;
      } else if (byName.isPresent() && byName.get().isActive() == 1) {
        running = byName.get().getUUIDString();
      }
      String nameTakenBy = byName.isPresent() && !byName.get().getUUIDString().equalsIgnoreCase(uuid)
          ? byName.get().getUUIDString() : null;
      String uuidTakenBy = byUuid.isPresent() && !byUuid.get().getName().equals(name) ? byUuid.get().getName() : null;
      return new Presence(running, nameTakenBy, uuidTakenBy, byUuid.isPresent());
    } catch (LibvirtException e) {
      throw new IOException("unable to look up domain " + name + " at " + uri + ": "
          + Checkpoints.libvirtMessage(e), e);
    }
  }

  @Override
  public boolean start(String xml, boolean persistent) throws IOException {
    try (Conn c = open()) {
      if (!persistent) {
        c.conn.domainCreateXML(xml, 0);
        return false;
      }
      String uuid = uuidOf(xml);
      boolean defined = lookup(() -> c.conn.domainLookupByUUIDString(uuid)).isEmpty();
      Domain d = c.conn.domainDefineXML(xml);
      try {
        d.create();
      } catch (LibvirtException e) {
        if (defined) {
          d.undefine();
        }
        throw e;
      }
      return defined;
    } catch (LibvirtException e) {
      throw new IOException(Checkpoints.libvirtMessage(e), e);
    }
  }

  @Override
  public void destroy(String name, boolean undefine) throws IOException {
    try (Conn c = open()) {
      Optional<Domain> d = lookup(() -> c.conn.domainLookupByName(name));
      if (d.isEmpty()) {
        return;
      }
      if (d.get().isActive() == 1) {
        d.get().destroy();
      }
      if (undefine) {
        lookup(() -> c.conn.domainLookupByName(name)).ifPresent(x -> {
          try {
            x.undefine();
          } catch (LibvirtException e) {
            throw new IllegalStateException(Checkpoints.libvirtMessage(e), e);
          }
        });
      }
    } catch (LibvirtException | IllegalStateException e) {
      throw new IOException("unable to destroy domain " + name + " at " + uri + ": " + e.getMessage(), e);
    }
  }

  private static String uuidOf(String xml) throws IOException {
    try {
      return org.virtlxc.domainxml.DomainXml.parse(xml, "the migrated domain's XML").uuid();
    } catch (org.virtlxc.domainxml.DomainXmlException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private Conn open() throws IOException {
    try {
      Connect.setErrorCallback((userData, error) -> { });
      return new Conn(new Connect(uri));
    } catch (LibvirtException e) {
      throw new IOException("unable to connect to " + uri + ": " + Checkpoints.libvirtMessage(e), e);
    }
  }

  private record Conn(Connect conn) implements AutoCloseable {
    @Override
    public void close() {
      try {
        conn.close();
      } catch (LibvirtException e) {
        // the call's outcome is decided
      }
    }
  }

  private interface Lookup {
    Domain get() throws LibvirtException;
  }

  private static Optional<Domain> lookup(Lookup l) throws LibvirtException {
    try {
      return Optional.of(l.get());
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
