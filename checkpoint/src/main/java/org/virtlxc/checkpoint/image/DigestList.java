package org.virtlxc.checkpoint.image;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The digest members: {@code sha256sum} format ("HEX  NAME" per line), so that an unpacked image can be checked with
 * {@code sha256sum -c SHA256SUMS}.
 */
final class DigestList {
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
    Map<String, String> out = new LinkedHashMap<>();
    String s = new String(text, StandardCharsets.US_ASCII);
    if (!s.endsWith("\n")) {
      throw malformed(image, what, "does not end with a newline");
    }
    int lineNo = 0;
    for (String line : s.split("\n")) {
      lineNo++;
      if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-f]{64}") || !line.startsWith("  ", 64)) {
        throw malformed(image, what, "line " + lineNo + " is not 'SHA256  NAME'");
      }
      if (out.put(line.substring(66), line.substring(0, 64)) != null) {
        throw malformed(image, what, "line " + lineNo + " repeats member '" + line.substring(66) + "'");
      }
    }
    return out;
  }

  private static SaveImageException malformed(String image, String what, String problem) {
    return new SaveImageException(SaveImageException.Code.CORRUPT,
        "save image " + image + ": member '" + what + "' is malformed: " + problem);
  }
}
