package dev.stride.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.examples.LinearRegression.Run;
import org.junit.jupiter.api.Test;

class LinearRegressionTest {

  @Test
  void theGoodRateFindsTheLine() {
    Run run = LinearRegression.train(LinearRegression.DATA, 0.5);
    assertFalse(run.diverged());
    assertEquals(LinearRegression.TRUE_W, run.w(), 0.05);
    assertEquals(LinearRegression.TRUE_B, run.b(), 0.05);
    // the noise's variance, 0.01, is as low as the loss can go
    assertEquals(0.01, run.finalLoss(), 0.003);
  }

  @Test
  void theSmallRateIsStillOnItsWayAndTheLargeOneDiverges() {
    Run[] runs = LinearRegression.run(Log.quiet());
    Run small = runs[0];
    Run large = runs[2];
    assertFalse(small.diverged());
    assertTrue(small.finalLoss() > 10 * runs[1].finalLoss(), "too small a rate reached " + small.finalLoss());
    assertTrue(large.diverged(), "too large a rate did not diverge: " + large.finalLoss());
  }
}
