package org.virtlxc.checkpoint.migrate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files libvirt's TLS setup uses: certificates ({@code cacert.pem}, {@code servercert.pem}) and private
 * keys as GnuTLS {@code certtool} and OpenSSL write them: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN
 * RSA PRIVATE KEY}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}); encrypted keys are refused by name.
 */
final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s:,\\-]*?)-----END \\1-----");
  /** AlgorithmIdentifier rsaEncryption, NULL parameters. */
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  /** OID id-ecPublicKey. */
  private static final byte[] EC_PUBLIC_KEY = hex("06072a8648ce3d0201");

  private PemFiles() {}

  /** Every certificate in {@code file}, in order (the leaf first for a chain). */
  static List<X509Certificate> certificates(Path file) throws IOException {
    String text = read(file, "certificate");
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(decode(m.group(2), file))));
        }
      }
    } catch (CertificateException e) {
      throw new IOException("unable to read certificate " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException("unable to read certificate " + file + ": it holds no PEM CERTIFICATE block");
    }
    return out;
  }

  /** The private key in {@code file}. */
  static PrivateKey privateKey(Path file) throws IOException {
    String text = read(file, "private key");
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String kind = m.group(1);
      byte[] der = decode(m.group(2), file);
      try {
        switch (kind) {
          case "PRIVATE KEY":
            return pkcs8(der);
          case "RSA PRIVATE KEY":
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
          case "EC PRIVATE KEY":
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(wrapSec1(der)));
          case "ENCRYPTED PRIVATE KEY":
            throw new IOException("unable to read private key " + file + ": it is encrypted (libvirt's keys are not;"
                + " decrypt it: openssl pkey -in KEY -out KEY)");
          default:
            break;
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException("unable to read private key " + file + ": " + e.getMessage(), e);
      }
    }
    throw new IOException("unable to read private key " + file + ": it holds no PEM PRIVATE KEY, RSA PRIVATE KEY or"
        + " EC PRIVATE KEY block");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("not an RSA, EC or EdDSA key: " + last.getMessage(), last);
  }

  /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING(pkcs1) }. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    return sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM, tlv(0x04, pkcs1)));
  }

  /** PrivateKeyInfo { version 0, { id-ecPublicKey, the curve from the SEC1 key }, OCTET STRING(sec1) }. */
  private static byte[] wrapSec1(byte[] sec1) {
    byte[] curve = sec1CurveOid(sec1);
    return sequence(concat(new byte[] {2, 1, 0}, sequence(concat(EC_PUBLIC_KEY, curve)), tlv(0x04, sec1)));
  }

  /** The [0] parameters (the named curve's OID, tag and all) of an ECPrivateKey. */
  private static byte[] sec1CurveOid(byte[] der) {
    int[] pos = {0};
    header(der, pos, 0x30);
    int versionLen = header(der, pos, 0x02);
    pos[0] += versionLen;
    int keyLen = header(der, pos, 0x04);
    pos[0] += keyLen;
    header(der, pos, 0xa0);
    int start = pos[0];
    int oidLen = header(der, pos, 0x06);
    byte[] oid = new byte[pos[0] + oidLen - start];
    System.arraycopy(der, start, oid, 0, oid.length);
    return oid;
  }

  /** Reads a tag (which must be {@code tag}) and length at {@code pos}; returns the length, pos at the content. */
  private static int header(byte[] der, int[] pos, int tag) {
    if ((der[pos[0]] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER tag " + (der[pos[0]] & 0xff) + ", expected " + tag);
    }
    pos[0]++;
    int len = der[pos[0]++] & 0xff;
    if (len > 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[pos[0]++] & 0xff);
      }
    }
    return len;
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(tag);
    int len = content.length;
    if (len < 0x80) {
      b.write(len);
    } else {
      int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
      b.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        b.write((len >>> (8 * i)) & 0xff);
      }
    }
    b.writeBytes(content);
    return b.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static byte[] decode(String base64, Path file) throws IOException {
    StringBuilder body = new StringBuilder();
    for (String line : base64.split("\n")) {
      if (!line.contains(":")) { // skip RFC 1421 headers (Proc-Type:, DEK-Info:)
        body.append(line.strip());
      } else if (line.startsWith("Proc-Type") && line.contains("ENCRYPTED")) {
        throw new IOException("unable to read " + file + ": the key is encrypted (libvirt's keys are not)");
      }
    }
    try {
      return Base64.getDecoder().decode(body.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException("unable to read " + file + ": bad base64 in a PEM block: " + e.getMessage(), e);
    }
  }

  private static String read(Path file, String what) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such " + what + " file");
    }
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
