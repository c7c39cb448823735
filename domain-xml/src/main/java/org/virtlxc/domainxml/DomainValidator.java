package org.virtlxc.domainxml;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.virtlxc.domainxml.model.Devices;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.Filesystem;
import org.virtlxc.domainxml.model.HostdevSource;
import org.virtlxc.domainxml.model.IdRange;
import org.virtlxc.domainxml.model.MemTune;
import org.virtlxc.domainxml.model.ScaledSize;
import org.virtlxc.domainxml.model.SizeUnit;

/**
 * The checks libvirt makes when it parses an LXC domain, each failing with the first problem found as
 * a {@link DomainXmlException} that names the line, element and attribute (runc's validator style: a
 * list of small named checks).
 */
final class DomainValidator {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
  private static final Pattern UNSIGNED = Pattern.compile("[0-9]+");

  private final String source;
  private final SourceLines lines;

  DomainValidator(String source, SourceLines lines) {
    this.source = source;
    this.lines = lines;
  }

  void validate(Domain domain, String path) throws DomainXmlException {
    checkType(domain, path);
    checkName(domain, path);
    checkUuid(domain, path);
    checkMemory(domain, path);
    checkVcpu(domain, path);
    checkIdMap(domain, path);
    if (domain.devices() != null) {
      checkDevices(domain.devices(), path + "/devices");
    }
  }

  private void checkType(Domain domain, String path) throws DomainXmlException {
    if (domain.type() == null) {
      throw error(path, "domain", "type", "missing domain type; expected type='lxc'");
    }
    if (!domain.type().equals("lxc")) {
      throw error(path, "domain", "type", "domain type '" + domain.type() + "' is not an LXC domain; expected type='lxc'");
    }
  }

  private void checkName(Domain domain, String path) throws DomainXmlException {
    if (domain.name() == null || domain.name().isBlank()) {
      throw error(path + (domain.name() == null ? "" : "/name"), domain.name() == null ? "domain" : "name", null,
          "missing domain name (<name>)");
    }
    if (domain.name().contains("/")) {
      throw error(path + "/name", "name", null, "domain name '" + domain.name() + "' must not contain '/'");
    }
  }

  private void checkUuid(Domain domain, String path) throws DomainXmlException {
    if (domain.uuid() != null && !UUID.matcher(domain.uuid().trim()).matches()) {
      throw error(path + "/uuid", "uuid", null, "malformed uuid '" + domain.uuid() + "'");
    }
  }

  private void checkMemory(Domain domain, String path) throws DomainXmlException {
    checkSize(domain.maxMemory(), path + "/maxMemory", "maxMemory");
    checkSize(domain.memory(), path + "/memory", "memory");
    checkSize(domain.currentMemory(), path + "/currentMemory", "currentMemory");
    MemTune tune = domain.memtune();
    if (tune != null) {
      checkSize(tune.hardLimit(), path + "/memtune/hard_limit", "hard_limit");
      checkSize(tune.softLimit(), path + "/memtune/soft_limit", "soft_limit");
      checkSize(tune.swapHardLimit(), path + "/memtune/swap_hard_limit", "swap_hard_limit");
      checkSize(tune.minGuarantee(), path + "/memtune/min_guarantee", "min_guarantee");
    }
  }

  /** Sizes default to KiB in every element the LXC driver reads. */
  private void checkSize(ScaledSize size, String path, String element) throws DomainXmlException {
    if (size == null) {
      return;
    }
    if (size.unit() != null && !SizeUnit.isKnown(size.unit())) {
      throw error(path, element, "unit", "unknown unit '" + size.unit() + "'");
    }
    try {
      size.bytes("KiB");
    } catch (IllegalArgumentException e) {
      throw error(path, element, null, "invalid size: " + e.getMessage());
    }
  }

  private void checkVcpu(Domain domain, String path) throws DomainXmlException {
    if (domain.vcpu() == null) {
      return;
    }
    String count = domain.vcpu().count();
    if (!UNSIGNED.matcher(count).matches() || new BigInteger(count).signum() == 0
        || new BigInteger(count).bitLength() > 31) {
      throw error(path + "/vcpu", "vcpu", null, "vcpu count '" + count + "' must be a positive integer");
    }
  }

