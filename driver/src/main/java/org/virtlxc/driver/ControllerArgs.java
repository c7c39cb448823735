package org.virtlxc.driver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.virtlxc.domainxml.model.CharDevice;
import org.virtlxc.domainxml.model.Domain;
import org.virtlxc.domainxml.model.NetInterface;

/**
 * The controller's command line, as libvirtd builds it ({@code lxc_process.c:virLXCProcessBuildControllerCmd}) and
 * libvirt_lxc parses it ({@code getopt_long} in {@code lxc_controller.c:main}). Parsed once, then immutable.
 *
 * <p>Accepted: {@code --name/-n NAME}, {@code --console/-c FD}, {@code --passfd/-p FD} and {@code --veth/-v IFNAME}
 * (repeatable, order kept), {@code --share-net/-N}, {@code --share-ipc/-I}, {@code --share-uts/-U FD},
 * {@code --security/-S MODEL} (default {@code none}), {@code --handshakefds/-s R:W}, {@code --help/-h}. Values may be
 * attached ({@code --opt=value}, {@code -nNAME}) or separate; long options may be abbreviated to an unambiguous
 * prefix, as with getopt_long. For options given once, the last occurrence wins (getopt behaviour).
 *
 * @param name domain name ({@code /run/libvirt/lxc/NAME.xml}, {@code .sock}, {@code .pid})
 * @param consoleFds host pty masters, one per {@code <console>}, in order
 * @param passFds fds for the container init (they become its fd 3, 4, …)
 * @param sharedNamespaces namespaces to join instead of create
 * @param securityModel security driver model name; libvirt_lxc's default is {@code none}
 * @param handshakeReadFd the pipe the controller reads libvirtd's {@code 'c'} from
 * @param handshakeWriteFd the pipe the controller writes its {@code 'c'} to
 * @param veths container-side veth (or macvlan) names, one per {@code <interface>}, in interface order
 */
