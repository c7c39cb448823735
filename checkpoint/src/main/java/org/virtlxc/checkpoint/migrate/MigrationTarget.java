package org.virtlxc.checkpoint.migrate;

import java.io.IOException;

/**
 * What the destination's migration service needs from its local libvirtd (implemented with libvirt-java in module
 * {@code virsh-plugin}; a fake in unit tests).
 */
public interface MigrationTarget {
  /**
   * What libvirtd knows of the domain {@code name} / {@code uuid}.
   *
   * @param runningUuid         the UUID of a running domain of that name or UUID, or null
   * @param nameTakenBy         the UUID of another domain defined with that name, or null
   * @param uuidTakenBy         the name of another domain defined with that UUID, or null
   * @param defined             whether the domain (that name and UUID) is defined
   */
  record Presence(String runningUuid, String nameTakenBy, String uuidTakenBy, boolean defined) {
    public static final Presence ABSENT = new Presence(null, null, null, false);
  }

  Presence presence(String name, String uuid) throws IOException;

  /**
   * Starts the domain from {@code xml} through libvirtd (its pending restore makes the controller restore it):
   * defined first and then started when {@code persistent}, otherwise started as a transient domain (an already
   * defined one is started with this XML). Returns whether this call defined it.
   */
  boolean start(String xml, boolean persistent) throws IOException;

  /** Destroys the domain {@code name} if it runs, and undefines it if {@code undefine}. */
  void destroy(String name, boolean undefine) throws IOException;
}
