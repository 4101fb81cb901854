package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RAdam against its formulas where PyTorch's reference files cannot reach: PyTorch 2's {@code
 * decoupled_weight_decay} and {@code maximize}, which torch 1.13 lacks, on both sides of the
 * rectification switch.
 */
class RAdamTest {
  private static final int N = 33;
  private static final int STEPS = 25;

  @ParameterizedTest(name = "β2 {0}, weight decay {1}, decoupled {2}, maximize {3}")
  @CsvSource({
    "0.999, 0, false, true",
    "0.999, 0.05, false, true",
    "0.999, 0.05, true, false",
    "0.8, 0.05, true, true",
    "0.6, 0.3, true, false"
  })
  void followsItsFormula(double beta2, double weightDecay, boolean decoupled, boolean maximize) {
    SplittableRandom random = new SplittableRandom(9);
    float[] init = Trajectory.gaussians(random, N);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    RAdamOptions h =
        RAdamOptions.DEFAULTS
            .withLr(0.02)
            .withBetas(0.85, beta2)
            .withWeightDecay(weightDecay)
            .withDecoupledWeightDecay(decoupled)
            .withMaximize(maximize);
    Trajectory.assertFollows(
        formula(h, init, grads), Trajectory.of(new RAdam(h), init, grads), init, h.toString());
  }

  @Test
  void maximizeStepsAsMinimizingTheNegatedGradient() {
    SplittableRandom random = new SplittableRandom(10);
    float[] init = Trajectory.gaussians(random, N);
    float[][] grads = Trajectory.gradients(random, N, STEPS);
    RAdamOptions h = RAdamOptions.DEFAULTS.withLr(0.01).withWeightDecay(0.02);
    assertArrayEquals(
        Trajectory.of(new RAdam(h), init, Trajectory.negated(grads)),
        Trajectory.of(new RAdam(h.withMaximize(true)), init, grads));
  }

  /** ρ_1 = 1: the first step is p − η·g, to rounding, whatever the gradient's size. */
  @Test
  void theFirstStepIsUnadapted() {
    float[] init = {1, -2, 0.5f};
    float[][] grads = {{1e-6f, 3, -1000}};
    float[] after = Trajectory.of(new RAdam(RAdamOptions.DEFAULTS.withLr(0.5)), init, grads)[0];
    float[] expected = {1 - 0.5f * 1e-6f, -2 - 1.5f, 0.5f + 500};
    for (int i = 0; i < init.length; i++) {
      assertEquals(expected[i], after[i], 1e-6 * Math.abs(expected[i]), "element " + i);
    }
  }

  /** ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t). */
  private static double rho(double beta2, long t) {
    return 2 / (1 - beta2) - 1 - 2 * t * Math.pow(beta2, t) / (1 - Math.pow(beta2, t));
  }

  /** RAdam's class Javadoc in double, one step after the other as PyTorch's single-tensor RAdam. */
  private static double[][] formula(RAdamOptions h, float[] init, float[][] grads) {
    double[] p = Trajectory.doubles(init);
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    double rhoInf = 2 / (1 - h.beta2()) - 1;
    double[][] out = new double[grads.length][];
    for (int t = 1; t <= grads.length; t++) {
      double biasCorrection1 = 1 - Math.pow(h.beta1(), t);
      double biasCorrection2 = 1 - Math.pow(h.beta2(), t);
      double rho = rho(h.beta2(), t);
      for (int i = 0; i < p.length; i++) {
        double g = h.maximize() ? -grads[t - 1][i] : grads[t - 1][i];
        if (h.decoupledWeightDecay()) {
          p[i] *= 1 - h.lr() * h.weightDecay();
        } else {
          g += h.weightDecay() * p[i];
        }
        m[i] = h.beta1() * m[i] + (1 - h.beta1()) * g;
        v[i] = h.beta2() * v[i] + (1 - h.beta2()) * g * g;
        double corrected = m[i] / biasCorrection1;
        if (rho > 5) {
          double rect =
              Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
          p[i] -=
              corrected * h.lr() * Math.sqrt(biasCorrection2) / (Math.sqrt(v[i]) + h.eps()) * rect;
        } else {
          p[i] -= corrected * h.lr();
        }
      }
      out[t - 1] = p.clone();
    }
    return out;
  }
}
