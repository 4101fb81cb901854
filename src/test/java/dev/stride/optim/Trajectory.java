package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * One parameter stepped through an optimizer, compared with a trajectory a test computes from a
 * rule's formulas in double: for the behaviour that PyTorch's reference files cannot show (torch
 * 1.13 lacks the option, or the file records only the parameters).
 */
final class Trajectory {
  private Trajectory() {}

  /** Gaussian values, about a tenth of them exactly zero. */
  static float[] gaussians(SplittableRandom random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextInt(10) == 0 ? 0 : (float) random.nextGaussian();
    }
    return out;
  }

  /** {@code steps} gradient vectors of {@link #gaussians}. */
  static float[][] gradients(SplittableRandom random, int n, int steps) {
    float[][] out = new float[steps][];
    for (int k = 0; k < steps; k++) {
      out[k] = gaussians(random, n);
    }
    return out;
  }

  /** The parameter's values after each step, starting from {@code init}. */
  static float[][] of(Optimizer<?> optimizer, float[] init, float[][] grads) {
    try (Arena arena = Arena.ofConfined();
        optimizer) {
      MemorySegment value = NativeFloats.of(arena, init);
      MemorySegment grad = NativeFloats.allocate(arena, init.length);
      optimizer.add(value, grad);
      float[][] out = new float[grads.length][];
      for (int k = 0; k < grads.length; k++) {
        NativeFloats.write(grad, grads[k]);
        optimizer.step();
        out[k] = NativeFloats.toArray(value);
      }
      return out;
    }
  }

  /**
   * Within golden/FORMAT.md's tolerance of {@code expected} at every step: {@code |got − exp| ≤
   * 1e-6·max(1, D) + 1e-5·|exp|}, D the largest distance from {@code init}.
   */
  static void assertFollows(double[][] expected, float[][] got, float[] init, String what) {
    double d = 0;
    for (double[] step : expected) {
      for (int i = 0; i < init.length; i++) {
        d = Math.max(d, Math.abs(step[i] - init[i]));
      }
    }
    for (int k = 0; k < expected.length; k++) {
      for (int i = 0; i < init.length; i++) {
        double tolerance = 1e-6 * Math.max(1, d) + 1e-5 * Math.abs(expected[k][i]);
        if (!(Math.abs(got[k][i] - expected[k][i]) <= tolerance)) {
          fail(
              String.format(
                  "%s, step %d, element %d: got %s, the formula gives %s (tolerance %.3g)",
                  what, k + 1, i, got[k][i], expected[k][i], tolerance));
        }
      }
    }
  }

  /** The values as doubles. */
  static double[] doubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /**
   * {@code values} negated: a maximizing rule on them steps as the minimizing one on the originals.
   */
  static float[][] negated(float[][] values) {
    float[][] out = new float[values.length][];
    for (int k = 0; k < values.length; k++) {
      out[k] = new float[values[k].length];
      for (int i = 0; i < values[k].length; i++) {
        out[k][i] = -values[k][i];
      }
    }
    return out;
  }
}
