package org.virtlxc.domainxml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** libvirt's {@code tests/lxcxml2xmldata} corpus, kept as test resources (see its CORPUS.md). */
public final class Corpus {
  private Corpus() {}

  /** Every {@code lxc-*.xml} file of the corpus, sorted by name. */
  public static List<Path> files() {
    try (Stream<Path> s = Files.list(directory())) {
      return s.filter(p -> p.getFileName().toString().matches("lxc-.*\\.xml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** libvirt's expected outputs ({@code tests/lxcxml2xmloutdata}) where they differ from the input. */
  public static List<Path> expectedOutputs() {
    try (Stream<Path> s = Files.list(directory().resolveSibling("lxcxml2xmloutdata"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory holding the corpus: in test-classes, or inside the test jar other modules use. */
  public static synchronized Path directory() {
    try {
      URI uri = Corpus.class.getResource("/lxcxml2xmldata/CORPUS.md").toURI();
      if (uri.getScheme().equals("jar")) {
        try {
          FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException alreadyOpen) {
          // Opened by an earlier call; Path.of finds it.
        }
      }
      return Path.of(uri).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file's text. */
  public static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
