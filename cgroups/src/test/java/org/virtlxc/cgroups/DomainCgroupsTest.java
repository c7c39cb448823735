package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.model.Domain;

class DomainCgroupsTest {
  static Domain domain(String extra, String devices) throws Exception {
    return DomainXml.parse("""
        <domain type='lxc'>
          <name>demo</name>
          <memory unit='KiB'>500000</memory>
          %s
          <os><type>exe</type><init>/bin/sh</init></os>
          <devices>
            <emulator>/usr/libexec/libvirt_lxc</emulator>
            %s
          </devices>
        </domain>
        """.formatted(extra, devices), "test.xml");
  }

  @Test
  void plainDomainGetsMemoryAndDefaultDevicesOnly() throws Exception {
    CgroupResources r = DomainCgroups.resources(domain("<vcpu>1</vcpu>", ""));
    assertEquals(500000L * 1024, r.memoryLimit());
    assertNull(r.memorySoftLimit());
    assertNull(r.cpuShares());
    assertNull(r.cpusetCpus());
    assertNull(r.blkioWeight());
    assertNull(r.blkioDevices());
    assertEquals("[c 1:3 rwm, c 1:5 rwm, c 1:7 rwm, c 1:8 rwm, c 1:9 rwm, c 5:0 rwm, c 5:2 rwm, c 136:* rwm, "
        + "c 10:229 rwm]", r.devices().toString());
    assertEquals("/machine/lxc-99-demo.libvirt-lxc", DomainCgroups.machine(domain("", ""), 99).path());
  }

  @Test
  void everyTuningElementIsMapped() throws Exception {
    TestHost.require(Files.exists(Path.of("/dev/vda")), "the VM's disk /dev/vda");
    Domain d = domain("""
        <memtune>
          <hard_limit unit='MiB'>256</hard_limit>
          <soft_limit unit='MiB'>128</soft_limit>
          <swap_hard_limit unit='G'>1</swap_hard_limit>
          <min_guarantee>65536</min_guarantee>
        </memtune>
        <blkiotune>
          <weight>500</weight>
          <device><path>/dev/vda</path><weight>700</weight><read_iops_sec>100</read_iops_sec>
            <write_iops_sec>200</write_iops_sec><read_bytes_sec>1048576</read_bytes_sec>
            <write_bytes_sec>2097152</write_bytes_sec></device>
        </blkiotune>
        <vcpu placement='static' cpuset='0-1,^1'>1</vcpu>
        <cputune><shares>2048</shares><period>100000</period><quota>50000</quota></cputune>
        <numatune><memory mode='strict' nodeset='0'/></numatune>
        <resource><partition>/machine/tenant</partition></resource>
        """, """
        <hostdev mode='capabilities' type='misc'><source><char>/dev/null</char></source></hostdev>
        <hostdev mode='capabilities' type='storage'><source><block>/dev/vda</block></source></hostdev>
        """);
    CgroupResources r = DomainCgroups.resources(d);
    assertEquals(256L << 20, r.memoryLimit(), "hard_limit overrides <memory>");
    assertEquals(128L << 20, r.memorySoftLimit());
    assertEquals(1L << 30, r.memorySwapLimit(), "libvirt: G = GiB");
    assertEquals(65536L * 1024, r.memoryMinGuarantee());
    assertEquals(2048L, r.cpuShares());
    assertEquals(100000L, r.cpuPeriod());
    assertEquals(50000L, r.cpuQuota());
    assertEquals("0", r.cpusetCpus(), "libvirt's ^N exclusion, written the kernel's way");
    assertEquals("0", r.cpusetMems());
    assertEquals(500, r.blkioWeight());
    DeviceNumber vda = DeviceNumber.of(Path.of("/dev/vda"));
    assertEquals(List.of(new BlkioDeviceLimit("/dev/vda", vda, 700, 1048576L, 2097152L, 100L, 200L)),
        r.blkioDevices());
    List<DeviceRule> expected = new ArrayList<>(DeviceRule.CONTAINER_DEFAULTS);
    expected.add(DeviceRule.chr(1, 3));
    expected.add(new DeviceRule('b', vda.major(), vda.minor(), "rwm"));
    assertEquals(expected, r.devices());
    assertEquals("/machine/tenant.partition/lxc-7-demo.libvirt-lxc", DomainCgroups.machine(d, 7).path());
  }

  @Test
  void interleavedNumaIsNotACpuset() throws Exception {
    CgroupResources r = DomainCgroups.resources(domain(
        "<numatune><memory mode='interleave' nodeset='0'/></numatune>", ""));
    assertNull(r.cpusetMems());
  }

