package org.virtlxc.driver;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.virtlxc.driver.monitor.MonitorServer;

/**
 * Entry point of the controller libvirtd runs as a domain's {@code <emulator>}, in place of libvirt_lxc. Runs in the
 * pid libvirtd recorded (never forks away from it). Exit status: 0 after init ended, 1 on a start-up failure (after one
 * plain line naming the cause on stderr, which libvirtd shows as "guest failed to start: ...").
 */
public final class ControllerMain {
  private ControllerMain() {}

  public static void main(String[] argv) {
    ControllerLogging.configure(System.getenv());
    StartupWarmUp.begin();
    int code = run(argv);
    ControllerLogging.shutdown();
    System.exit(code);
  }

  static int run(String[] argv) {
    ControllerArgs args;
    try {
      args = ControllerArgs.parse(argv);
    } catch (HelpRequestedException e) {
      System.out.print(ControllerArgs.usage("virt-lxc-controller"));
      return 0;
    } catch (ControllerArgsException e) {
      StartupFailure.report(e.getMessage());
      return 1;
    }
    // Before anything initialises Log4j on this thread: the read overlaps with that.
    StatusFile.readAhead(StatusFile.of(StatusFile.STATE_DIR, args.name()));
    Logger log = LogManager.getLogger(ControllerMain.class); // only after ControllerLogging.configure
    Controller controller = new Controller(args, MonitorServer.STATE_DIR);
    AtomicReference<String> phase = new AtomicReference<>("starting");
    Thread hook = new Thread(() -> {
      if (!"done".equals(phase.get())) {
        log.info("terminated: killing init and removing the domain's resources");
        controller.terminate();
      }
    }, "controller-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      controller.start();
    } catch (Controller.StartupException e) {
      log.debug("start-up failed", e);
      StartupFailure.report(e.getMessage());
      controller.close();
      phase.set("done");
      return 1;
    } catch (RuntimeException e) {
      log.error("start-up failed", e);
      StartupFailure.report(e.toString());
      controller.close();
      phase.set("done");
      return 1;
    }
    phase.set("running");
    try {
      boolean exited = controller.awaitInitExit();
      if (!exited) {
        Thread.currentThread().join(); // terminated: the shutdown hook cleans up, then the JVM halts
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    controller.close();
    phase.set("done");
    return 0;
  }
}
