package dev.stride.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.examples.LinearRegression.Rate;
import dev.stride.examples.LinearRegression.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearRegressionTest {

  @Test
  void theRightRateFindsTheLine() {
    Run run = LinearRegression.train(LinearRegression.DATA, Rate.RIGHT);
    assertFalse(run.diverged());
    assertEquals(LinearRegression.TRUE_W, run.w(), 0.05);
    assertEquals(LinearRegression.TRUE_B, run.b(), 0.05);
    // the noise's variance, 0.01, is as low as the loss can go
    assertEquals(0.01, run.finalLoss(), 0.003);
  }

  @Test
  void theSmallRateIsStillOnItsWayAndTheLargeOneDiverges() {
    List<Run> runs = LinearRegression.run(Log.quiet());
    Run small = runs.get(Rate.TOO_SMALL.ordinal());
    Run right = runs.get(Rate.RIGHT.ordinal());
    Run large = runs.get(Rate.TOO_LARGE.ordinal());
    assertFalse(small.diverged());
    assertTrue(
        small.finalLoss() > 10 * right.finalLoss(),
        "too small a rate reached " + small.finalLoss());
    assertTrue(large.diverged(), "too large a rate did not diverge: " + large.finalLoss());
  }

  @Test
  void theChartHasAColumnPerRateAndARowPerStep(@TempDir Path dir) throws IOException {
    LinearRegression.chart(LinearRegression.run(Log.quiet()), dir.resolve("lr"));
    List<String> csv = Files.readAllLines(dir.resolve("lr.csv"));
    assertEquals("step,lr 0.02 (too small),lr 0.5 (right),lr 1.1 (too large)", csv.get(0));
    assertEquals(LinearRegression.STEPS + 2, csv.size());
    assertTrue(
        csv.getLast().endsWith(",NaN"), "the diverged run's column ends in NaN: " + csv.getLast());
    assertTrue(Files.size(dir.resolve("lr.png")) > 0);
  }
}
