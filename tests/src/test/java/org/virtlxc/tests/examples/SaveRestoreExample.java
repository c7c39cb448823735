package org.virtlxc.tests.examples;

import java.nio.file.Path;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.virtlxc.api.Checkpoints;
import org.virtlxc.api.RestoreOptions;
import org.virtlxc.checkpoint.SaveListener;
import org.virtlxc.checkpoint.SaveOptions;
import org.virtlxc.checkpoint.SaveResult;
import org.virtlxc.checkpoint.image.Compression;
import org.virtlxc.checkpoint.image.WriteProgress;

/**
 * The README's example of virt-lxc's Java API with libvirt-java: saves a running LXC domain to a file (compressed,
 * with progress), then restores it. Run it on a host with virt-lxc installed, as root:
 *
 * <pre>
 * java -cp '/usr/local/lib/virt-lxc/lib/*:tests/target/test-classes' \
 *     org.virtlxc.tests.examples.SaveRestoreExample DOMAIN FILE
 * </pre>
 * {@code SaveRestoreCommandIT#theReadmeExampleSavesAndRestores} runs it against a real domain.
 */
public final class SaveRestoreExample {
  private SaveRestoreExample() {}

  public static void main(String... args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SaveRestoreExample DOMAIN FILE");
      System.exit(2);
    }
    Connect conn = new Connect("lxc:///");
    try {
      saveAndRestore(conn, args[0], Path.of(args[1]));
    } finally {
      conn.close();
    }
  }

  /** Saves the running domain {@code name} to {@code file}, then restores it; returns the restored domain. */
  public static Domain saveAndRestore(Connect conn, String name, Path file) throws Exception {
    Checkpoints checkpoints = Checkpoints.create();
    SaveListener progress = new SaveListener() {
      @Override
      public void phase(Phase phase) {
        System.out.println(name + ": " + phase);
      }

      @Override
      public void progress(WriteProgress p) {
        System.out.println(name + ": " + p.percent() + " % written");
      }
    };

    Domain domain = conn.domainLookupByName(name);
    SaveResult saved = checkpoints.save(domain, file,
        SaveOptions.defaults().withCompression(Compression.ZSTD).withListener(progress));
    System.out.println("Domain '" + name + "' saved to " + saved.target() + " (" + saved.bytes() + " bytes, CRIU "
        + saved.criuTime().toMillis() + " ms)");

    Domain restored = checkpoints.restore(conn, file, RestoreOptions.defaults().withListener(progress));
    System.out.println("Domain restored from " + file + ": " + restored.getName() + " is running again");
    return restored;
  }
}
