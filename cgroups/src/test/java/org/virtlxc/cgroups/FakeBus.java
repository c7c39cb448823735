package org.virtlxc.cgroups;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A system bus as busctl shows it, for tests: answers by method name (argv[6]) and records every command line. By
 * default machined is activatable, systemd runs and every call succeeds.
 */
final class FakeBus implements BusRunner {
  final List<List<String>> calls = new ArrayList<>();
  final Map<String, Result> answers = new HashMap<>();
  boolean unreachable;

  FakeBus() {
    answers.put("ListActivatableNames", ok("as 3 \"org.freedesktop.DBus\" \"org.freedesktop.machine1\" "
        + "\"org.freedesktop.login1\"\n"));
    answers.put("ListNames", ok("as 3 \"org.freedesktop.DBus\" \":1.4\" \"org.freedesktop.systemd1\"\n"));
    answers.put("CreateMachineWithNetwork", ok("o \"/org/freedesktop/machine1/machine/lxc_2d42_2dweb\"\n"));
    answers.put("CreateMachine", ok("o \"/org/freedesktop/machine1/machine/lxc_2d42_2dweb\"\n"));
    answers.put("TerminateMachine", ok(""));
  }

  static Result ok(String stdout) {
    return new Result(0, stdout, "");
  }

  static Result failed(String stderr) {
    return new Result(1, "", stderr);
  }

  /** The methods called, in order. */
  List<String> methods() {
    return calls.stream().map(a -> a.get(6)).toList();
  }

  @Override
  public Result run(List<String> argv) throws IOException {
    calls.add(List.copyOf(argv));
    if (unreachable) {
      return failed("Failed to connect to bus: No such file or directory\n");
    }
    Result r = answers.get(argv.get(6));
    if (r == null) {
      throw new AssertionError("unexpected bus call " + argv);
    }
    return r;
  }
}
