package org.virtlxc.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.virtlxc.checkpoint.image.CompatibilityReport;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberInfo;

/** The {@code save-image-info} table. */
final class SaveImageInfoFormat {
  private static final int WIDTH = 15;

  private SaveImageInfoFormat() {}

  /**
   * @param checksums  "verified ...", "not checked ..." or "FAILED: why"
   * @param report     the compatibility with this host; null when this host's facts could not be read
   * @param hostError  why they could not be read (when {@code report} is null)
   * @param members    list each payload member too
   */
  static String format(Path file, long imageBytes, Manifest m, String checksums, CompatibilityReport report,
      String hostError, boolean members) {
    InfoLines t = new InfoLines(WIDTH);
    t.add("Image", file);
    t.add("Format version", m.formatVersion());
    t.add("Name", m.domainName());
    t.add("UUID", m.domainUuid());
    t.add("Created", m.created());
    t.add("Run state", m.runState().label());
    t.add("Compression", m.compression().label());
    t.add("Dump kernel", m.host().kernelRelease());
    t.add("Dump arch", m.host().arch());
    t.add("Dump CRIU", m.host().criuVersion());
    t.add("Dump CPU flags", m.host().cpuFlags().size());
    t.add("Processes", m.processCount());
    t.add("Memory", String.format(Locale.ROOT, "%d pages x %d bytes (%s)", m.memoryPages(), m.pageSize(),
        InfoLines.size(m.memoryPages() * m.pageSize())));
    long pageMembers = m.members().stream().filter(MemberInfo::isPages).count();
    t.add("Members", String.format(Locale.ROOT, "%d (%s; page images: %d, %s)", m.members().size(),
        InfoLines.size(m.payloadBytes()), pageMembers, InfoLines.size(m.pageBytes())));
    t.add("Image size", InfoLines.size(imageBytes) + " (" + imageBytes + " bytes)");
    t.add("Checksums", checksums);
    if (report == null) {
      t.add("Compatibility", "unknown: " + hostError);
    } else {
      t.add("Compatibility", report.compatible()
          ? report.warnings().isEmpty() ? "compatible with this host" : "compatible with this host, with warnings"
          : "NOT restorable on this host");
      report.problems().forEach(p -> t.add("Problem", p));
      report.warnings().forEach(w -> t.add("Warning", w));
    }
    StringBuilder b = new StringBuilder(t.format());
    if (members) {
      b.append('\n');
      int width = m.members().stream().mapToInt(x -> x.name().length()).max().orElse(0);
      for (MemberInfo x : m.members()) {
        b.append(String.format(Locale.ROOT, "  %-" + width + "s %12d\n", x.name(), x.size()));
      }
    }
    return b.toString();
  }
}
