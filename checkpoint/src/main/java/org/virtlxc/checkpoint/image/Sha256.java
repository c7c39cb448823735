package org.virtlxc.checkpoint.image;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * SHA-256 of the save image's bytes, through the host's OpenSSL ({@code libcrypto.so.3}, which uses the CPU's SHA
 * instructions) when it loads, otherwise through the JDK.
 *
 * <p>Why not the JDK alone: its SHA-256 reaches the CPU's SHA instructions only in C2-compiled code, and only once the
 * digest's update path has been called often enough to be compiled; a short-lived command hashing a few large buffers
 * runs the plain Java code: about 200 MB/s for its first half GiB here, and 35 to 70 MB/s in a JVM limited to C1
 * ({@code -XX:TieredStopAtLevel=1}, as the {@code virt-lxc} launcher starts it), against 1.7 GB/s for OpenSSL.
 */
abstract class Sha256 {
  private static final Logger LOG = LogManager.getLogger(Sha256.class);
  /** Bytes copied into native memory per OpenSSL call. */
  private static final int SLICE = 1 << 20;
  private static final boolean NATIVE = Native256.load();

  /** A new digest: OpenSSL's when available, the JDK's otherwise. */
  static Sha256 create() {
    return NATIVE ? new Native256() : new Jdk256();
  }

  /** Whether {@link #create} hashes through OpenSSL. */
  static boolean isNative() {
    return NATIVE;
  }

  /** The JDK's digest, whatever OpenSSL offers (tests compare both). */
  static Sha256 jdk() {
    return new Jdk256();
  }

  abstract void update(byte[] b, int off, int len);

  /** Hashes the remaining bytes of {@code buffer} (a direct or mapped one is read in place), consuming them. */
  abstract void update(java.nio.ByteBuffer buffer);

  /** The digest of everything updated since creation or the last call, which starts a new one. */
  abstract byte[] digest();

  /** The JDK's SHA-256. */
  private static final class Jdk256 extends Sha256 {
    private final MessageDigest md;

    Jdk256() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }

    @Override
    void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    void update(java.nio.ByteBuffer buffer) {
      md.update(buffer);
    }

    @Override
    byte[] digest() {
      return md.digest();
    }
  }

  /** OpenSSL's EVP SHA-256; the context is freed when the object becomes unreachable. */
  private static final class Native256 extends Sha256 {
    private static final Cleaner CLEANER = Cleaner.create();
    private final Pointer ctx;
    private Memory slice;

    Native256() {
      ctx = Crypto.EVP_MD_CTX_new();
      if (ctx == null) {
        throw new IllegalStateException("OpenSSL: EVP_MD_CTX_new failed");
      }
      Pointer c = ctx;
      CLEANER.register(this, () -> Crypto.EVP_MD_CTX_free(c));
      init();
    }

    @Override
    void update(byte[] b, int off, int len) {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      while (len > 0) {
        int n = Math.min(len, SLICE);
        if (slice == null || slice.size() < n) {
          slice = new Memory(Math.max(n, 64 << 10));
        }
        slice.write(0, b, off, n);
        check(Crypto.EVP_DigestUpdate(ctx, slice, n), "EVP_DigestUpdate");
        off += n;
        len -= n;
      }
    }

    @Override
    void update(java.nio.ByteBuffer buffer) {
      if (!buffer.isDirect()) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        update(b, 0, b.length);
        return;
      }
      Pointer p = Native.getDirectBufferPointer(buffer);
      check(Crypto.EVP_DigestUpdate(ctx, p.share(buffer.position()), buffer.remaining()), "EVP_DigestUpdate");
      buffer.position(buffer.limit());
    }

    @Override
    byte[] digest() {
      Memory out = new Memory(32);
      check(Crypto.EVP_DigestFinal_ex(ctx, out, Pointer.NULL), "EVP_DigestFinal_ex");
      init();
      return out.getByteArray(0, 32);
    }

    private void init() {
      check(Crypto.EVP_DigestInit_ex(ctx, Crypto.EVP_sha256(), Pointer.NULL), "EVP_DigestInit_ex");
    }

    private static void check(int ok, String call) {
      if (ok != 1) {
        throw new IllegalStateException("OpenSSL: " + call + " failed");
      }
    }

    /** Loads libcrypto and checks it against the JDK on a known input; false (and the JDK is used) if anything fails. */
    static boolean load() {
      if (Boolean.getBoolean("virtlxc.sha256.jdk")) {
        return false;
      }
      try {
        Native.register(Crypto.class, libraryName());
        byte[] probe = "virt-lxc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Sha256 n = new Native256();
        n.update(probe, 0, probe.length);
        Sha256 j = new Jdk256();
        j.update(probe, 0, probe.length);
        return java.util.Arrays.equals(n.digest(), j.digest());
      } catch (LinkageError | RuntimeException e) {
        LOG.debug("OpenSSL's SHA-256 is not available, using the JDK's: {}", e.toString());
        return false;
      }
    }

    private static String libraryName() {
      for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
          "/usr/lib", "/lib/x86_64-linux-gnu"}) {
        if (java.nio.file.Files.exists(java.nio.file.Path.of(dir, "libcrypto.so.3"))) {
          return dir + "/libcrypto.so.3";
        }
      }
      return "crypto";
    }
  }

  /** The libcrypto functions used (direct mapping). */
  @SuppressWarnings("checkstyle:MethodName")
  private static final class Crypto {
    static native Pointer EVP_MD_CTX_new();

    static native void EVP_MD_CTX_free(Pointer ctx);

    static native Pointer EVP_sha256();

    static native int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    static native int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

    static native int EVP_DigestFinal_ex(Pointer ctx, Pointer out, Pointer length);
  }
}
