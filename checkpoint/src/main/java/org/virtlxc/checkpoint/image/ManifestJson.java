package org.virtlxc.checkpoint.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manifest as JSON, mapped field by field so that the file format is written down here and a missing or wrong
 * field is named. The format version is checked before anything else is read.
 */
final class ManifestJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestJson() {}

  static byte[] write(Manifest m) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", SaveImageFormat.NAME);
    root.put("formatVersion", m.formatVersion());
    ObjectNode domain = root.putObject("domain");
    domain.put("name", m.domainName());
    domain.put("uuid", m.domainUuid());
    domain.put("xml", m.domainXml());
    root.put("created", m.created().toString());
    root.put("runState", m.runState().label());
    root.put("compression", m.compression().label());
    ObjectNode host = root.putObject("host");
    host.put("kernelRelease", m.host().kernelRelease());
    host.put("arch", m.host().arch());
    ArrayNode flags = host.putArray("cpuFlags");
    m.host().cpuFlags().forEach(flags::add);
    host.put("criuVersion", m.host().criuVersion());
    ObjectNode limits = root.putObject("cgroupLimits");
    new TreeMap<>(m.cgroupLimits()).forEach(limits::put);
    ArrayNode externals = root.putArray("criuExternals");
    m.criuExternals().forEach(externals::add);
    root.put("processCount", m.processCount());
    ObjectNode memory = root.putObject("memory");
    memory.put("pages", m.memoryPages());
    memory.put("pageSize", m.pageSize());
    ArrayNode members = root.putArray("members");
    for (MemberInfo mi : m.members()) {
      members.addObject().put("name", mi.name()).put("size", mi.size());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unable to write the manifest as JSON", e);
    }
  }

  /** Reads a manifest; {@code image} names the image in errors. */
  static Manifest read(byte[] json, String image) throws SaveImageException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw corrupt(image, "is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject() || !SaveImageFormat.NAME.equals(root.path("format").asText())) {
      throw new SaveImageException(SaveImageException.Code.NOT_AN_IMAGE,
          image + " is not a virt-lxc save image (its manifest has no \"format\": \"" + SaveImageFormat.NAME + "\")");
    }
    JsonNode version = root.path("formatVersion");
    if (!version.canConvertToInt() || version.asInt() < 1) {
      throw corrupt(image, "has no valid \"formatVersion\"");
    }
    if (version.asInt() > SaveImageFormat.VERSION) {
      throw new SaveImageException(SaveImageException.Code.UNSUPPORTED_VERSION, "save image " + image
          + " has format version " + version.asInt() + "; this virt-lxc reads up to " + SaveImageFormat.VERSION);
    }
    try {
      Fields f = new Fields(root, image);
      HostFacts host = new HostFacts(f.text("host.kernelRelease"), f.text("host.arch"), f.texts("host.cpuFlags"),
          f.text("host.criuVersion"));
      List<MemberInfo> members = new ArrayList<>();
      for (JsonNode n : f.array("members")) {
        Fields mf = new Fields(n, image);
        members.add(new MemberInfo(mf.text("name"), mf.number("size")));
      }
      return new Manifest(version.asInt(), f.text("domain.name"), f.text("domain.uuid"), f.text("domain.xml"),
          f.instant("created"), RunState.fromLabel(f.text("runState")), Compression.fromLabel(f.text("compression")),
          host, f.textMap("cgroupLimits"), f.texts("criuExternals"), (int) f.number("processCount"),
          f.number("memory.pages"), (int) f.number("memory.pageSize"), members);
    } catch (IllegalArgumentException e) {
      throw corrupt(image, "is invalid: " + e.getMessage());
    }
  }

  private static SaveImageException corrupt(String image, String what) {
    return new SaveImageException(SaveImageException.Code.CORRUPT,
        "save image " + image + ": member '" + MemberNames.MANIFEST + "' " + what);
  }

  /** Typed access to dotted paths, failing with the field's name. */
  private record Fields(JsonNode root, String image) {
    JsonNode node(String path) {
      JsonNode n = root;
      for (String part : path.split("\\.")) {
        n = n.path(part);
      }
      if (n.isMissingNode() || n.isNull()) {
        throw new IllegalArgumentException("field \"" + path + "\" is missing");
      }
      return n;
    }

    String text(String path) {
      JsonNode n = node(path);
      if (!n.isTextual()) {
        throw new IllegalArgumentException("field \"" + path + "\" is not a string");
      }
      return n.asText();
    }

    long number(String path) {
      JsonNode n = node(path);
      if (!n.canConvertToLong() || !n.isIntegralNumber()) {
        throw new IllegalArgumentException("field \"" + path + "\" is not an integer");
      }
      return n.asLong();
    }

    Instant instant(String path) {
      try {
        return Instant.parse(text(path));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("field \"" + path + "\" is not an ISO-8601 instant: " + text(path));
      }
    }

    JsonNode array(String path) {
      JsonNode n = node(path);
      if (!n.isArray()) {
        throw new IllegalArgumentException("field \"" + path + "\" is not an array");
      }
      return n;
    }

    List<String> texts(String path) {
      List<String> out = new ArrayList<>();
      for (JsonNode n : array(path)) {
        if (!n.isTextual()) {
          throw new IllegalArgumentException("field \"" + path + "\" holds a non-string");
        }
        out.add(n.asText());
      }
      return out;
    }

    Map<String, String> textMap(String path) {
      JsonNode n = node(path);
      if (!n.isObject()) {
        throw new IllegalArgumentException("field \"" + path + "\" is not an object");
      }
      Map<String, String> out = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().asText());
      }
      return out;
    }
  }
}
