package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NAdam against its formulas where PyTorch's reference files cannot reach: PyTorch 2's {@code
 * decoupled_weight_decay} and {@code maximize}, which torch 1.13 lacks, and the running product μ
 * kept per parameter.
 */
class NAdamTest {
  private static final int N = 33;
  private static final int STEPS = 25;

  @ParameterizedTest(name = "weight decay {0}, decoupled {1}, maximize {2}")
  @CsvSource({
    "0, false, true",
    "0.05, false, true",
    "0.05, true, false",
    "0.05, true, true",
    "0.3, true, false"
  })
  void followsItsFormula(double weightDecay, boolean decoupled, boolean maximize) {
    SplittableRandom random = new SplittableRandom(7);
    float[] init = Trajectory.gaussians(random, N);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    NAdamOptions h =
        NAdamOptions.DEFAULTS
            .withLr(0.02)
            .withBetas(0.8, 0.99)
            .withMomentumDecay(0.01)
            .withWeightDecay(weightDecay)
            .withDecoupledWeightDecay(decoupled)
            .withMaximize(maximize);
    Trajectory.assertFollows(
        formula(h, init, grads), Trajectory.of(new NAdam(h), init, grads), init, h.toString());
  }

  @Test
  void maximizeStepsAsMinimizingTheNegatedGradient() {
    SplittableRandom random = new SplittableRandom(8);
    float[] init = Trajectory.gaussians(random, N);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    NAdamOptions h = NAdamOptions.DEFAULTS.withLr(0.01).withWeightDecay(0.02);
    assertArrayEquals(
        Trajectory.of(new NAdam(h), init, Trajectory.negated(grads)),
        Trajectory.of(new NAdam(h.withMaximize(true)), init, grads));
  }

  @Test
  void theMomentumProductIsEachParametersOwnFloat32Number() {
    NAdamOptions h = NAdamOptions.DEFAULTS;
    try (Arena arena = Arena.ofConfined();
        NAdam nadam = new NAdam(h)) {
      nadam.add(NativeFloats.of(arena, 1, 2), NativeFloats.of(arena, 0.5f, -0.5f));
      nadam.step();
      nadam.step();
      nadam.add(NativeFloats.of(arena, 3), NativeFloats.of(arena, 0.25f));
      nadam.step();
      assertEquals(product(h, 3), OptimizerProbe.parameter(nadam, 0, 0).numbers[0]);
      assertEquals(product(h, 1), OptimizerProbe.parameter(nadam, 0, 1).numbers[0]);
    }
  }

  /** Π_t as PyTorch's float32 tensor holds it: each product rounded to float32. */
  private static double product(NAdamOptions h, int steps) {
    float product = 1;
    for (int t = 1; t <= steps; t++) {
      product *= (float) mu(h, t);
    }
    return product;
  }

  private static double mu(NAdamOptions h, long t) {
    return h.beta1() * (1 - 0.5 * Math.pow(0.96, t * h.momentumDecay()));
  }

  /**
   * NAdam's class Javadoc in double, one step after the other as PyTorch 2's single-tensor NAdam
   * writes it, except that Π_t·μ_t·μ_{t+1} is torch 1.13's (PyTorch 2: Π_t·μ_{t+1}).
   */
  private static double[][] formula(NAdamOptions h, float[] init, float[][] grads) {
    double[] p = Trajectory.doubles(init);
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    float product = 1;
    double[][] out = new double[grads.length][];
    for (int t = 1; t <= grads.length; t++) {
      double mu = mu(h, t);
      double muNext = mu(h, t + 1);
      product *= (float) mu;
      float productNext = product * (float) mu * (float) muNext;
      double biasCorrection2 = 1 - Math.pow(h.beta2(), t);
      for (int i = 0; i < p.length; i++) {
        double g = h.maximize() ? -grads[t - 1][i] : grads[t - 1][i];
        if (h.decoupledWeightDecay()) {
          p[i] *= 1 - h.lr() * h.weightDecay();
        } else {
          g += h.weightDecay() * p[i];
        }
        m[i] = h.beta1() * m[i] + (1 - h.beta1()) * g;
        v[i] = h.beta2() * v[i] + (1 - h.beta2()) * g * g;
        double denom = Math.sqrt(v[i] / biasCorrection2) + h.eps();
        p[i] -= h.lr() * (1 - mu) / (1 - product) * g / denom;
        p[i] -= h.lr() * muNext / (1 - productNext) * m[i] / denom;
      }
      out[t - 1] = p.clone();
    }
    return out;
  }
}
