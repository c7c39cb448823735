package org.virtlxc.driver;

/** {@code --help} was given: print {@link ControllerArgs#usage(String)} and exit 0, as libvirt_lxc does. */
public final class HelpRequestedException extends ControllerArgsException {
  public HelpRequestedException() {
    super("help requested");
  }
}
