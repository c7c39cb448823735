package org.virtlxc.checkpoint.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up really reads and checks its image (a broken one would end it at once with no round done). */
class ImageReadWarmUpTest {
  @Test
  void checksItsSyntheticImageAtLeastOnceWithinItsBudget() throws Exception {
    long t0 = System.nanoTime();
    int rounds = ImageReadWarmUp.run();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(rounds >= 1 && rounds <= ImageReadWarmUp.ROUNDS, rounds + " rounds");
    // the budget is checked between rounds: one round past it at most (a round is well under a second)
    assertTrue(ms < ImageReadWarmUp.BUDGET.toMillis() + 5_000, ms + " ms");
  }
}
