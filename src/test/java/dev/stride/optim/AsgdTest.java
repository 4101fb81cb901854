package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ASGD's average, which a trainer evaluates with, and its per-parameter η and μ: what PyTorch's
 * reference files, which record the parameters only, cannot show.
 */
class AsgdTest {
  private static final int N = 21;
  private static final int STEPS = 15;

  /** ax copies p up to step t0 + 2, then is the mean of the iterates since that step. */
  @ParameterizedTest(name = "t0 = {0}")
  @CsvSource({"0", "3", "1e6"})
  void averageIsTheMeanOfTheIteratesSinceStepT0PlusTwo(double t0) {
    SplittableRandom random = new SplittableRandom(11);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    try (Arena arena = Arena.ofConfined();
        Asgd asgd = new Asgd(AsgdOptions.DEFAULTS.withLr(0.05).withLambd(1e-3).withT0(t0))) {
      MemorySegment value = NativeFloats.of(arena, Trajectory.gaussians(random, N));
      MemorySegment grad = NativeFloats.allocate(arena, N);
      asgd.add(value, grad);
      double[] sum = new double[N];
      for (int t = 1; t <= STEPS; t++) {
        NativeFloats.write(grad, grads[t - 1]);
        asgd.step();
        float[] p = NativeFloats.toArray(value);
        float[] average = NativeFloats.toArray(asgd.average(0, 0));
        long since = (long) t0 + 2;
        for (int i = 0; i < N; i++) {
          if (t < since) {
            assertEquals(p[i], average[i], "step " + t + ", element " + i + ": a copy");
          } else {
            sum[i] += p[i];
            double mean = sum[i] / (t - since + 1);
            assertEquals(
                mean, average[i], 1e-6 * (1 + Math.abs(mean)), "step " + t + ", element " + i);
          }
        }
      }
    }
  }

  /** Also when the rate changes between steps: η_{t+1} is computed from the rate of step t. */
  @ParameterizedTest(name = "lambd {0}, alpha {1}, t0 {2}, weight decay {3}, maximize {4}")
  @CsvSource({"1e-4, 0.75, 1e6, 0, false", "0.01, 0.5, 2, 0.01, true", "0.5, 1, 0, 0.1, false"})
  void followsItsFormulaWithEtaAndMuInFloat32(
      double lambd, double alpha, double t0, double weightDecay, boolean maximize) {
    SplittableRandom random = new SplittableRandom(12);
    float[] init = Trajectory.gaussians(random, N);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    AsgdOptions h = new AsgdOptions(0.04, lambd, alpha, t0, weightDecay, maximize);
    double[] p = Trajectory.doubles(init);
    double eta = (float) h.lr();
    double mu = 1;
    try (Arena arena = Arena.ofConfined();
        Asgd asgd = new Asgd(h)) {
      MemorySegment value = NativeFloats.of(arena, init);
      MemorySegment grad = NativeFloats.allocate(arena, N);
      asgd.add(value, grad);
      double[][] expected = new double[STEPS][];
      float[][] got = new float[STEPS][];
      for (int t = 1; t <= STEPS; t++) {
        double lr = t <= 6 ? h.lr() : h.lr() / 4;
        asgd.group(0).setLr(lr);
        for (int i = 0; i < N; i++) {
          double g = maximize ? -grads[t - 1][i] : grads[t - 1][i];
          g += weightDecay * p[i];
          p[i] = p[i] * (1 - lambd * eta) - eta * g;
        }
        eta = (float) (lr / Math.pow(1 + lambd * lr * t, alpha));
        mu = (float) (1 / Math.max(1, t - t0));
        NativeFloats.write(grad, grads[t - 1]);
        asgd.step();
        expected[t - 1] = p.clone();
        got[t - 1] = NativeFloats.toArray(value);
        Parameter parameter = OptimizerProbe.parameter(asgd, 0, 0);
        assertEquals(eta, parameter.numbers[0], "eta after step " + t);
        assertEquals(mu, parameter.numbers[1], "mu after step " + t);
      }
      Trajectory.assertFollows(expected, got, init, h.toString());
    }
  }

  @Test
  void averageIsAReadOnlyViewThatExistsFromTheFirstStep() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment average;
      try (Asgd asgd = new Asgd(AsgdOptions.DEFAULTS)) {
        asgd.add(NativeFloats.of(arena, 1, 2, 3), NativeFloats.of(arena, 1, 1, 1));
        asgd.addGroup(AsgdOptions.DEFAULTS);
        IllegalStateException early =
            assertThrows(IllegalStateException.class, () -> asgd.average(0, 0));
        assertTrue(
            early.getMessage().contains("parameter 0 of group 0")
                && early.getMessage().contains("first step"),
            early.getMessage());
        assertTrue(
            assertThrows(IndexOutOfBoundsException.class, () -> asgd.average(2, 0))
                .getMessage()
                .contains("group 2"));
        assertTrue(
            assertThrows(IndexOutOfBoundsException.class, () -> asgd.average(0, 1))
                .getMessage()
                .contains("parameter 1 of group 0"));
        assertTrue(
            assertThrows(IndexOutOfBoundsException.class, () -> asgd.average(1, 0))
                .getMessage()
                .contains("parameter 0 of group 1"));

        asgd.step();
        average = asgd.average(0, 0);
        assertTrue(average.isReadOnly());
        assertEquals(3, average.byteSize() / Float.BYTES);
        assertEquals((1 - 1e-4f * 0.01f) * 2 - 0.01f, average.getAtIndex(JAVA_FLOAT, 1), 1e-7);
        MemorySegment view = average;
        assertThrows(IllegalArgumentException.class, () -> view.setAtIndex(JAVA_FLOAT, 0, 5f));
        asgd.step();
        assertEquals(
            OptimizerProbe.parameter(asgd, 0, 0).state(0).getAtIndex(JAVA_FLOAT, 2),
            average.getAtIndex(JAVA_FLOAT, 2),
            "the view follows the steps");
        asgd.close();
        assertThrows(IllegalStateException.class, () -> asgd.average(0, 0));
      }
      MemorySegment freed = average;
      assertThrows(IllegalStateException.class, () -> freed.getAtIndex(JAVA_FLOAT, 0));
    }
  }
}