  private void checkIdMap(Domain domain, String path) throws DomainXmlException {
    if (domain.idmap() == null) {
      return;
    }
    checkRanges(domain.idmap().uids(), path + "/idmap", "uid");
    checkRanges(domain.idmap().gids(), path + "/idmap", "gid");
    if (domain.idmap().uids().isEmpty() != domain.idmap().gids().isEmpty()) {
      throw error(path + "/idmap", "idmap", null, "both <uid> and <gid> ranges are needed for a user namespace");
    }
  }

  private void checkRanges(List<IdRange> ranges, String path, String element) throws DomainXmlException {
    for (int i = 0; i < ranges.size(); i++) {
      IdRange r = ranges.get(i);
      String at = path + SourceLines.step(element, i);
      checkUnsigned(r.start(), at, element, "start");
      checkUnsigned(r.target(), at, element, "target");
      checkUnsigned(r.count(), at, element, "count");
    }
  }

  private void checkUnsigned(String value, String path, String element, String attribute) throws DomainXmlException {
    if (value == null) {
      throw error(path, element, attribute, "missing attribute");
    }
    if (!UNSIGNED.matcher(value.trim()).matches() || value.trim().length() > 10
        || Long.parseLong(value.trim()) > 0xffffffffL) {
      throw error(path, element, attribute, "'" + value + "' is not an unsigned 32-bit integer");
    }
  }

  private void checkDevices(Devices devices, String path) throws DomainXmlException {
    List<Filesystem> filesystems = devices.filesystems();
    for (int i = 0; i < filesystems.size(); i++) {
      Filesystem fs = filesystems.get(i);
      String at = path + SourceLines.step("filesystem", i);
      checkSize(fs.spaceHardLimit(), at + "/space_hard_limit", "space_hard_limit");
      checkSize(fs.spaceSoftLimit(), at + "/space_soft_limit", "space_soft_limit");
      if ("ram".equals(fs.type())) {
        checkRamUsage(fs, at);
      }
    }
    // The duplicates libvirt refuses at definition time (checked against libvirtd 9.0): disk targets and
    // host devices. It accepts two filesystems with one target, or two interfaces with one MAC.
    unique(devices.disks(), d -> d.target() == null ? null : d.target().dev(), path, "disk", "target", "dev",
        "disk target '%s' is used twice");
    unique(devices.hostdevs(), h -> h.source() == null ? null : hostdevKey(h.source()), path, "hostdev", "source",
        null, "host device '%s' is assigned twice");
  }

  private void checkRamUsage(Filesystem fs, String at) throws DomainXmlException {
    if (fs.source() == null || fs.source().usage() == null) {
      throw error(at, "filesystem", null, "ram filesystem needs <source usage='...'>");
    }
    String units = fs.source().units() == null ? "KiB" : fs.source().units();
    if (!SizeUnit.isKnown(units)) {
      throw error(at + "/source", "source", "units", "unknown unit '" + units + "'");
    }
    try {
      SizeUnit.toBytes(fs.source().usage(), units);
    } catch (IllegalArgumentException e) {
      throw error(at + "/source", "source", "usage", "invalid size: " + e.getMessage());
    }
  }

  private static String hostdevKey(HostdevSource s) {
    if (s.block() != null) {
      return s.block().trim();
    }
    if (s.charDevice() != null) {
      return s.charDevice().trim();
    }
    if (s.hostInterface() != null) {
      return s.hostInterface().trim();
    }
    if (s.address() != null) {
      return "usb " + s.address().bus() + ":" + s.address().device();
    }
    return null;
  }

  /** Fails on the second device whose key (a target, a MAC) repeats one seen before. */
  private <T> void unique(List<T> items, Function<T, String> key, String path, String element, String child,
      String attribute, String format) throws DomainXmlException {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String k = key.apply(items.get(i));
      if (k == null) {
        continue;
      }
      if (seen.putIfAbsent(k, i) != null) {
        throw error(path + SourceLines.step(element, i) + "/" + child, child, attribute, String.format(format, k));
      }
    }
  }

  private DomainXmlException error(String path, String element, String attribute, String problem) {
    return new DomainXmlException(source, lines.lineOf(path), element, attribute, problem);
  }
}
