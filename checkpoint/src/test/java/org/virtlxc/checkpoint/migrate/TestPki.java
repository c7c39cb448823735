package org.virtlxc.checkpoint.migrate;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI made with the openssl command, laid out as libvirt's ({@code CA/cacert.pem},
 * {@code libvirt/servercert.pem}, {@code libvirt/private/serverkey.pem}, client likewise): a CA, a server certificate
 * for localhost and 127.0.0.1, a client certificate; and on demand a rogue CA's client certificate.
 */
final class TestPki {
  final Path root;

  private TestPki(Path root) {
    this.root = root;
  }

  static TestPki create(Path dir) throws Exception {
    requireOpenssl();
    TestPki p = new TestPki(dir);
    Files.createDirectories(dir.resolve("CA"));
    Files.createDirectories(dir.resolve("libvirt/private"));
    p.ca(dir.resolve("CA"), "virt-lxc test CA");
    p.issue(dir.resolve("CA"), dir.resolve("libvirt/servercert.pem"), dir.resolve("libvirt/private/serverkey.pem"),
        "server", "subjectAltName=DNS:localhost,IP:127.0.0.1", "rsa");
    p.issue(dir.resolve("CA"), dir.resolve("libvirt/clientcert.pem"), dir.resolve("libvirt/private/clientkey.pem"),
        "client", null, "rsa");
    return p;
  }

  TlsFiles server() {
    return TlsFiles.server(root);
  }

  TlsFiles client() {
    return TlsFiles.client(root);
  }

  /** A client certificate and key signed by another CA (in {@code dir}), with this PKI's CA as trust. */
  TlsFiles rogueClient(Path dir) throws Exception {
    Files.createDirectories(dir);
    ca(dir, "rogue CA");
    issue(dir, dir.resolve("cert.pem"), dir.resolve("key.pem"), "rogue", null, "rsa");
    return new TlsFiles(root.resolve("CA/cacert.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  /** A server certificate from this CA that names only {@code san}. */
  TlsFiles serverNaming(Path dir, String san) throws Exception {
    Files.createDirectories(dir);
    issue(root.resolve("CA"), dir.resolve("cert.pem"), dir.resolve("key.pem"), "elsewhere", "subjectAltName=" + san,
        "rsa");
    return new TlsFiles(root.resolve("CA/cacert.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  /** A client certificate from this CA with a key of {@code kind}: "rsa" (PKCS#8), "rsa-traditional", "ec". */
  TlsFiles clientWithKey(Path dir, String kind) throws Exception {
    Files.createDirectories(dir);
    issue(root.resolve("CA"), dir.resolve("cert.pem"), dir.resolve("key.pem"), "client-" + kind, null, kind);
    return new TlsFiles(root.resolve("CA/cacert.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  private void ca(Path dir, String cn) throws Exception {
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
        "-keyout", dir.resolve("cakey.pem").toString(), "-out", dir.resolve("cacert.pem").toString());
  }

  private void issue(Path caDir, Path cert, Path key, String cn, String ext, String kind) throws Exception {
    Path csr = cert.resolveSibling(cn + ".csr");
    switch (kind) {
      case "rsa" -> run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
          key.toString());
      case "rsa-traditional" -> run("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
      case "ec" -> run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
      default -> throw new IllegalArgumentException(kind);
    }
    run("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-out", csr.toString());
    List<String> sign = new ArrayList<>(List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA",
        caDir.resolve("cacert.pem").toString(), "-CAkey", caDir.resolve("cakey.pem").toString(), "-CAcreateserial",
        "-days", "2", "-out", cert.toString()));
    if (ext != null) {
      Path extFile = cert.resolveSibling(cn + ".ext");
      Files.writeString(extFile, ext + "\n");
      sign.addAll(List.of("-extfile", extFile.toString()));
    }
    run(sign.toArray(new String[0]));
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static void requireOpenssl() {
    boolean found;
    try {
      found = new ProcessBuilder("openssl", "version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      found = false;
    }
    if (!found) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI host lacks the openssl command (scripts/setup/install-packages.sh installs it)");
      }
      assumeTrue(false, "host lacks the openssl command");
    }
  }
}
