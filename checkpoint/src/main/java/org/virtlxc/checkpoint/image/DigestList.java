package org.virtlxc.checkpoint.image;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The digest members: {@code sha256sum} format ("HEX  NAME" per line), so that an unpacked image can be checked with
 * {@code sha256sum -c SHA256SUMS}; {@value MemberNames#PAGE_SUMS} has the same shape, with a page image's CRC32C chunks
 * ({@link MemberCheck}) for HEX.
 */
final class DigestList {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CRCS = Pattern.compile("([0-9a-f]{8})*");

  private DigestList() {}

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  static byte[] format(Map<String, String> digests) {
    StringBuilder sb = new StringBuilder();
    digests.forEach((name, sha) -> sb.append(sha).append("  ").append(name).append('\n'));
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Member name to hex digest, in file order; {@code what} names the member being parsed in errors. */
  static Map<String, String> parse(byte[] text, String image, String what) throws SaveImageException {
    return parse(text, image, what, SHA256, "SHA256  NAME");
  }

  /** Member name to its CRC32C chunks ({@link MemberCheck}), in file order: the {@value MemberNames#PAGE_SUMS} member. */
  static Map<String, String> parseCrcs(byte[] text, String image, String what) throws SaveImageException {
    return parse(text, image, what, CRCS, "CRC32C...  NAME");
  }

  private static Map<String, String> parse(byte[] text, String image, String what, Pattern check, String shape)
      throws SaveImageException {
    Map<String, String> out = new LinkedHashMap<>();
    String s = new String(text, StandardCharsets.US_ASCII);
    if (s.isEmpty()) {
      return out;
    }
    if (!s.endsWith("\n")) {
      throw malformed(image, what, "does not end with a newline");
    }
    int lineNo = 0;
    for (String line : s.substring(0, s.length() - 1).split("\n", -1)) {
      lineNo++;
      int sep = line.indexOf("  ");
      if (sep < 0 || sep + 2 == line.length() || !check.matcher(line.substring(0, sep)).matches()) {
        throw malformed(image, what, "line " + lineNo + " is not '" + shape + "'");
      }
      if (out.put(line.substring(sep + 2), line.substring(0, sep)) != null) {
        throw malformed(image, what, "line " + lineNo + " repeats member '" + line.substring(sep + 2) + "'");
      }
    }
    return out;
  }

  private static SaveImageException malformed(String image, String what, String problem) {
    return new SaveImageException(SaveImageException.Code.CORRUPT,
        "save image " + image + ": member '" + what + "' is malformed: " + problem);
  }
}
