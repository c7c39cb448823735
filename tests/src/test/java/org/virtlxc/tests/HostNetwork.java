package org.virtlxc.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Host-side commands and free addresses for the network integration tests (loopback, own veths, libvirt's default). */
final class HostNetwork {
  private HostNetwork() {}

  /** What a host command printed (stdout and stderr together) and how it ended. */
  record Result(int status, String out) {
    String ok() {
      if (status != 0) {
        throw new AssertionError("command failed with status " + status + ": " + out);
      }
      return out;
    }
  }

  /** Runs a host command (30 s at most). */
  static Result run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new AssertionError("unable to run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * N such that {@code v4a.N.0/24}, {@code v4b.N.0/24} and {@code v6:N::/64} have no address or route on the host
   * (e.g. "10.254", "10.253", "fd54:ee").
   */
  static int freeSubnet(String v4a, String v4b, String v6) {
    String used = run("ip", "-o", "addr").ok() + run("ip", "route").ok() + run("ip", "-6", "route").ok();
    for (int attempt = 0; attempt < 100; attempt++) {
      int n = ThreadLocalRandom.current().nextInt(1, 250);
      if (!used.contains(v4a + "." + n + ".") && !used.contains(v4b + "." + n + ".")
          && !used.contains(v6 + ":" + n + ":")) {
        return n;
      }
    }
    throw new AssertionError("no free " + v4a + ".N.0/24 on this host");
  }

  /** A host number in 192.168.122.0/24 outside its DHCP-busy low range that nothing answers on. */
  static int freeHostInDefaultNetwork() {
    for (int attempt = 0; attempt < 20; attempt++) {
      int n = ThreadLocalRandom.current().nextInt(200, 250);
      if (run("ping", "-c", "1", "-W", "1", "192.168.122." + n).status() != 0) {
        return n;
      }
    }
    throw new AssertionError("no free address in 192.168.122.200-249");
  }

  /** A random MAC in libvirt's 52:54:00 range. */
  static String randomMac() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("52:54:00:%02x:%02x:%02x", r.nextInt(256), r.nextInt(256), r.nextInt(256));
  }
}
