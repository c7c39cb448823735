package org.virtlxc.checkpoint.image;

/** A member's SHA-256 (lower-case hex) and size, as the image's {@code SHA256SUMS} trailer records it. */
public record MemberDigest(String name, long size, String sha256) {
  public MemberDigest {
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("member '" + name + "': not a SHA-256 hex digest: " + sha256);
    }
  }
}
