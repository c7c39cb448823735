package org.virtlxc.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extra device allows of libvirt's virLXCCgroupSetupDeviceACL, and how they reach devices.allow. */
class DeviceAclTest {
  @TempDir
  Path tmp;

  @Test
  void disksFilesystemsHostdevsAndMknodAreAllowedAsLibvirtDoes() throws Exception {
    TestHost.require(Files.exists(Path.of("/dev/loop0")) && Files.exists(Path.of("/dev/loop1")), "/dev/loop0, 1");
    var d = DomainCgroupsTest.domain("""
        <features><capabilities policy='default'><mknod state='on'/></capabilities></features>
        """, """
        <disk type='block' device='disk'><source dev='/dev/loop0'/><target dev='sda'/></disk>
        <disk type='block' device='disk'><source dev='/dev/loop1'/><target dev='sdb'/><readonly/></disk>
        <disk type='file' device='disk'><source file='/tmp/image'/><target dev='sdc'/></disk>
        <filesystem type='block'><source dev='/dev/loop1'/><target dir='/mnt'/></filesystem>
        <filesystem type='block'><source dev='/dev/loop0'/><target dir='/ro'/><readonly/></filesystem>
        <filesystem type='mount'><source dir='/tmp'/><target dir='/t'/></filesystem>
        <hostdev mode='capabilities' type='misc'><source><char>/dev/null</char></source></hostdev>
        <hostdev mode='capabilities' type='storage'><source><block>/dev/loop0</block></source></hostdev>
        <hostdev mode='capabilities' type='net'><source><interface>eth9</interface></source></hostdev>
        """);
    List<String> expected = new ArrayList<>(DeviceRule.CONTAINER_DEFAULTS.stream().map(Object::toString).toList());
    expected.addAll(List.of("b *:* m", "c *:* m", "b 7:0 rwm", "b 7:1 rm", "b 7:1 rw", "b 7:0 r", "c 1:3 rwm",
        "b 7:0 rwm"));
    assertEquals(expected, new DeviceAcl(tmp).rules(d).stream().map(Object::toString).toList());
  }

  @Test
  void timersAreReadOnlyAndOnlyWhenTheNodeExists() throws Exception {
    TestHost.require("root".equals(System.getProperty("user.name")), "root (mknod)");
    var d = DomainCgroupsTest.domain("""
        <clock offset='utc'><timer name='rtc'/><timer name='hpet'/><timer name='pit'/></clock>
        """, "");
    assertEquals(DeviceRule.CONTAINER_DEFAULTS, new DeviceAcl(tmp).rules(d), "no rtc0 or hpet node: nothing added");

    mknod(tmp.resolve("rtc0"), 252, 0);
    mknod(tmp.resolve("hpet"), 10, 228);
    List<DeviceRule> rules = new DeviceAcl(tmp).rules(d);
    assertEquals(List.of("c 252:0 r", "c 10:228 r"), rules.subList(DeviceRule.CONTAINER_DEFAULTS.size(), rules.size())
        .stream().map(Object::toString).toList());

    var absent = DomainCgroupsTest.domain("<clock offset='utc'><timer name='rtc' present='no'/></clock>", "");
    assertEquals(DeviceRule.CONTAINER_DEFAULTS, new DeviceAcl(tmp).rules(absent), "present='no' adds nothing");
  }

  @Test
  void aMissingNodeNamesTheElement() throws Exception {
    var d = DomainCgroupsTest.domain("", """
        <filesystem type='block'><source dev='/dev/vlxct-cgfail-none'/><target dir='/mnt'/></filesystem>
        """);
    CgroupException e = assertThrows(CgroupException.class, () -> new DeviceAcl(tmp).rules(d));
    assertEquals(CgroupException.Code.CONFIG, e.code());
    assertTrue(e.getMessage().startsWith("invalid <filesystem type='block'><source dev> '/dev/vlxct-cgfail-none': "),
        e.getMessage());
  }

  static void mknod(Path node, int major, int minor) throws Exception {
    Process p = new ProcessBuilder("mknod", node.toString(), "c", Integer.toString(major), Integer.toString(minor))
        .redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
  }
}
