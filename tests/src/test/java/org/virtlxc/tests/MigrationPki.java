package org.virtlxc.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI for migration tests, made with the openssl command in libvirt's layout below one directory (what
 * {@code virt-lxc migrate|migration-service --pki DIR} read): {@code CA/cacert.pem}, {@code libvirt/servercert.pem}
 * naming the given addresses, {@code libvirt/clientcert.pem}, and their keys in {@code libvirt/private/}.
 */
public final class MigrationPki {
  private MigrationPki() {}

  /** Makes the PKI in {@code dir}, its server certificate for {@code addresses} (IP SANs) and 127.0.0.1. */
  public static Path create(Path dir, List<String> addresses) throws Exception {
    TestHost.require(Files.isExecutable(Path.of("/usr/bin/openssl")), "the openssl command");
    Path ca = Files.createDirectories(dir.resolve("CA"));
    Path priv = Files.createDirectories(dir.resolve("libvirt/private"));
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=vlxct-migrate CA",
        "-keyout", ca.resolve("cakey.pem").toString(), "-out", ca.resolve("cacert.pem").toString());
    StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1");
    addresses.forEach(a -> san.append(",IP:").append(a));
    issue(ca, dir.resolve("libvirt/servercert.pem"), priv.resolve("serverkey.pem"), "server", san.toString());
    issue(ca, dir.resolve("libvirt/clientcert.pem"), priv.resolve("clientkey.pem"), "client", null);
    return dir;
  }

  private static void issue(Path ca, Path cert, Path key, String cn, String ext) throws Exception {
    Path csr = cert.resolveSibling(cn + ".csr");
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", key.toString(), "-out",
        csr.toString());
    List<String> sign = new java.util.ArrayList<>(List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA",
        ca.resolve("cacert.pem").toString(), "-CAkey", ca.resolve("cakey.pem").toString(), "-CAcreateserial", "-days",
        "2", "-out", cert.toString()));
    if (ext != null) {
      Path extFile = cert.resolveSibling(cn + ".ext");
      Files.writeString(extFile, ext + "\n");
      sign.addAll(List.of("-extfile", extFile.toString()));
    }
    run(sign.toArray(String[]::new));
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
