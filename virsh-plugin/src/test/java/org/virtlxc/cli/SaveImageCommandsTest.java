package org.virtlxc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.SaveImageFormat;
import org.virtlxc.checkpoint.image.SaveImageReader;
import org.virtlxc.checkpoint.image.SaveImageWriter;

/**
 * save-image-dumpxml, -define and -info on real save images in a temporary directory; this host's CRIU is a stand-in
 * script answering {@code --version}, so that the compatibility lines do not depend on the machine.
 */
class SaveImageCommandsTest {
  private static final String UUID = "5d7c0f6e-2d0b-4d61-9c59-0d6a4b1e7a01";
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir
  Path dir;
  private Path image;
  private HostFacts here;

  @BeforeEach
  void setUp() throws Exception {
    Path criu = dir.resolve("vlxct-imgtools-criu");
    Files.writeString(criu, "#!/bin/sh\necho 'Version: 4.1.1'\n");
    Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwxr-xr-x"));
    System.setProperty("virtlxc.criu", criu.toString());
    here = HostFacts.current(criu);
    image = writeImage(here, Compression.ZSTD);
  }

  @AfterEach
  void tearDown() {
    System.clearProperty("virtlxc.criu");
  }

  private Path writeImage(HostFacts host, Compression c) throws Exception {
    Manifest m = Manifest.builder(xml("vlxct-imgtools-img", UUID, 65536)).host(host)
        .created(Instant.parse("2026-11-27T10:00:00Z")).processCount(2).memory(300, 4096).build();
    Path f = dir.resolve("vlxct-imgtools-" + host.arch() + ".img");
    SaveImageWriter.create().compression(c).write(f, m, List.of(
        MemberSource.ofBytes("criu/inventory.img", new byte[42]),
        MemberSource.ofBytes("criu/pages-1.img", new byte[300 * 4096]),
        MemberSource.ofBytes("extra/console.log", "hello\n".getBytes())));
    return f;
  }

  private static String xml(String name, String uuid, int memKiB) {
    return "<domain type='lxc'>\n  <name>" + name + "</name>\n  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='KiB'>" + memKiB + "</memory>\n  <os>\n    <type>exe</type>\n    <init>/bin/sh</init>\n"
        + "  </os>\n</domain>\n";
  }

  private int run(String... args) {
    return VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
  }

  @Test
  void dumpxmlPrintsTheRecordedXml() {
    assertEquals(0, run("save-image-dumpxml", image.toString()));
    assertEquals(xml("vlxct-imgtools-img", UUID, 65536), out.toString());
    assertEquals("", err.toString());
    assertEquals(0, run("save-image-dumpxml", "--security-info", image.toString()));
  }

  @Test
  void dumpxmlOfAMissingFileSaysSo() {
    assertEquals(1, run("save-image-dumpxml", dir.resolve("nope.img").toString()));
    assertEquals("error: save image " + dir.resolve("nope.img") + " does not exist\n", err.toString());
  }

  @Test
  void defineReplacesTheXmlAndRunStateAndTheImageStillVerifies() throws Exception {
    Path newXml = Files.writeString(dir.resolve("new.xml"), xml("vlxct-imgtools-img", UUID, 131072));
    assertEquals(0, run("save-image-define", image.toString(), newXml.toString(), "--paused"));
    assertEquals("State file " + image + " edited.\n", out.toString());
    Manifest m = SaveImageReader.verify(image).manifest();
    assertEquals(xml("vlxct-imgtools-img", UUID, 131072), m.domainXml());
    assertEquals(RunState.PAUSED, m.runState());
    assertEquals(Compression.ZSTD, m.compression(), "compression kept");
    assertEquals(0, run("save-image-define", image.toString(), newXml.toString()));
    assertEquals(RunState.PAUSED, SaveImageReader.readManifest(image).runState(), "no flag: run state kept");
    assertEquals(0, run("save-image-define", image.toString(), newXml.toString(), "--running"));
    assertEquals(RunState.RUNNING, SaveImageReader.readManifest(image).runState());
  }

