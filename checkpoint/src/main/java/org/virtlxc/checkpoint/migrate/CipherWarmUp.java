package org.virtlxc.checkpoint.migrate;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Gets the JIT to compile AES-GCM, the cipher of the migration's TLS (TLS 1.3 prefers AES-256-GCM), before the image
 * goes through it. A fresh JVM encrypts its first 64 MB at about 80 MB/s and only then at 1.5-2.5 GB/s, and a
 * {@code virt-lxc migrate} is a fresh JVM each time: without this, those first seconds would be spent while the
 * domain is frozen. A daemon thread encrypts and decrypts TLS-sized records of zeros with a throw-away key for at most
 * {@link #BUDGET} or {@link #BYTES}, while the command connects to libvirt and the destination.
 */
public final class CipherWarmUp {
  private static final Logger LOG = LogManager.getLogger(CipherWarmUp.class);
  static final Duration BUDGET = Duration.ofMillis(800);
  static final long BYTES = 96L << 20;
  private static final int RECORD = 16384;

  private CipherWarmUp() {}

  /** Starts the warm-up on a daemon thread; returns at once. */
  public static Thread start() {
    Thread t = new Thread(CipherWarmUp::run, "cipher-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /** Encrypts and decrypts records until the budget is spent; returns the bytes encrypted. */
  static long run() {
    long t0 = System.nanoTime();
    long deadline = t0 + BUDGET.toNanos();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    byte[] plain = new byte[RECORD];
    byte[] sealed = new byte[RECORD + 16];
    byte[] iv = new byte[12];
    long done = 0;
    try {
      Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
      Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
      for (long n = 0; done < BYTES && System.nanoTime() < deadline; n++) {
        for (int i = 0; i < 8; i++) {
          iv[i] = (byte) (n >>> (8 * i)); // a new nonce per record, as TLS uses
        }
        GCMParameterSpec spec = new GCMParameterSpec(128, iv);
        enc.init(Cipher.ENCRYPT_MODE, k, spec);
        int len = enc.doFinal(plain, 0, RECORD, sealed, 0);
        dec.init(Cipher.DECRYPT_MODE, k, spec);
        dec.doFinal(sealed, 0, len, plain, 0);
        done += RECORD;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.debug("cipher warm-up stopped: {}", e.toString());
    }
    LOG.debug("cipher warm-up: {} MiB in {} ms", done >> 20, (System.nanoTime() - t0) / 1_000_000);
    return done;
  }
}
