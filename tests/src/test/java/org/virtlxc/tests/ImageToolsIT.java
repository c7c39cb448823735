package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.virtlxc.checkpoint.CheckpointException;
import org.virtlxc.checkpoint.CheckpointManifest;
import org.virtlxc.checkpoint.Checkpointer;
import org.virtlxc.checkpoint.DumpOptions;
import org.virtlxc.checkpoint.DumpResult;
import org.virtlxc.checkpoint.criu.Criu;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.HostFacts;
import org.virtlxc.checkpoint.image.Manifest;
import org.virtlxc.checkpoint.image.MemberSource;
import org.virtlxc.checkpoint.image.RunState;
import org.virtlxc.checkpoint.image.SaveImageReader;
import org.virtlxc.checkpoint.image.SaveImageWriter;
import org.virtlxc.checkpoint.job.DomainJob;
import org.virtlxc.checkpoint.job.JobAbortedException;
import org.virtlxc.checkpoint.job.JobOperation;
import org.virtlxc.checkpoint.job.JobRegistry;
import org.virtlxc.checkpoint.job.JobResult;
import org.virtlxc.checkpoint.job.JobState;
import org.virtlxc.checkpoint.job.TreeMemory;
import org.virtlxc.cli.VirtLxc;

/**
 * The virt-lxc tools around save and restore, on real domains under the real libvirtd with the real CRIU: a dump's
 * progress in {@code domjobinfo} and its abort by {@code domjobabort} (the domain keeps running, nothing is left), and
 * {@code save-image-info}, {@code -dumpxml} and {@code -define} on an image made from a real dump.
 */
class ImageToolsIT {
  private static final Path BUILD_ROOT = Path.of(System.getProperty("virtlxc.build.root", "..")).toAbsolutePath()
      .normalize();
  /** Holds ~200 MiB of touched anonymous memory: dd's buffer, blocked writing into a pipe nobody reads. */
  private static final String MEMORY_HOG = "dd if=/dev/zero bs=200M count=1 | sleep 1000000";
  private static final String COUNTER = Counter.LOOP;

  private static final String HOLD_SCRIPT = "hold-at-post-dump.sh";

  private final Checkpointer checkpointer = Checkpointer.create();
  private final JobRegistry jobs = JobRegistry.system();
  private String name;
  private String uuid;
  private Path work;
  private Path rootfs;
  private Path share;

  @BeforeEach
  void setUp() throws IOException {
    TestHost.require(Files.isExecutable(Criu.fromSystemProperty().binary()), "CRIU at "
        + Criu.fromSystemProperty().binary());
    String id = UUID.randomUUID().toString().substring(0, 8);
    name = "vlxct-imgtools-" + id;
    uuid = UUID.randomUUID().toString();
    work = Files.createTempDirectory(Path.of("/tmp"), "vlxct-imgtools-");
    rootfs = busyboxRoot(work.resolve("root"));
    share = Files.createDirectories(work.resolve("share"));
  }

  @AfterEach
  void tearDown() throws Exception {
    // Scripts this test handed to CRIU (our grandchildren), should one outlive a failed test.
    processesMentioning(work.resolve(HOLD_SCRIPT).toString()).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
    Virsh.destroyAndUndefine(name);
    for (Path f : List.of(jobs.jobFile(name), jobs.completedFile(name), jobs.abortFile(name),
        jobs.directory().resolve(name + ".lock"))) {
      Files.deleteIfExists(f);
    }
    TestController.deleteTree(work);
  }

