package org.virtlxc.domainxml.model;

import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code <idmap>}: user namespace uid and gid ranges. */
@XmlType(propOrder = {"uids", "gids", "otherElements"})
public class IdMap extends Extensible {
  @XmlElement(name = "uid")
  private List<IdRange> uids = new ArrayList<>();

  @XmlElement(name = "gid")
  private List<IdRange> gids = new ArrayList<>();

  public List<IdRange> uids() {
    return Collections.unmodifiableList(uids);
  }

  public List<IdRange> gids() {
    return Collections.unmodifiableList(gids);
  }
}
