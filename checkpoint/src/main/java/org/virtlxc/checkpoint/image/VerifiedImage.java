package org.virtlxc.checkpoint.image;

import java.util.List;

/**
 * A save image that passed the whole-image check.
 *
 * @param manifest    its manifest
 * @param compression how it is stored
 * @param members     each payload member's size and SHA-256, checked against the trailer
 * @param imageBytes  the image's size as read (compressed size for zstd images)
 */
public record VerifiedImage(Manifest manifest, Compression compression, List<MemberDigest> members,
                            long imageBytes) {
  public VerifiedImage {
    members = List.copyOf(members);
  }
}