  @Test
  void domjobinfoShowsTheDumpsProgressAndDomjobabortStopsItLeavingTheDomainRunning() throws Exception {
    define(MEMORY_HOG, share);
    Virsh.run("start", name).ok();
    long ctl = Virsh.controllerPid(name);
    long init = TestController.onlyChild(ctl);
    long anon = awaitAnonymousMemory(init, 200L << 20);
    System.out.println("domain " + name + ": init " + init + ", tree anonymous memory " + (anon >> 20) + " MiB");

    Path images = work.resolve("images");
    // CRIU writes 200 MiB in well under a second here: hold it at post-dump (every page written, the tree still
    // seized) until it is killed, so that domjobinfo and domjobabort meet a running dump every time.
    Path hold = work.resolve(HOLD_SCRIPT);
    Files.writeString(hold, "#!/bin/sh\n"
        + "[ \"$CRTOOLS_SCRIPT_ACTION\" = post-dump ] || exit 0\n"
        + "p=$PPID\n"
        + "while [ \"$p\" -gt 1 ] && ! tr '\\0' ' ' < /proc/$p/cmdline | grep -q 'criu dump'; do\n"
        + "  p=$(awk '/^PPid:/ {print $2}' /proc/$p/status)\n"
        + "done\n"
        + "i=0\n"
        + "while [ $i -lt 600 ] && kill -0 $p 2>/dev/null; do sleep 0.1; i=$((i+1)); done\n"
        + "exit 0\n");
    Files.setPosixFilePermissions(hold, PosixFilePermissions.fromString("rwxr-xr-x"));
    DumpOptions options = DumpOptions.stop().withExtraCriuArgs(List.of("--action-script", hold.toString()));
    CompletableFuture<Exception> dump = CompletableFuture.supplyAsync(() -> {
      try (DomainJob job = DomainJob.begin(name, JobOperation.SAVE)) {
        try {
          checkpointer.dump(name, images, options, job);
          job.succeeded();
          return null;
        } catch (CheckpointException e) {
          job.failed(e.getMessage());
          return e;
        }
      } catch (CheckpointException e) {
        return e;
      }
    });
    long t0 = System.nanoTime();
    JobState seen = awaitJob(s -> s.phase().equals("dumping") && s.memoryProcessed() >= 200L << 20, dump);
    System.out.println("dump under way after " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
        + seen.memoryProcessed() / 1024 + " KiB of " + seen.memoryTotal() / 1024 + " KiB");
    Cli info = virtLxcProcess("domjobinfo", name);
    System.out.print("virt-lxc domjobinfo (another process) during the dump:\n" + info.out);
    assertEquals(0, info.status, info.err);
    assertTrue(info.out.startsWith("Job type:         Unbounded\nOperation:        Save\nPhase:            dumping\n"),
        info.out);
    assertTrue(info.out.contains("Memory processed: ") && info.out.contains("Memory total:     "), info.out);
    assertFalse(dump.isDone(), "the dump still runs when domjobabort is called");

    Cli abort = virtLxcProcess("domjobabort", name);
    System.out.println("domjobabort after " + (System.nanoTime() - t0) / 1_000_000 + " ms: status " + abort.status
        + abort.err);
    assertEquals(0, abort.status, abort.err);
    Exception failure = dump.get(60, TimeUnit.SECONDS);
    assertNotNull(failure, "the dump did not complete");
    System.out.println("the dump ended with: " + failure.getMessage());
    assertTrue(failure.getMessage().startsWith("operation aborted"), failure.getMessage());
    assertTrue(JobAbortedException.isAbort(failure), failure.toString());

    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertEquals(ctl, Virsh.controllerPid(name), "same controller");
    assertEquals(init, TestController.onlyChild(ctl), "same init");
    for (ProcessHandle p : tree(init)) {
      String state = procState(p.pid());
      assertFalse(state.equals("T") || state.equals("t") || state.equals("Z"), "process " + p.pid() + " of the"
          + " domain runs (state " + state + ")");
    }
    assertTrue(TreeMemory.anonymousBytes(init) >= 200L << 20, "dd still holds its memory");
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertFalse(Files.exists(images), "the images directory the dump made is removed");
    assertFalse(Files.exists(jobs.jobFile(name)), "no running job left");
    assertFalse(Files.exists(jobs.abortFile(name)), "no abort request left");
    assertEquals(JobResult.ABORTED, jobs.completed(name).orElseThrow().result());
    assertTrue(processesMentioning(images.toString()).isEmpty(), "no CRIU left: "
        + processesMentioning(images.toString()));
    awaitGone(hold);
    Cli after = virtLxc("domjobinfo", name);
    assertEquals("Job type:         None\n", after.out);
    Cli completed = virtLxc("domjobinfo", "--completed", name);
    System.out.print("virt-lxc domjobinfo --completed:\n" + completed.out);
    assertTrue(completed.out.startsWith("Job type:         Cancelled\nOperation:        Save\n"), completed.out);

    // The domain is intact: a second dump, left to finish, succeeds.
    DumpResult again = checkpointer.dump(name, work.resolve("images-2"), DumpOptions.leaveRunningAfterDump());
    System.out.println("a second dump took " + again.criuTime().toMillis() + " ms");
    assertEquals("running", Virsh.run("domstate", name).ok().out().strip());
    assertEquals(JobResult.COMPLETED, jobs.completed(name).orElseThrow().result());
  }

