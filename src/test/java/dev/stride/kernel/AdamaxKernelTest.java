package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Adamax's vector kernel computes its reference's bits and updates exactly its slice. */
class AdamaxKernelTest extends RuleKernelTest {

  record AdamaxCase(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean maximize,
      long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new AdamaxKernel.Coefficients()
          .set(lr, beta1, beta2, eps, weightDecay, maximize, firstStep + s);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(AdamaxKernel.class)
          .update(
              (AdamaxKernel.Coefficients) c,
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

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(
      double lr, double beta1, double beta2, double eps, double weightDecay, long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          cases.add(new AdamaxCase(lr, beta1, beta2, eps, wd, maximize, firstStep));
        }
      }
      return cases;
    }
  }

  /** The infinity norm is never negative (the harness draws every state buffer alike). */
  @Override
  Arbitrary<Data> drawData() {
    return KernelHarness.data(KernelHarness.nonNegativeFloats());
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  Arbitrary<Hyper> hyper() {
    return Combinators.combine(
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.doubles().between(0, 0.99).ofScale(10),
            Arbitraries.doubles().between(0, 0.9999).ofScale(10),
            Arbitraries.of(0.0, 1e-12, 1e-8, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.longs().between(1, 5000))
        .as(Hyper::new);
  }
}
