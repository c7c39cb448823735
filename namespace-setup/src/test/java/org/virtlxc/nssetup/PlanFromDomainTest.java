package org.virtlxc.nssetup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.virtlxc.domainxml.DomainXml;
import org.virtlxc.domainxml.model.Domain;

class PlanFromDomainTest {
  private static final String UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809";

  private static Domain domain(String os, String devices, String extra) throws Exception {
    String xml = "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>"
        + "<name>vlxct_web.1</name><uuid>" + UUID + "</uuid><memory unit='KiB'>65536</memory>"
        + "<os><type>exe</type>" + os + "</os>" + extra
        + "<devices>" + devices + "</devices></domain>";
    return DomainXml.parse(xml, "test");
  }

  private static Set<String> dropped(LaunchPlan p) {
    return p.dropCapabilities().stream().map(Capability::name).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void defaultsFollowLibvirtLxc() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/bin/sh</init><initarg>-c</initarg><initarg>echo hi</initarg>",
        "", ""));
    assertEquals(List.of("/bin/sh", "-c", "echo hi"), p.argv());
    assertEquals(List.of("container=lxc-libvirt", "PATH=/bin:/sbin", "TERM=linux", "HOME=/",
        "container_uuid=" + UUID, "LIBVIRT_LXC_UUID=" + UUID, "LIBVIRT_LXC_NAME=vlxct_web.1"), p.env());
    assertEquals(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC), p.create());
    assertEquals("/", p.rootSource());
    assertFalse(p.rootReadonly());
    assertTrue(p.mountProc() && p.mountSysfs() && p.populateDev() && p.mountDevpts());
    assertEquals("vlxctweb1", p.hostname());
    assertEquals(new TreeSet<>(PlanFromDomain.DEFAULT_DROPS), dropped(p));
    assertEquals("/", p.cwd());
    assertEquals(OptionalLong.empty(), p.uid());
    assertNull(p.console());
  }

  @Test
  void initEnvDirUserAndGroupAreMapped() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/sbin/init</init><initenv name='FOO'>bar baz</initenv>"
        + "<initenv name='X'>1</initenv><initdir>/srv</initdir><inituser>1000</inituser><initgroup>100</initgroup>", "", ""));
    assertEquals(List.of("FOO=bar baz", "X=1"), p.env().subList(7, 9));
    assertEquals("/srv", p.cwd());
    assertEquals(OptionalLong.of(1000), p.uid());
    assertEquals(OptionalLong.of(100), p.gid());
  }

  @Test
  void missingInitDefaultsToSbinInit() throws Exception {
    assertEquals(List.of("/sbin/init"), PlanFromDomain.plan(domain("", "", "")).argv());
  }

  @Test
  void filesystemsBecomeRootBindsAndTmpfs() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/bin/sh</init>",
        "<filesystem type='mount'><source dir='/var/lib/vlxct/root'/><target dir='/'/><readonly/></filesystem>"
            + "<filesystem type='bind'><source dir='/srv/data'/><target dir='/data'/></filesystem>"
            + "<filesystem type='mount'><source dir='/etc/ssl'/><target dir='/etc/ssl'/><readonly/></filesystem>"
            + "<filesystem type='ram'><source usage='1024'/><target dir='/run'/></filesystem>"
            + "<filesystem type='ram'><source usage='2' units='MiB'/><target dir='/tmp'/></filesystem>", ""));
    assertEquals("/var/lib/vlxct/root", p.rootSource());
    assertTrue(p.rootReadonly());
    assertEquals(List.of(MountSpec.bind("/srv/data", "/data", false), MountSpec.bind("/etc/ssl", "/etc/ssl", true),
        MountSpec.tmpfs("/run", 1024 * 1024, false), MountSpec.tmpfs("/tmp", 2 * 1024 * 1024, false)), p.mounts());
  }

  @Test
  void blockAndFileFilesystemsAreUnsupported() throws Exception {
    for (String type : List.of("block", "file")) {
      String src = type.equals("block") ? "<source dev='/dev/sdb1'/>" : "<source file='/var/lib/img.raw'/>";
      Domain d = domain("<init>/bin/sh</init>",
          "<filesystem type='" + type + "'>" + src + "<target dir='/data'/></filesystem>", "");
      LaunchPlanException e = assertThrows(LaunchPlanException.class, () -> PlanFromDomain.plan(d));
      assertEquals("unable to mount /data of domain vlxct_web.1: <filesystem type='" + type
          + "'> is unsupported (only mount, bind and ram are)", e.getMessage());
    }
  }

  @Test
  void idmapCreatesUserNamespaceAndRunsInitAsMappedRoot() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>"));
    assertTrue(p.create().contains(Namespace.USER));
    assertEquals(List.of(new IdMapping(0, 100000, 65536)), p.uidMap());
    assertEquals(List.of(new IdMapping(0, 100000, 65536)), p.gidMap());
    assertEquals(OptionalLong.of(0), p.uid());
    assertEquals(OptionalLong.of(0), p.gid());
  }

  @Test
  void interfacesOrPrivnetCreateANetworkNamespace() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "", "<features><privnet/></features>"));
    assertTrue(p.create().contains(Namespace.NET));
  }

  @Test
  void sharedNamespacesAreJoinedByTheFdsGiven() throws Exception {
    Domain d = domain("<init>/bin/sh</init>", "",
        "<lxc:namespace><lxc:sharenet type='netns' value='red'/><lxc:shareuts type='name' value='other'/></lxc:namespace>");
    LaunchPlan p = PlanFromDomain.builder(d, Map.of(Namespace.NET, 26, Namespace.UTS, 27)).build();
    assertEquals(Map.of(Namespace.NET, 26, Namespace.UTS, 27), p.join());
    assertEquals(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.IPC), p.create());
    assertEquals("vlxctweb1", p.hostname(), "libvirt_lxc names the shared uts namespace after the joining domain");
    LaunchPlanException e = assertThrows(LaunchPlanException.class, () -> PlanFromDomain.plan(d));
    assertTrue(e.getMessage().startsWith("unable to share the uts namespace of domain vlxct_web.1: no namespace fd was passed"), e.getMessage());
  }

  @Test
  void sharedNetworkWithPrivateInterfacesIsRefusedAsLibvirtLxcDoes() throws Exception {
    Domain d = domain("<init>/bin/sh</init>", "<interface type='network'><source network='default'/></interface>",
        "<lxc:namespace><lxc:sharenet type='netns' value='red'/></lxc:namespace>");
    LaunchPlanException e = assertThrows(LaunchPlanException.class,
        () -> PlanFromDomain.builder(d, Map.of(Namespace.NET, 26)));
    assertEquals("unable to share the net namespace of domain vlxct_web.1: <lxc:sharenet> cannot be combined with"
        + " private network interfaces (<interface>, <privnet/> or a net <hostdev>)", e.getMessage());
  }

  @Test
  void sharedIpcIsJoinedAndTheOthersCreated() throws Exception {
    Domain d = domain("<init>/bin/sh</init>", "",
        "<lxc:namespace><lxc:shareipc type='pid' value='1234'/></lxc:namespace>");
    LaunchPlan p = PlanFromDomain.builder(d, Map.of(Namespace.IPC, 30)).build();
    assertEquals(Map.of(Namespace.IPC, 30), p.join());
    assertEquals(EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS), p.create());
    assertEquals("vlxctweb1", p.hostname());
  }

  @Test
  void defaultPolicyKeepsSysBootAsLibvirtLxcDoes() throws Exception {
    LaunchPlan p = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "", ""));
    assertEquals(new TreeSet<>(Set.of("sys_module", "sys_time", "mknod", "audit_control", "mac_admin")), dropped(p));
    LaunchPlan off = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<features><capabilities policy='default'><sys_boot state='off'/></capabilities></features>"));
    assertFalse(dropped(off).contains("sys_boot"), "libvirt_lxc keeps sys_boot under 'default' even when off");
    LaunchPlan allowOff = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<features><capabilities policy='allow'><sys_boot state='off'/></capabilities></features>"));
    assertEquals(Set.of("sys_boot"), dropped(allowOff));
  }

  @Test
  void capabilityPolicies() throws Exception {
    LaunchPlan def = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<features><capabilities policy='default'><mknod state='on'/><net_raw state='off'/></capabilities></features>"));
    Set<String> want = new TreeSet<>(PlanFromDomain.DEFAULT_DROPS);
    want.remove("mknod");
    want.add("net_raw");
    assertEquals(want, dropped(def));

    assertFalse(dropped(def).contains("sys_boot"), "sys_boot kept: the container may reboot() its pid namespace");

    LaunchPlan allow = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<features><capabilities policy='allow'><sys_admin state='off'/></capabilities></features>"));
    assertEquals(Set.of("sys_admin"), dropped(allow));

    LaunchPlan deny = PlanFromDomain.plan(domain("<init>/bin/sh</init>", "",
        "<features><capabilities policy='deny'><chown state='on'/><kill state='on'/></capabilities></features>"));
    assertEquals(Capability.names().size() - 2, deny.dropCapabilities().size());
    assertFalse(dropped(deny).contains("chown"));
  }

  @Test
  void hostnameFilter() {
    assertEquals("web-1", PlanFromDomain.hostname("--web_-1"));
    assertEquals("", PlanFromDomain.hostname("___"));
  }
}