  @Test
  void saveImageInfoDumpxmlAndDefineOnAnImageOfARealDump() throws Exception {
    define(COUNTER, share);
    Virsh.run("start", name).ok();
    TestController.onlyChild(Virsh.controllerPid(name));
    Path images = work.resolve("images");
    DumpResult dump = checkpointer.dump(name, images, DumpOptions.stop());
    String xml = Files.readString(images.resolve(CheckpointManifest.DOMAIN_XML));
    long pageBytes;
    int processes;
    try (Stream<Path> s = Files.list(images)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      processes = (int) names.stream().filter(n -> n.matches("core-\\d+\\.img")).count();
    }
    pageBytes = TreeMemory.pageImageBytes(images);
    Manifest manifest = Manifest.builder(xml).created(dump.manifest().dumpedAt())
        .host(HostFacts.current(Criu.fromSystemProperty().binary())).processCount(processes)
        .criuExternals(dump.manifest().externals().dumpArgs()).memory(pageBytes / 4096, 4096).build();
    Path image = work.resolve("vlxct-imgtools.img");
    SaveImageWriter.create().compression(Compression.ZSTD).write(image, manifest,
        MemberSource.criuDirectory(images));

    Cli info = virtLxc("save-image-info", image.toString());
    System.out.print("virt-lxc save-image-info:\n" + info.out);
    assertEquals(0, info.status, info.err);
    assertTrue(info.out.contains("\nName:           " + name + "\nUUID:           " + uuid + "\n"), info.out);
    assertTrue(info.out.contains("\nProcesses:      " + processes + "\n"), info.out);
    assertTrue(info.out.contains("\nMemory:         " + pageBytes / 4096 + " pages x 4096 bytes"), info.out);
    assertTrue(info.out.contains("\nCompression:    zstd\n"), info.out);
    assertTrue(info.out.contains("\nChecksums:      verified ("), info.out);
    assertTrue(info.out.contains("\nCompatibility:  compatible with this host\n"), info.out);

    Cli dumpxml = virtLxc("save-image-dumpxml", image.toString());
    assertEquals(0, dumpxml.status, dumpxml.err);
    assertEquals(xml.strip(), dumpxml.out.strip());

    // A host-specific edit: the bound host directory lives elsewhere on the restore host.
    Path moved = Files.createDirectories(work.resolve("share-on-new-host"));
    Path edited = Files.writeString(work.resolve("edited.xml"), xml.replace("'" + share + "'", "'" + moved + "'")
        .replace("\"" + share + "\"", "\"" + moved + "\""));
    assertTrue(Files.readString(edited).contains(moved.toString()), "the edit applies to: " + xml);
    Cli defined = virtLxc("save-image-define", image.toString(), edited.toString(), "--paused");
    assertEquals(0, defined.status, defined.err);
    assertEquals("State file " + image + " edited.\n", defined.out);
    Manifest after = SaveImageReader.verify(image).manifest();
    assertEquals(Files.readString(edited), after.domainXml());
    assertEquals(RunState.PAUSED, after.runState());
    assertEquals(manifest.memoryPages(), after.memoryPages());
    assertTrue(virtLxc("save-image-info", image.toString()).out.contains("\nRun state:      paused\n"));

    byte[] before = Files.readAllBytes(image);
    Path other = Files.writeString(work.resolve("other.xml"), xml.replace(uuid, UUID.randomUUID().toString()));
    Cli refused = virtLxc("save-image-define", image.toString(), other.toString());
    System.out.println("save-image-define with another UUID: " + refused.err.strip());
    assertEquals(1, refused.status);
    assertTrue(refused.err.contains("but the image holds domain '" + name + "' (" + uuid + ")"), refused.err);
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(image)), "the refused define changed nothing");
  }

  private record Cli(int status, String out, String err) {}

  /** Runs the virt-lxc command of this build in a process of its own, as a user would. */
  private static Cli virtLxcProcess(String... args) throws IOException, InterruptedException {
    Path target = BUILD_ROOT.resolve("virsh-plugin/target");
    Path jar;
    try (Stream<Path> s = Files.list(target)) {
      jar = s.filter(p -> p.getFileName().toString().matches("virsh-plugin-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-tests.jar")).findFirst()
          .orElseThrow(() -> new IOException("virsh-plugin jar not built in " + target));
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", jar + ":" + target.resolve("lib") + "/*",
        "org.virtlxc.cli.VirtLxc"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("vlxct-imgtools-cli-", ".out");
    Path err = Files.createTempFile("vlxct-imgtools-cli-", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("virt-lxc " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs a virt-lxc verb in this JVM: it meets the job only through the registry's files, as another process. */
  private static Cli virtLxc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = VirtLxc.create(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Cli(status, out.toString(), err.toString());
  }

  private JobState awaitJob(java.util.function.Predicate<JobState> what, CompletableFuture<Exception> dump)
      throws Exception {
    for (int i = 0; i < 2000; i++) {
      var s = jobs.active(name);
      if (s.isPresent() && what.test(s.get())) {
        return s.get();
      }
      if (dump.isDone()) {
        Exception e = dump.get();
        throw new AssertionError("the dump ended before it was seen under way: " + (e == null ? "completed" : e));
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no dump progress of " + name + " in 20 s");
  }

  private void define(String init, Path bind) throws IOException {
    Path launcher = TestController.writeLauncher(work.resolve("virt-lxc-controller"));
    String xml = "<domain type='lxc'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <uuid>" + uuid + "</uuid>\n"
        + "  <memory unit='MiB'>512</memory>\n"
        + "  <vcpu>1</vcpu>\n"
        + "  <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>" + init + "</initarg></os>\n"
        + "  <devices>\n"
        + "    <emulator>" + launcher + "</emulator>\n"
        + "    <filesystem type='mount'><source dir='" + rootfs + "'/><target dir='/'/></filesystem>\n"
        + "    <filesystem type='mount'><source dir='" + bind + "'/><target dir='/mnt/share'/></filesystem>\n"
        + "    <console type='pty'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
    Path file = Files.writeString(work.resolve("domain.xml"), xml);
    Virsh.run("define", file.toString()).ok();
  }

  private static long awaitAnonymousMemory(long init, long bytes) throws InterruptedException {
    long now = 0;
    for (int i = 0; i < 200; i++) {
      now = TreeMemory.anonymousBytes(init);
      if (now >= bytes) {
        return now;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the domain's tree holds only " + now + " bytes of anonymous memory");
  }

  private static List<ProcessHandle> tree(long init) {
    ProcessHandle root = ProcessHandle.of(init).orElseThrow();
    List<ProcessHandle> all = new ArrayList<>(List.of(root));
    all.addAll(root.descendants().toList());
    return all;
  }

  private static String procState(long pid) throws IOException {
    String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return s.substring(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  }

  private static List<Long> processesMentioning(String text) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(text)).orElse(false))
        .map(ProcessHandle::pid).toList();
  }

  /** The hold script sees CRIU gone within 0.1 s and exits. */
  private static void awaitGone(Path script) throws InterruptedException {
    for (int i = 0; i < 50 && !processesMentioning(script.toString()).isEmpty(); i++) {
      Thread.sleep(100);
    }
    assertEquals(List.of(), processesMentioning(script.toString()), "the hold script ended with CRIU");
  }

  private static Path busyboxRoot(Path root) throws IOException {
    Files.createDirectories(TestController.busyboxRoot(root).resolve("mnt/share"));
    return root;
  }
}
