package org.virtlxc.tests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What an integration test needs from the host. On a developer's machine a missing requirement skips the test; in CI
 * ({@code CI=true}) it fails it, because a test skipped in CI proves nothing.
 */
final class TestHost {
  private TestHost() {}

  static void require(boolean met, String what) {
    if (met) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("CI host lacks what this test needs: " + what);
    }
    assumeTrue(false, "host lacks: " + what);
  }
}
