package dev.stride.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Adam;
import dev.stride.optim.AdamOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RangeTestTest {

  @ParameterizedTest(name = "L = {0}")
  @ValueSource(doubles = {0.5, 4, 50})
  void onAQuadraticTheSteepestDescentIsWithinAFactorOf3OfOneOverL(double curvature) {
    // The loss a sweep shows is what it has trained so far, so the slower the rate rises the lower
    // the steepest fall sits: with these 50 steps it is 0.58–0.76 / L, with 100 steps 0.24–0.32 /
    // L.
    try (Quadratic quadratic = new Quadratic(curvature, 0.1, 100, 7)) {
      RangeTestResult result = RangeTest.exponential(1e-7, 10, 50).run(quadratic.sgd, quadratic);
      double best = 1 / curvature;
      double steepest = result.suggestion(Heuristic.STEEPEST).orElseThrow().lr();
      assertTrue(
          steepest > best / 3 && steepest < best * 3,
          "steepest " + steepest + " against 1/L = " + best);
    }
  }

  @Test
  void restoresParametersAndStateToTheBitAndDivergenceStopsTheSweep() {
    try (Quadratic quadratic = new Quadratic(4, 0.1, 100, 3)) {
      for (int i = 0; i < 5; i++) {
        quadratic.train(0.05); // some steps first: a step count and moved values to keep
      }
      int[] before = quadratic.value.toArray(ValueLayout.JAVA_INT);
      RangeTestResult result = RangeTest.exponential(1e-4, 100, 100).run(quadratic.sgd, quadratic);
      assertSame(RangeTestResult.Stop.DIVERGED, result.stop());
      assertTrue(result.size() < 100, "stopped early: " + result.size());
      double[] smoothed = result.smoothedLosses();
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < smoothed.length - 1; i++) {
        best = Math.min(best, smoothed[i]);
        assertTrue(
            smoothed[i + 1] <= 4 * best || i + 1 == smoothed.length - 1,
            "went on past step " + (i + 1));
      }
      assertTrue(
          smoothed[smoothed.length - 1] > 4 * best, "the last point is the one that diverged");
      assertArrayEquals(
          before, quadratic.value.toArray(ValueLayout.JAVA_INT), "parameters as before");
      assertEquals(5, quadratic.sgd.stepCount());
      assertEquals(0.01, quadratic.sgd.group(0).lr(), "the group's rate as before");
    }
  }

  @Test
  void restoresAdamStateExactlySoTrainingGoesOnAsIfTheTestHadNotRun() {
    try (Arena arena = Arena.ofConfined()) {
      AdamModel tested = new AdamModel(arena);
      AdamModel untouched = new AdamModel(arena);
      for (int i = 0; i < 3; i++) {
        tested.train(0);
        untouched.train(0);
      }
      RangeTestResult result = RangeTest.exponential(1e-5, 10, 30).run(tested.adam, tested);
      assertTrue(result.size() > 5, "it trained: " + result);
      for (int i = 0; i < 3; i++) { // Adam's m, v and vmax and its step count steer these
        tested.train(0);
        untouched.train(0);
      }
      assertArrayEquals(
          untouched.value.toArray(ValueLayout.JAVA_INT),
          tested.value.toArray(ValueLayout.JAVA_INT));
    }
  }

  @Test
  void aNanLossStopsTheSweepAtOnce() {
    try (Quadratic quadratic = new Quadratic(1, 0, 10, 1)) {
      List<Double> rates = new ArrayList<>();
      RangeTestResult result =
          RangeTest.exponential(1e-3, 1, 20)
              .run(
                  quadratic.sgd,
                  lr -> {
                    rates.add(lr);
                    return rates.size() == 8 ? Double.NaN : quadratic.train(lr);
                  });
      assertSame(RangeTestResult.Stop.NOT_FINITE, result.stop());
      assertEquals(8, rates.size(), "no step after the NaN");
      assertEquals(8, result.size());
      assertTrue(Double.isNaN(result.losses()[7]));
    }
  }

  @Test
  void aThrowingStepStillRestoresAndTheExceptionReachesTheCaller() {
    try (Quadratic quadratic = new Quadratic(1, 0, 10, 1)) {
      int[] before = quadratic.value.toArray(ValueLayout.JAVA_INT);
      IllegalStateException thrown = new IllegalStateException("data loader failed");
      int[] calls = {0};
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  RangeTest.exponential(1e-3, 1, 20)
                      .run(
                          quadratic.sgd,
                          lr -> {
                            if (++calls[0] == 5) {
                              throw thrown;
                            }
                            return quadratic.train(lr);
                          }));
      assertSame(thrown, e);
      assertArrayEquals(before, quadratic.value.toArray(ValueLayout.JAVA_INT));
      assertEquals(0, quadratic.sgd.stepCount());
    }
  }

  @Test
  void ratesRiseEvenlyInLogScaleOrLinearlyAndEndExactlyAtTheMaximum() {
    RangeTest exponential = RangeTest.exponential(1e-6, 1, 7);
    RangeTest linear = RangeTest.linear(0.1, 1.3, 7);
    for (int i = 0; i < 7; i++) {
      assertEquals(Math.pow(10, -6 + i), exponential.rateAt(i), 1e-15 * Math.pow(10, -6 + i));
      assertEquals(0.1 + 0.2 * i, linear.rateAt(i), 1e-15);
    }
    assertEquals(1.0, exponential.rateAt(6));
    assertEquals(1.3, linear.rateAt(6));
  }

  @Test
  void theSmoothedLossIsADebiasedMovingAverage() {
    try (Quadratic quadratic = new Quadratic(1, 0, 4, 1)) {
      double[] losses = {5, 5, 5, 1, 3};
      int[] i = {0};
      RangeTestResult result =
          RangeTest.linear(0.001, 0.002, 5)
              .withSmoothing(0.5)
              .run(quadratic.sgd, lr -> losses[i[0]++]);
      // a = 0.5 a + 0.5 ℓ: 2.5, 3.75, 4.375, 2.6875, 2.84375; then / (1 − 0.5^(i+1))
      assertArrayEquals(
          new double[] {5, 5, 5, 2.6875 / 0.9375, 2.84375 / 0.96875},
          result.smoothedLosses(),
          1e-15);
      assertSame(RangeTestResult.Stop.COMPLETED, result.stop());
    }
  }

  @Test
  void suggestionsReadTheCurve() {
    // 100 points over 1e-4 … 1: flat at 1, falling steeply around lr 1e-2, lowest near 0.1, then
    // rising
    try (Quadratic quadratic = new Quadratic(1, 0, 4, 1)) {
      RangeTest sweep = RangeTest.exponential(1e-4, 1, 100).withSmoothing(0);
      RangeTestResult result =
          sweep.run(
              quadratic.sgd,
              lr -> {
                double x = Math.log10(lr);
                return 1
                    - 0.9 / (1 + Math.exp(-6 * (x + 2)))
                    + (x > -1 ? 5 * (x + 1) * (x + 1) : 0);
              });
      assertEquals(1e-2, result.suggestion(Heuristic.STEEPEST).orElseThrow().lr(), 1e-2 * 0.1);
      Suggestion minimum = result.suggestion(Heuristic.MINIMUM_OVER_10).orElseThrow();
      assertEquals(result.lrs()[minimum.index()] / 10, minimum.lr());
      assertTrue(
          minimum.lr() > 0.005 && minimum.lr() < 0.02, "the minimum is near 0.1: " + minimum);
      Suggestion valley = result.suggestion(Heuristic.VALLEY).orElseThrow();
      assertTrue(valley.lr() > 1e-3 && valley.lr() < 0.05, "inside the fall: " + valley);
      assertEquals(
          List.of(Heuristic.values()),
          result.suggestions().stream().map(Suggestion::heuristic).toList());
    }
  }

  @Test
  void aSweepThatStopsTooEarlySuggestsNothing() {
    try (Quadratic quadratic = new Quadratic(1, 0, 4, 1)) {
      int[] i = {0};
      RangeTestResult result =
          RangeTest.exponential(1e-4, 1, 100).run(quadratic.sgd, lr -> ++i[0] < 12 ? 1 : 100);
      assertSame(RangeTestResult.Stop.DIVERGED, result.stop());
      assertEquals(List.of(), result.suggestions());
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertMessage(
        "minLr must be a finite number > 0, got 0.0", () -> RangeTest.exponential(0, 1, 10));
    assertMessage("maxLr must be > minLr (1.0), got 1.0", () -> RangeTest.linear(1, 1, 10));
    assertMessage("steps must be >= 2, got 1", () -> RangeTest.exponential(1e-3, 1, 1));
    assertMessage(
        "smoothing must be in [0, 1), got 1.0",
        () -> RangeTest.exponential(1e-3, 1, 10).withSmoothing(1));
    assertMessage(
        "divergenceFactor must be > 1, got 1.0",
        () -> RangeTest.exponential(1e-3, 1, 10).withDivergenceFactor(1));
    assertMessage(
        "i must be in [0, 10), got 10", () -> RangeTest.exponential(1e-3, 1, 10).rateAt(10));
  }

  private static void assertMessage(String message, Runnable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call::run).getMessage());
  }

  /** Σ p² / 2 over 21 values, whose gradient is p, trained with AMSGrad. */
  private static final class AdamModel implements RangeTest.TrainingStep {
    final Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01).withAmsgrad(true));
    final MemorySegment value;
    final MemorySegment grad;

    AdamModel(Arena arena) {
      value = arena.allocate(ValueLayout.JAVA_FLOAT, 21);
      grad = arena.allocate(ValueLayout.JAVA_FLOAT, 21);
      for (int i = 0; i < 21; i++) {
        value.setAtIndex(ValueLayout.JAVA_FLOAT, i, i - 10);
      }
      adam.add(value, grad);
    }

    @Override
    public double train(double lr) {
      double loss = 0;
      for (int i = 0; i < 21; i++) {
        float p = value.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        loss += p * p / 2.0;
        grad.setAtIndex(ValueLayout.JAVA_FLOAT, i, p);
      }
      adam.step();
      return loss;
    }
  }
}
