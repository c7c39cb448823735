package org.virtlxc.checkpoint.migrate;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the destination's migration service listens. From the destination's libvirt URI (virsh's DESTURI: {@code
 * lxc+tcp://HOST/system}, {@code lxc://HOST/}, {@code lxc+tls://HOST/}, {@code lxc+ssh://USER@HOST/}) the host, with
 * port {@value #DEFAULT_PORT}; or, as virsh's MIGRATEURI, {@code tcp://HOST[:PORT]} (also {@code HOST[:PORT]}).
 *
 * @param host the destination host name or address
 * @param port the service's TCP port (0 only to listen on any free port)
 */
public record MigrationAddress(String host, int port) {
  /** The migration service's default TCP port (libvirtd itself uses 16509 for TCP and 16514 for TLS). */
  public static final int DEFAULT_PORT = 16520;

  public MigrationAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("migration address without a host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("migration port " + port + " is out of range");
    }
  }

  /** The service of the host a libvirt URI names; a URI without a host (e.g. {@code lxc:///}) is refused. */
  public static MigrationAddress fromLibvirtUri(String desturi) {
    URI u = parse(desturi, "destination URI");
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equals("lxc") || scheme.startsWith("lxc+"))) {
      throw new IllegalArgumentException("destination URI '" + desturi + "' is not an LXC URI (lxc://HOST/,"
          + " lxc+tcp://HOST/system, ...)");
    }
    if (u.getHost() == null || u.getHost().isBlank()) {
      throw new IllegalArgumentException("destination URI '" + desturi + "' names no host (e.g. lxc+tcp://HOST/system);"
          + " a migration to the same host is not supported");
    }
    return new MigrationAddress(stripBrackets(u.getHost()), DEFAULT_PORT);
  }

  /** virsh's MIGRATEURI: {@code tcp://HOST[:PORT]} or {@code HOST[:PORT]}. */
  public static MigrationAddress fromMigrateUri(String migrateuri) {
    String s = migrateuri.contains("://") ? migrateuri : "tcp://" + migrateuri;
    URI u = parse(s, "migration URI");
    if (!"tcp".equals(u.getScheme())) {
      throw new IllegalArgumentException("migration URI '" + migrateuri + "' must be tcp://HOST[:PORT]");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("migration URI '" + migrateuri + "' names no host (tcp://HOST[:PORT])");
    }
    if (u.getPort() == 0) {
      throw new IllegalArgumentException("migration URI '" + migrateuri + "' names port 0");
    }
    return new MigrationAddress(stripBrackets(u.getHost()), u.getPort() < 0 ? DEFAULT_PORT : u.getPort());
  }

  /** {@code ADDR[:PORT]} for the service's {@code --listen} (default: all addresses). */
  public static MigrationAddress fromListen(String listen) {
    if (listen == null || listen.isBlank()) {
      return new MigrationAddress("0.0.0.0", DEFAULT_PORT);
    }
    if (listen.matches("\\d+")) {
      return new MigrationAddress("0.0.0.0", Integer.parseInt(listen));
    }
    URI u = parse(listen.contains("://") ? listen : "tcp://" + listen, "listen address");
    if (!"tcp".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("listen address '" + listen + "' must be ADDR[:PORT]");
    }
    return new MigrationAddress(stripBrackets(u.getHost()), u.getPort() < 0 ? DEFAULT_PORT : u.getPort());
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static URI parse(String s, String what) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(what + " '" + s + "' is not a URI: " + e.getMessage(), e);
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
