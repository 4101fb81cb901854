package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Adagrad's vector kernel computes its reference's bits and updates exactly its slice. */
class AdagradKernelTest extends RuleKernelTest {

  record AdagradCase(
      double lr, double lrDecay, double eps, double weightDecay, boolean maximize, long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new AdagradKernel.Coefficients()
          .set(lr, lrDecay, eps, weightDecay, maximize, firstStep + s);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(AdagradKernel.class)
          .update(
              (AdagradKernel.Coefficients) c, b.param, b.grad, b.state[0], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0;
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(double lr, double lrDecay, double eps, double weightDecay, long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          for (double decay : new double[] {0, lrDecay}) {
            cases.add(new AdagradCase(lr, decay, eps, wd, maximize, firstStep));
          }
        }
      }
      return cases;
    }
  }

  /** The sum of squares is never negative. */
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
            Arbitraries.doubles().between(1e-4, 1).ofScale(10),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.of(0.0, 1e-10, 1e-8, 1e-3),
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.longs().between(1, 5000))
        .as(Hyper::new);
  }
}
