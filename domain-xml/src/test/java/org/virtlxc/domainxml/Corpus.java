package org.virtlxc.domainxml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** The directory holding the corpus. */
  public static Path directory() {
    try {
      return Path.of(Corpus.class.getResource("/lxcxml2xmldata/CORPUS.md").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
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
