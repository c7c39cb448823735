package org.virtlxc.api;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * How to take back the definition a restore made when the restore fails: undefine a domain the restore defined, or
 * define again the XML a domain had before {@code restore --xml} replaced it, or nothing when the definition was kept.
 */
final class DefinitionUndo {
  private static final Logger LOG = LogManager.getLogger(DefinitionUndo.class);

  private final Connect conn;
  private final Domain domain;
  /** The XML to define again, or null to undefine {@link #domain}; unused when {@link #keep} is set. */
  private final String previousXml;
  private final boolean keep;

  private DefinitionUndo(Connect conn, Domain domain, String previousXml, boolean keep) {
    this.conn = conn;
    this.domain = domain;
    this.previousXml = previousXml;
    this.keep = keep;
  }

  /** The restore used the domain as it was defined: nothing to undo. */
  static DefinitionUndo nothing(Domain domain) {
    return new DefinitionUndo(null, domain, null, true);
  }

  /** The restore defined a domain that was not defined: undo undefines it. */
  static DefinitionUndo undefine(Domain domain) {
    return new DefinitionUndo(null, domain, null, false);
  }

  /** The restore replaced the definition {@code previousXml}: undo defines it again. */
  static DefinitionUndo redefine(Connect conn, Domain domain, String previousXml) {
    return new DefinitionUndo(conn, domain, previousXml, false);
  }

  Domain domain() {
    return domain;
  }

  /** Undoes the definition; a failure is logged (the restore's own error is what the caller reports). */
  void undo() {
    if (keep) {
      return;
    }
    try {
      if (previousXml == null) {
        domain.undefine();
      } else {
        conn.domainDefineXML(previousXml);
      }
    } catch (LibvirtException e) {
      LOG.warn("unable to take back the definition made for a failed restore: {}", Checkpoints.libvirtMessage(e));
    }
  }
}
