package org.virtlxc.driver;

/** A namespace libvirtd asks the controller to join instead of creating ({@code <lxc:namespace>}). */
public enum SharedNamespace {
  NET("share-net", 'N'),
  IPC("share-ipc", 'I'),
  UTS("share-uts", 'U');

  private final String option;
  private final char shortOption;

  SharedNamespace(String option, char shortOption) {
    this.option = option;
    this.shortOption = shortOption;
  }

  /** The long option without dashes, e.g. {@code share-net}. */
  public String option() {
    return option;
  }

  public char shortOption() {
    return shortOption;
  }
}
