package org.virtlxc.cli;

import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.logging.log4j.LogManager;

/**
 * Overlaps the slow, independent parts of a command's start with picocli's parsing (whose classes, built for Java 5,
 * are not in the class-data sharing archive), on a short-lived daemon thread, in the order the verbs need them:
 * libvirt's binding (JNA loads libvirt and calls {@code virInitialize}), logging, then what reading a save image
 * needs (Jackson for its manifest, the JDK's XML parser for its domain XML, the tar reader). The verb then finds them
 * ready, or waits for them (class initialisation is locked), so nothing changes but the time. A failure is left for
 * the verb to meet where it always did.
 */
final class CommandWarmUp {
  static final String PROPERTY = "virtlxc.command.warm-up";
  private static final String LIBVIRT = "org.libvirt.Library";
  private static final List<String> IMAGE_READING = List.of("org.virtlxc.checkpoint.image.ManifestJson",
      "org.apache.commons.compress.archivers.tar.TarArchiveInputStream");
  /**
   * The verbs that connect to libvirt and read or write a save image: long enough to gain from it. Not migrate: at
   * 64 MiB its post-copy runs took 5.2-5.6 s with the warm-up against 4.5-5.5 s without (two runs each).
   */
  private static final Set<String> WARMED = Set.of("save", "restore", "managedsave", "start");

  private CommandWarmUp() {}

  /**
   * Starts the warm-up for {@code verb} (null: none) if it is one of {@link #WARMED}, unless
   * {@code -D}{@value #PROPERTY}{@code =false}. Not for the others: on two cores, work the verb does not wait for
   * slows it (a {@code domjobinfo} took 0.05 s longer with it, {@code restore --help} 0.1 s), while a restore of
   * 1 GiB was 0.04-0.15 s faster with it (medians of 3, two runs each).
   */
  static void begin(String verb) {
    if (verb == null || !WARMED.contains(verb) || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
      return;
    }
    Thread t = new Thread(() -> {
      initialize(LIBVIRT); // a failure: the verb reports it when it first connects, with its own context
      LogManager.getContext(false);
      IMAGE_READING.forEach(CommandWarmUp::initialize);
      try {
        DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder();
      } catch (ParserConfigurationException | RuntimeException e) {
        // the verb meets it when it parses XML
      }
    }, "warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static void initialize(String className) {
    try {
      Class.forName(className, true, CommandWarmUp.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      // left for the code that needs it
    }
  }
}
