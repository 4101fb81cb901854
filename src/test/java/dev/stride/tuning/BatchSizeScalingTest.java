package dev.stride.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stride.schedule.Schedule;
import dev.stride.schedule.Schedules;
import org.junit.jupiter.api.Test;

class BatchSizeScalingTest {

  @Test
  void linearMultipliesTheRateByTheBatchRatioAndSqrtByItsRoot() {
    assertEquals(0.8, BatchSizeScaling.linear(0.1, 256, 2048), 1e-15);
    assertEquals(0.025, BatchSizeScaling.linear(0.1, 256, 64), 1e-15);
    assertEquals(3e-4 * Math.sqrt(8), BatchSizeScaling.sqrt(3e-4, 256, 2048), 1e-18);
    assertEquals(0.1, BatchSizeScaling.sqrt(0.1, 32, 32));
  }

  @Test
  void theWarmupRisesLinearlyFromTheUnscaledRateThenTheScaledScheduleRuns() {
    Schedule base = Schedules.step(0.1, 30, 0.1);
    Schedule scaled =
        BatchSizeScaling.linear(base, 256, 8192, 5); // k = 32: Goyal et al.'s 0.1 → 3.2
    assertEquals(0.1, scaled.valueAt(0), 1e-15);
    for (int t = 0; t <= 5; t++) {
      assertEquals(0.1 + (3.2 - 0.1) * t / 5, scaled.valueAt(t), 1e-14, "warmup step " + t);
    }
    for (int t = 5; t < 100; t++) {
      assertEquals(32 * base.valueAt(t - 5), scaled.valueAt(t), 1e-14, "step " + t);
    }
  }

  @Test
  void withoutWarmupTheScheduleIsScaledFromTheStart() {
    Schedule base = Schedules.cosine(1e-3, 0, 100);
    Schedule scaled = BatchSizeScaling.sqrt(base, 64, 256, 0);
    for (int t = 0; t < 150; t++) {
      assertEquals(2 * base.valueAt(t), scaled.valueAt(t), 1e-18, "step " + t);
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertEquals(
        "batch must be > 0, got 0",
        assertThrows(IllegalArgumentException.class, () -> BatchSizeScaling.linear(0.1, 256, 0))
            .getMessage());
    assertEquals(
        "baseBatch must be > 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> BatchSizeScaling.sqrt(0.1, -1, 8))
            .getMessage());
    assertEquals(
        "lr must be a finite number >= 0, got -0.1",
        assertThrows(IllegalArgumentException.class, () -> BatchSizeScaling.linear(-0.1, 1, 8))
            .getMessage());
    assertEquals(
        "warmupSteps must be >= 0, got -5",
        assertThrows(
                IllegalArgumentException.class,
                () -> BatchSizeScaling.linear(Schedules.constant(0.1), 1, 8, -5))
            .getMessage());
  }
}
