package org.virtlxc.checkpoint.migrate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The migration channel's TLS: mutual authentication with certificates signed by the CA both hosts trust (libvirt's
 * {@code cacert.pem}), TLS 1.3 or 1.2 only. The destination requires a client certificate; the source checks that the
 * destination's certificate names the host it connects to (subject alternative name, as HTTPS does).
 */
public final class MigrationTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private final SSLContext context;
  private final TlsFiles files;

  private MigrationTls(SSLContext context, TlsFiles files) {
    this.context = context;
    this.files = files;
  }

  /** Loads {@code files}; every file missing or unreadable is named. */
  public static MigrationTls load(TlsFiles files) throws IOException {
    try {
      List<X509Certificate> cas = PemFiles.certificates(files.caCert());
      List<X509Certificate> chain = PemFiles.certificates(files.certificate());
      PrivateKey key = PemFiles.privateKey(files.privateKey());
      char[] pass = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, pass);
      keys.setKeyEntry("self", key, pass, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, pass);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, pass);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return new MigrationTls(ctx, files);
    } catch (NoSuchFileException e) {
      throw new IOException("unable to set up TLS for migration: " + e.getFile() + ": " + e.getReason()
          + " (see 'virt-lxc help migrate' for the certificate files)", e);
    } catch (GeneralSecurityException e) {
      throw new IOException("unable to set up TLS for migration from " + files + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IOException("unable to set up TLS for migration: " + e.getMessage(), e);
    }
  }

  public TlsFiles files() {
    return files;
  }

  /** A listening socket that requires a client certificate signed by the CA. */
  public SSLServerSocket listen(InetSocketAddress address) throws IOException {
    SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    s.setReuseAddress(true);
    s.bind(address, 16);
    s.setEnabledProtocols(PROTOCOLS);
    s.setNeedClientAuth(true);
    return s;
  }

  /**
   * Connects to the destination's service at {@code host}:{@code port} and completes the handshake: its certificate
   * must be signed by the CA and name {@code host}.
   */
  public SSLSocket connect(String host, int port, Duration timeout) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
    } catch (IOException e) {
      s.close();
      throw new IOException("unable to connect to the migration service at " + host + ":" + port + ": "
          + e.getMessage() + " (is 'virt-lxc migration-service' running there?)", e);
    }
    s.setEnabledProtocols(PROTOCOLS);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    s.setSoTimeout((int) timeout.toMillis());
    try {
      s.startHandshake();
    } catch (IOException e) {
      s.close();
      throw new IOException(clientFailure(host + ":" + port, e), e);
    }
    s.setSoTimeout(0);
    return s;
  }

  /** Completes the server side of the handshake on an accepted socket; a peer without a valid certificate fails. */
  public static void accept(SSLSocket s, Duration timeout) throws IOException {
    s.setSoTimeout((int) timeout.toMillis());
    try {
      s.startHandshake();
    } catch (IOException e) {
      throw new IOException(serverFailure(s.getRemoteSocketAddress().toString(), e), e);
    }
    s.setSoTimeout(0);
  }

  /** What a failed TLS exchange with the destination {@code peer} means, for the source's user. */
  static String clientFailure(String peer, IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("unknown_ca")
        || m.contains("certificate_unknown")) {
      return "the migration service at " + peer + " refused this host's certificate (" + m + "): it must be signed"
          + " by the CA the destination trusts (its cacert.pem)";
    }
    if (m.contains("PKIX") || m.contains("unable to find valid certification path")) {
      return "the migration service at " + peer + " is not authenticated: its certificate is not signed by the CA"
          + " in this host's cacert.pem";
    }
    if (m.contains("No subject alternative") || m.contains("No name matching")) {
      return "the migration service at " + peer + " is not authenticated: its certificate does not name the host"
          + " connected to (" + m + ")";
    }
    if (e instanceof SSLException) {
      return "TLS with the migration service at " + peer + " failed: " + m;
    }
    return "the migration service at " + peer + " closed the connection during the TLS handshake (" + m + "): it"
        + " most likely refused this host's certificate (its log says why); it must be signed by the CA the"
        + " destination trusts (its cacert.pem)";
  }

  /** What a failed handshake with the incoming {@code peer} means, for the service's log. */
  static String serverFailure(String peer, IOException e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof SSLHandshakeException && (m.contains("Empty client certificate chain")
        || m.contains("certificate_required") || m.contains("null cert chain"))) {
      return "refused unauthenticated peer " + peer + ": it sent no client certificate";
    }
    if (m.contains("PKIX") || m.contains("unable to find valid certification path")) {
      return "refused unauthenticated peer " + peer + ": its certificate is not signed by the CA in cacert.pem";
    }
    return "refused peer " + peer + ": TLS handshake failed: " + m;
  }

  /** The subject of the peer's certificate, for logs. */
  public static String peerSubject(SSLSocket s) {
    try {
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    } catch (IOException | RuntimeException e) {
      return "(unknown)";
    }
  }

  /** Closes quietly. */
  static void close(java.io.Closeable s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