  @Test
  void badNumbersNameTheElement() throws Exception {
    CgroupException e = assertThrows(CgroupException.class,
        () -> DomainCgroups.resources(domain("<cputune><shares>lots</shares></cputune>", "")));
    assertEquals("unable to parse <cputune><shares> 'lots': not an integer", e.getMessage());
    e = assertThrows(CgroupException.class, () -> DomainCgroups.resources(domain(
        "<blkiotune><device><path>/nonexistent/dev</path><weight>500</weight></device></blkiotune>", "")));
    assertTrue(e.getMessage().startsWith("unable to stat device /nonexistent/dev"), e.getMessage());
  }

  @Test
  void validationNamesElementsAndHostLimits() throws Exception {
    HostTopology host = HostTopology.of("0-1", "0");
    assertEquals("invalid <vcpu cpuset> '0-3': the host has no CPUs 2-3 (online: 0-1)", invalid(
        CgroupResources.NONE.withCpuset("0-3", null), host, false));
    assertEquals("invalid <numatune><memory nodeset> '1': the host has no NUMA nodes 1 (online: 0)", invalid(
        CgroupResources.NONE.withCpuset(null, "1"), host, false));
    assertEquals("invalid <memory>/<memtune><hard_limit> 4096 bytes: below the minimum of 1048576 bytes (1 MiB)",
        invalid(CgroupResources.NONE.withMemory(4096L, null, null, null), host, false));
    assertEquals("invalid <cputune><shares> 20000: must be in range [1, 10000]",
        invalid(CgroupResources.NONE.withCpu(20000L, null, null), host, true));
    assertEquals("invalid <cputune><shares> 1: must be in range [2, 262144]",
        invalid(CgroupResources.NONE.withCpu(1L, null, null), host, false));
    assertEquals("invalid <cputune><period> 999: must be in range [1000, 1000000]",
        invalid(CgroupResources.NONE.withCpu(null, 999L, null), host, false));
    assertEquals("invalid <cputune><quota> 5: must be in range [1000, 17592186044415]",
        invalid(CgroupResources.NONE.withCpu(null, null, 5L), host, false));
    assertTrue(invalid(CgroupResources.NONE.withMemory(64L << 20, null, 32L << 20, null), host, false)
        .startsWith("invalid <memtune><swap_hard_limit>"));
    ResourceValidator.validate(CgroupResources.NONE.withCpu(1024L, 100000L, -1L).withCpuset("0-1", "0"), host, false);
  }

  private static String invalid(CgroupResources r, HostTopology host, boolean v2) {
    CgroupException e = assertThrows(CgroupException.class, () -> ResourceValidator.validate(r, host, v2));
    assertEquals(CgroupException.Code.CONFIG, e.code());
    return e.getMessage();
  }

  @Test
  void cpuListsAndDeviceNumbers() throws Exception {
    assertEquals("0-3,5", CpuList.format(CpuList.parse("0-3,5", "x")));
    assertEquals("0,2-3", CpuList.format(CpuList.parse("0-3,^1", "x")));
    assertThrows(CgroupException.class, () -> CpuList.parse("3-1", "x"));
    assertEquals(new DeviceNumber(false, 1, 3), DeviceNumber.of(Path.of("/dev/null")));
    assertEquals(259, DeviceNumber.major((259L << 8) & 0xfff00 | ((259L & ~0xfffL) << 32)));
    assertEquals(300, DeviceNumber.minor((300L & 0xff) | ((300L & ~0xffL) << 12)));
  }

  @Test
  void nicIndexesAreTheHostEndsOfBridgeNetworkAndEthernetInterfaces(@TempDir Path net)
      throws Exception {
    for (String[] d : new String[][] {{"vnet0", "17\n"}, {"vnet1", "1729\n"}, {"vnet2", "23\n"}}) {
      Files.createDirectories(net.resolve(d[0]));
      Files.writeString(net.resolve(d[0]).resolve("ifindex"), d[1]);
    }
    Domain d = domain("", """
        <interface type='bridge'><source bridge='br0'/><target dev='vnet0'/></interface>
        <interface type='network'><source network='default'/><target dev='vnet1'/></interface>
        <interface type='ethernet'><target dev='gone0'/></interface>
        <interface type='direct'><source dev='eth0' mode='bridge'/><target dev='vnet2'/></interface>
        <interface type='bridge'><source bridge='br0'/></interface>
        """);
    assertEquals(List.of(17, 1729), DomainCgroups.nicIndexes(d, net));
    assertEquals(List.of(), DomainCgroups.nicIndexes(domain("", ""), net));
  }
}
