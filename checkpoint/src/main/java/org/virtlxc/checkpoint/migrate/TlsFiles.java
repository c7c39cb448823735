package org.virtlxc.checkpoint.migrate;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files of one end of a migration channel, in libvirt's usual places unless given: the CA that signs both
 * ends' certificates, this end's certificate and its private key. The system property {@code virtlxc.pki.dir}
 * (tests) moves all of them below one directory: {@code DIR/CA/cacert.pem}, {@code DIR/libvirt/servercert.pem},
 * {@code DIR/libvirt/private/serverkey.pem} and so on.
 *
 * @param caCert      trusted CA certificate(s); the peer's certificate must be signed by one
 * @param certificate this end's certificate (chain), leaf first
 * @param privateKey  this end's private key (unencrypted PEM)
 */
public record TlsFiles(Path caCert, Path certificate, Path privateKey) {
  /** libvirt's PKI root. */
  public static final Path DEFAULT_PKI = Path.of("/etc/pki");

  public TlsFiles {
    Objects.requireNonNull(caCert, "caCert");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** The destination's files: {@code /etc/pki/CA/cacert.pem}, {@code /etc/pki/libvirt/servercert.pem}, its key. */
  public static TlsFiles server() {
    return server(pkiRoot());
  }

  /** The source's files: {@code /etc/pki/CA/cacert.pem}, {@code /etc/pki/libvirt/clientcert.pem}, its key. */
  public static TlsFiles client() {
    return client(pkiRoot());
  }

  public static TlsFiles server(Path pki) {
    return new TlsFiles(pki.resolve("CA/cacert.pem"), pki.resolve("libvirt/servercert.pem"),
        pki.resolve("libvirt/private/serverkey.pem"));
  }

  public static TlsFiles client(Path pki) {
    return new TlsFiles(pki.resolve("CA/cacert.pem"), pki.resolve("libvirt/clientcert.pem"),
        pki.resolve("libvirt/private/clientkey.pem"));
  }

  /** {@value #DEFAULT_PKI}, or the system property {@code virtlxc.pki.dir}. */
  public static Path pkiRoot() {
    String p = System.getProperty("virtlxc.pki.dir");
    return p == null || p.isBlank() ? DEFAULT_PKI : Path.of(p);
  }
}
