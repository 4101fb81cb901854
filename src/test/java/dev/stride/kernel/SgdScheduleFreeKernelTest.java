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
 * Schedule-Free SGD's vector kernel computes its reference's bits and updates exactly its slice.
 */
class SgdScheduleFreeKernelTest extends RuleKernelTest {

  record SgdScheduleFreeCase(
      double lr, double averageWeight, double gradientWeight, double weightDecay, boolean createsZ)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new SgdScheduleFreeKernel.Coefficients()
          .set(lr, averageWeight, gradientWeight, weightDecay, createsZ && s == 0);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(SgdScheduleFreeKernel.class)
          .update(
              (SgdScheduleFreeKernel.Coefficients) c,
              b.param,
              b.grad,
              b.state[0],
              d.offset(),
              d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0;
    }
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  /** γ, w and e as a step derives them; λ, which the flag combinations switch on and off. */
  record Hyper(double lr, double averageWeight, double gradientWeight, double weightDecay) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (double wd : new double[] {0, weightDecay}) {
        for (boolean createsZ : new boolean[] {true, false}) {
          cases.add(new SgdScheduleFreeCase(lr, averageWeight, gradientWeight, wd, createsZ));
        }
      }
      return cases;
    }
  }

  /** w = c (0 to 1) mostly, and beyond, as a changed momentum makes it; e = γ·(β·(1 − c) − 1). */
  Arbitrary<Hyper> hyper() {
    Arbitrary<Double> averageWeight =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.doubles().between(0, 1).ofScale(10)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(1.0, -0.25, 1.5)));
    return Combinators.combine(
            Arbitraries.doubles().between(1e-4, 2).ofScale(10),
            averageWeight,
            Arbitraries.doubles().between(-2, 0).ofScale(10),
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10))
        .as(Hyper::new);
  }
}