  @Test
  void defineRefusesAnotherDomainAndLeavesTheImageAsItWas() throws Exception {
    byte[] before = Files.readAllBytes(image);
    Path other = Files.writeString(dir.resolve("other.xml"), xml("vlxct-imgtools-other", UUID, 65536));
    assertEquals(1, run("save-image-define", image.toString(), other.toString()));
    assertEquals("error: the new XML describes domain 'vlxct-imgtools-other' (" + UUID + "), but the image holds"
        + " domain 'vlxct-imgtools-img' (" + UUID + ")\n", err.toString());
    assertEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(image)));
  }

  @Test
  void defineNamesTheFileOfBadXml() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.xml"), "<domain type='lxc'>\n  <name>x</name>\n"
        + "  <memory unit='Mb2'>1</memory>\n</domain>\n");
    assertEquals(1, run("save-image-define", image.toString(), bad.toString()));
    assertEquals("error: " + bad + ":3: element <memory>, attribute 'unit': unknown unit 'Mb2'\n", err.toString());
    assertEquals(2, run("save-image-define", image.toString(), bad.toString(), "--running", "--paused"));
  }

  @Test
  void infoDescribesTheImageVerifiedAndCompatible() throws Exception {
    assertEquals(0, run("save-image-info", image.toString()));
    String o = out.toString();
    System.out.print(o);
    long size = Files.size(image);
    assertEquals(String.join("\n",
        "Image:          " + image,
        "Format version: " + SaveImageFormat.VERSION,
        "Name:           vlxct-imgtools-img",
        "UUID:           " + UUID,
        "Created:        2026-11-27T10:00:00Z",
        "Run state:      running",
        "Compression:    zstd",
        "Dump kernel:    " + here.kernelRelease(),
        "Dump arch:      " + here.arch(),
        "Dump CRIU:      4.1.1",
        "Dump CPU flags: " + here.cpuFlags().size(),
        "Processes:      2",
        "Memory:         300 pages x 4096 bytes (1.172 MiB)",
        "Members:        3 (1.172 MiB; page images: 1, 1.172 MiB)",
        "Image size:     " + InfoLines.size(size) + " (" + size + " bytes)",
        "Checksums:      verified (3 members: 2 by SHA-256, 1 page image by CRC32C)",
        "Compatibility:  compatible with this host", ""), o);
  }

  @Test
  void infoWithoutVerifyAndWithMembers() {
    assertEquals(0, run("save-image-info", "--no-verify", "--members", image.toString()));
    assertTrue(out.toString().contains("Checksums:      not checked (--no-verify)\n"), out.toString());
    assertTrue(out.toString().contains("\n  criu/pages-1.img        1228800\n"), out.toString());
  }

  @Test
  void infoOfACorruptImageSaysFailedWithStatusOne() throws Exception {
    Path plain = writeImage(here, Compression.NONE);
    try (RandomAccessFile f = new RandomAccessFile(plain.toFile(), "rw")) {
      f.seek(Files.size(plain) / 2);
      int b = f.read();
      f.seek(Files.size(plain) / 2);
      f.write(b ^ 0x55);
    }
    assertEquals(1, run("save-image-info", plain.toString()));
    assertTrue(out.toString().contains("Checksums:      FAILED: "), out.toString());
    assertEquals(0, run("save-image-info", "--no-verify", plain.toString()), "the manifest alone is intact");
  }

  @Test
  void infoOfAnImageFromAnotherArchitectureNamesTheProblem() throws Exception {
    Path arm = writeImage(new HostFacts(here.kernelRelease(), "aarch64", List.of("fp", "asimd"), "4.1.1"),
        Compression.NONE);
    assertEquals(0, run("save-image-info", arm.toString()));
    assertTrue(out.toString().contains("Compatibility:  NOT restorable on this host\n"
        + "Problem:        it was dumped on a aarch64 host, this host is " + here.arch() + "\n"), out.toString());
  }
}
