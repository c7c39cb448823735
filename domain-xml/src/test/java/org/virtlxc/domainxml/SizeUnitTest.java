package org.virtlxc.domainxml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.virtlxc.domainxml.model.ScaledSize;
import org.virtlxc.domainxml.model.SizeUnit;

/** libvirt's units, table-driven. */
class SizeUnitTest {
  @ParameterizedTest
  @CsvSource({
      "1, b, 1", "1, bytes, 1", "1, k, 1024", "1, KiB, 1024", "1, KB, 1000", "1, kb, 1000",
      "2, M, 2097152", "2, MiB, 2097152", "2, MB, 2000000", "1, G, 1073741824", "1, GB, 1000000000",
      "1, TiB, 1099511627776", "1, PiB, 1125899906842624", "1, EB, 1000000000000000000", "0, MiB, 0"})
  void toBytes(String value, String unit, long bytes) {
    assertEquals(bytes, SizeUnit.toBytes(value, unit));
  }

  @ParameterizedTest
  @CsvSource({"KiB, 1048576, 1048576", "MiB, 64, 65536", "bytes, 1025, 2", "KB, 1024, 1000"})
  void kibRoundsUpAsLibvirtDoes(String unit, String value, long kib) {
    assertEquals(kib, new ScaledSize(value, unit).kib("KiB"));
  }

  @ParameterizedTest
  @CsvSource({"X", "KiBB", "Mi", "kilobytes", "''"})
  void unknownUnits(String unit) {
    assertThrows(IllegalArgumentException.class, () -> SizeUnit.scale(unit));
  }

  @ParameterizedTest
  @CsvSource({"-1", "1.5", "0x10", "abc", "''"})
  void badNumbers(String value) {
    assertThrows(IllegalArgumentException.class, () -> SizeUnit.toBytes(value, "KiB"));
  }
}