public record ControllerArgs(
    String name,
    List<Integer> consoleFds,
    List<Integer> passFds,
    Map<SharedNamespace, Integer> sharedNamespaces,
    String securityModel,
    int handshakeReadFd,
    int handshakeWriteFd,
    List<String> veths) {

  /** libvirt_lxc's default for {@code --security}. */
  public static final String DEFAULT_SECURITY_MODEL = "none";

  public ControllerArgs {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(securityModel, "securityModel");
    consoleFds = List.copyOf(consoleFds);
    passFds = List.copyOf(passFds);
    EnumMap<SharedNamespace, Integer> shared = new EnumMap<>(SharedNamespace.class);
    shared.putAll(sharedNamespaces);
    sharedNamespaces = Collections.unmodifiableMap(shared);
    veths = List.copyOf(veths);
    if (handshakeReadFd < 0 || handshakeWriteFd < 0) {
      throw new IllegalArgumentException("handshake fds must not be negative");
    }
  }

  /** The fd to join for {@code ns}, if libvirtd passed one. */
  public OptionalInt sharedNamespaceFd(SharedNamespace ns) {
    Integer fd = sharedNamespaces.get(ns);
    return fd == null ? OptionalInt.empty() : OptionalInt.of(fd);
  }

  /**
   * Parses argv without argv[0].
   *
   * @throws HelpRequestedException for {@code --help}/{@code -h}
   * @throws ControllerArgsException for an unknown option, a missing or malformed value, {@code --background}, a
   *     stray argument, or a missing {@code --name}/{@code --handshakefds}; the message is one line
   */
  public static ControllerArgs parse(String... argv) throws ControllerArgsException {
    return new Parser(argv).parse();
  }

  /**
   * Checks the arguments against the domain from the status XML, as libvirt_lxc does
   * ({@code virLXCControllerValidateNICs}, {@code virLXCControllerValidateConsoles}): one {@code --veth} per
   * {@code <interface>} and one {@code --console} per {@code <console>}.
   */
  public void validateAgainst(Domain domain) throws ControllerArgsException {
    int nets = interfaces(domain).size();
    if (nets != veths.size()) {
      throw new ControllerArgsException("expecting " + nets + " veths, but got " + veths.size());
    }
    int consoles = consoles(domain).size();
    if (consoles != consoleFds.size()) {
      throw new ControllerArgsException(
          "expecting " + consoles + " consoles, but got " + consoleFds.size() + " tty file handles");
    }
  }

  /**
   * Matches each {@code --veth} to its {@code <interface>} by position: libvirtd passes them in interface order. libvirtd 9.0
   * also writes {@code <guest dev='ethN' actual='VETH'/>} into the status XML (seen on Debian's 9.0.0); where
   * {@code actual} is present it must agree with the veth at that position.
   */
  public List<VethBinding> bindVeths(Domain domain) throws ControllerArgsException {
    validateAgainst(domain);
    List<NetInterface> nets = interfaces(domain);
    List<VethBinding> bindings = new ArrayList<>(nets.size());
    int unnamed = 0; // libvirtd names interfaces without <guest dev> eth0, eth1, … counting only those
    for (int i = 0; i < nets.size(); i++) {
      NetInterface iface = nets.get(i);
      String veth = veths.get(i);
      String actual = iface.guest() == null ? null : iface.guest().actual();
      if (actual != null && !actual.equals(veth)) {
        throw new ControllerArgsException(
            "--veth " + veth + " is passed for interface " + i + ", whose <guest actual> is " + actual);
      }
      String guestName = Optional.ofNullable(iface.guest()).map(g -> g.dev()).orElse(null);
      if (guestName == null) {
        guestName = "eth" + unnamed++;
      }
      bindings.add(new VethBinding(veth, iface, guestName));
    }
    return List.copyOf(bindings);
  }

  /** libvirt_lxc's usage text, with {@code program} as argv[0]. */
  public static String usage(String program) {
    return String.join(
        "\n",
        "",
        "syntax: " + program + " [OPTIONS]",
        "",
        "Options",
        "",
        "  -n NAME, --name NAME",
        "  -c FD, --console FD",
        "  -p FD, --passfd FD",
        "  -v VETH, --veth VETH",
        "  -s FD:FD, --handshakefds FD:FD (read:write)",
        "  -S NAME, --security NAME",
        "  -N FD, --share-net FD",
        "  -I FD, --share-ipc FD",
        "  -U FD, --share-uts FD",
        "  -h, --help",
        "",
        "");
  }

  private static List<NetInterface> interfaces(Domain domain) {
    return domain.devices() == null ? List.of() : domain.devices().interfaces();
  }

  private static List<CharDevice> consoles(Domain domain) {
    return domain.devices() == null ? List.of() : domain.devices().consoles();
  }

  /** getopt_long over libvirt_lxc's option table. */
  private static final class Parser {
    private enum Opt {
      BACKGROUND("background", 'b', false),
      NAME("name", 'n', true),
      VETH("veth", 'v', true),
      CONSOLE("console", 'c', true),
      PASSFD("passfd", 'p', true),
      HANDSHAKEFDS("handshakefds", 's', true),
      SECURITY("security", 'S', true),
      SHARE_NET("share-net", 'N', true),
      SHARE_IPC("share-ipc", 'I', true),
      SHARE_UTS("share-uts", 'U', true),
      HELP("help", 'h', false);

      final String longName;
      final char shortName;
      final boolean hasArg;

      Opt(String longName, char shortName, boolean hasArg) {
        this.longName = longName;
        this.shortName = shortName;
        this.hasArg = hasArg;
      }
    }

    private final String[] argv;
    private int next;
    private String name;
    private final List<Integer> consoles = new ArrayList<>();
    private final List<Integer> passFds = new ArrayList<>();
    private final Map<SharedNamespace, Integer> shared = new EnumMap<>(SharedNamespace.class);
    private String security = DEFAULT_SECURITY_MODEL;
    private int[] handshake;
    private final List<String> veths = new ArrayList<>();

    Parser(String[] argv) {
      this.argv = argv.clone();
    }

    ControllerArgs parse() throws ControllerArgsException {
      while (next < argv.length) {
        String arg = Objects.requireNonNull(argv[next++], "argv element");
        if (arg.equals("--")) {
          if (next < argv.length) {
            throw new ControllerArgsException("unexpected argument '" + argv[next] + "'");
          }
          break;
        } else if (arg.startsWith("--")) {
          parseLong(arg.substring(2));
        } else if (arg.startsWith("-") && arg.length() > 1) {
          parseShort(arg);
        } else {
          throw new ControllerArgsException("unexpected argument '" + arg + "'");
        }
      }
      if (name == null) {
        throw new ControllerArgsException("missing --name argument for configuration");
      }
      if (handshake == null) {
        throw new ControllerArgsException("missing --handshakefds argument");
      }
      return new ControllerArgs(name, consoles, passFds, shared, security, handshake[0], handshake[1], veths);
    }

    private void parseLong(String body) throws ControllerArgsException {
      int eq = body.indexOf('=');
      String key = eq < 0 ? body : body.substring(0, eq);
      Opt opt = lookupLong(key);
      String value;
      if (eq >= 0) {
        if (!opt.hasArg) {
          throw new ControllerArgsException("option '--" + opt.longName + "' doesn't allow an argument");
        }
        value = body.substring(eq + 1);
      } else if (opt.hasArg) {
        value = takeValue("--" + opt.longName);
      } else {
        value = null;
      }
      apply(opt, value);
    }

    private void parseShort(String arg) throws ControllerArgsException {
      char c = arg.charAt(1);
      Opt opt = null;
      for (Opt o : Opt.values()) {
        if (o.shortName == c && o != Opt.BACKGROUND) {
          opt = o;
        }
      }
      if (c == 'b') {
        apply(Opt.BACKGROUND, null);
      }
      if (opt == null) {
        throw new ControllerArgsException("unrecognized option '-" + c + "'");
      }
      String value = null;
      if (opt.hasArg) {
        value = arg.length() > 2 ? arg.substring(2) : takeValue("-" + c);
      } else if (arg.length() > 2) {
        throw new ControllerArgsException("option '-" + c + "' doesn't allow an argument");
      }
      apply(opt, value);
    }

    private Opt lookupLong(String key) throws ControllerArgsException {
      List<Opt> candidates = new ArrayList<>();
      for (Opt o : Opt.values()) {
        if (o.longName.equals(key)) {
          return o;
        }
        if (!key.isEmpty() && o.longName.startsWith(key)) {
          candidates.add(o);
        }
      }
      if (candidates.size() == 1) {
        return candidates.get(0);
      }
      if (candidates.isEmpty()) {
        throw new ControllerArgsException("unrecognized option '--" + key + "'");
      }
      throw new ControllerArgsException("option '--" + key + "' is ambiguous");
    }

    private String takeValue(String option) throws ControllerArgsException {
      if (next >= argv.length) {
        throw new ControllerArgsException("option '" + option + "' requires an argument");
      }
      return argv[next++];
    }

    private void apply(Opt opt, String value) throws ControllerArgsException {
      switch (opt) {
        case BACKGROUND -> throw new ControllerArgsException(
            "--background is not supported: libvirtd daemonizes the controller itself and records its pid");
        case HELP -> throw new HelpRequestedException();
        case NAME -> name = domainName(value);
        case VETH -> veths.add(nonEmpty("--veth", value));
        case CONSOLE -> consoles.add(fd("--console", value));
        case PASSFD -> passFds.add(fd("--passfd", value));
        case HANDSHAKEFDS -> handshake = fdPair(value);
        case SECURITY -> security = nonEmpty("--security", value);
        case SHARE_NET -> shared.put(SharedNamespace.NET, fd("--share-net", value));
        case SHARE_IPC -> shared.put(SharedNamespace.IPC, fd("--share-ipc", value));
        case SHARE_UTS -> shared.put(SharedNamespace.UTS, fd("--share-uts", value));
        default -> throw new AssertionError(opt);
      }
    }

    private static String domainName(String value) throws ControllerArgsException {
      if (value.isEmpty() || value.contains("/")) {
        throw new ControllerArgsException("malformed --name argument '" + value + "': not a domain name");
      }
      return value;
    }

    private static String nonEmpty(String option, String value) throws ControllerArgsException {
      if (value.isEmpty()) {
        throw new ControllerArgsException(option + " needs a non-empty value");
      }
      return value;
    }

    private static int fd(String option, String value) throws ControllerArgsException {
      Integer fd = parseFd(value);
      if (fd == null) {
        throw new ControllerArgsException("malformed " + option + " argument '" + value + "'");
      }
      return fd;
    }

    private static int[] fdPair(String value) throws ControllerArgsException {
      String[] parts = value.split(":", -1);
      Integer read = parts.length == 2 ? parseFd(parts[0]) : null;
      Integer write = parts.length == 2 ? parseFd(parts[1]) : null;
      if (read == null || write == null) {
        throw new ControllerArgsException("malformed --handshakefds argument '" + value + "' (expected R:W)");
      }
      return new int[] {read, write};
    }

    /** A non-negative decimal fd number, or null. */
    private static Integer parseFd(String s) {
      if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        return null;
      }
      long v = Long.parseLong(s);
      return v > Integer.MAX_VALUE ? null : (int) v;
    }
  }
}
