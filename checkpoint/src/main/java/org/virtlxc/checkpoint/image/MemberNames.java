package org.virtlxc.checkpoint.image;

import java.util.regex.Pattern;

/**
 * The names inside a save image. The image is a tar stream (optionally zstd-compressed) whose members come in this
 * order: {@value #MANIFEST}, {@value #MANIFEST_SUM}, the payload ({@code criu/...} then {@code extra/...}), then the
 * trailer: from format 2 on {@value #PAGE_SUMS} (one line per page image), then {@value #SUMS} (sha256sum format,
 * one line per member before it but the page images from format 2 on) and {@value #SUMS_SUM}.
 */
final class MemberNames {
  static final String MANIFEST = "manifest.json";
  static final String MANIFEST_SUM = "manifest.json.sha256";
  static final String SUMS = "SHA256SUMS";
  /** From format 2 on: the page images' CRC32C chunks ({@link MemberCheck}), just before {@value #SUMS}. */
  static final String PAGE_SUMS = "CRC32CSUMS";
  static final String SUMS_SUM = "SHA256SUMS.sha256";
  static final String CRIU_PREFIX = "criu/";
  static final String EXTRA_PREFIX = "extra/";

  /** Short enough for a plain ustar header (no PAX name records), safe as a relative path. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*");
  private static final int MAX_LENGTH = 99;

  private MemberNames() {}

  static void requireValidPayloadName(String name) {
    if (name == null || !(name.startsWith(CRIU_PREFIX) || name.startsWith(EXTRA_PREFIX))) {
      throw new IllegalArgumentException("member name '" + name + "' must start with criu/ or extra/");
    }
    if (name.length() > MAX_LENGTH || !SAFE.matcher(name).matches()) {
      throw new IllegalArgumentException("member name '" + name
          + "' must be at most 99 characters of letters, digits, '._+-' and '/' between non-empty parts");
    }
    for (String part : name.split("/")) {
      if (part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("member name '" + name + "' must not contain '.' or '..' parts");
      }
    }
  }
}
