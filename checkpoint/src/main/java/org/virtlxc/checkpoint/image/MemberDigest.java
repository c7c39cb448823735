package org.virtlxc.checkpoint.image;

/**
 * A payload member's size and check value as the image's trailer records it: its SHA-256 (lower-case hex, in
 * {@code SHA256SUMS}) or, for a page image from format 2 on, its CRC32C chunks ({@link MemberCheck}, in
 * {@code CRC32CSUMS}).
 */
public record MemberDigest(String name, long size, Algorithm algorithm, String value) {
  /** How a member is checked. */
  public enum Algorithm { SHA256, CRC32C_CHUNKS }

  public MemberDigest {
    String shape = algorithm == Algorithm.SHA256 ? "[0-9a-f]{64}" : "([0-9a-f]{8})*";
    if (value == null || !value.matches(shape)) {
      throw new IllegalArgumentException("member '" + name + "': not a " + algorithm + " hex value: " + value);
    }
  }
}
