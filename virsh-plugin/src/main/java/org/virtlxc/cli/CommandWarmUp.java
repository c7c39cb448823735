package org.virtlxc.cli;

import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.logging.log4j.LogManager;

/**
 * Overlaps the slow, independent parts of a command's start with picocli's parsing (whose classes, built for Java 5,
 * are not in the class-data sharing archive), on a short-lived daemon thread, in the order the verbs need them:
 * Log4j's configuration (its plugins, about 0.1 s in a fresh JVM), libvirt's binding (JNA loads libvirt and calls
 * {@code virInitialize}), then what reading a save image needs (Jackson for its manifest, the JDK's XML parser for
 * its domain XML, the tar reader). The verb then finds them ready, or waits for them (class initialisation is
 * locked), so nothing changes but the time. A failure is left for the verb to meet where it always did.
 */
final class CommandWarmUp {
  private static final String LIBVIRT = "org.libvirt.Library";
  private static final List<String> IMAGE_READING = List.of("org.virtlxc.checkpoint.image.ManifestJson",
      "org.apache.commons.compress.archivers.tar.TarArchiveInputStream");

  private CommandWarmUp() {}

  static void begin() {
    Thread t = new Thread(() -> {
      LogManager.getContext(false);
      initialize(LIBVIRT); // a failure: the verb reports it when it first connects, with its own context
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
