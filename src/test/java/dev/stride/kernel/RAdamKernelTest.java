package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * RAdam's vector kernel computes its reference's bits and updates exactly its slice, on both
 * branches: the first steps (ρ_1 = 1) take the un-adapted one, later steps the rectified one.
 */
class RAdamKernelTest extends RuleKernelTest {

  record RAdamCase(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean decoupled,
      boolean maximize,
      long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new RAdamKernel.Coefficients()
          .set(lr, beta1, beta2, eps, weightDecay, decoupled, maximize, firstStep + s);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(RAdamKernel.class)
          .update(
              (RAdamKernel.Coefficients) c,
              b.param,
              b.grad,
              b.state[0],
              b.state[1],
              d.offset(),
              d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k < 2;
    }
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(
      double lr, double beta1, double beta2, double eps, double weightDecay, long laterStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          for (boolean decoupled : new boolean[] {false, true}) {
            for (long firstStep : new long[] {1, laterStep}) {
              cases.add(new RAdamCase(lr, beta1, beta2, eps, wd, decoupled, maximize, firstStep));
            }
          }
        }
      }
      return cases;
    }
  }

  /** The second moment is ≥ 0 for the rule to make sense; gradients and parameters stay raw. */
  @Override
  Arbitrary<Data> drawData() {
    return KernelHarness.data(KernelHarness.floats().map(Math::abs));
  }

  /** β2 from 0.75 up, so that the later steps (≥ 20) are rectified: ρ_t > 5 from t = 8 on. */
  Arbitrary<Hyper> hyper() {
    return Combinators.combine(
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.doubles().between(0, 0.99).ofScale(10),
            Arbitraries.doubles().between(0.75, 0.9999).ofScale(10),
            Arbitraries.of(0.0, 1e-12, 1e-8, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.longs().between(20, 5000))
        .as(Hyper::new);
  }
}
