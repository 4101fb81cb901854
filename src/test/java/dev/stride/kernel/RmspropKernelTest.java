package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** RMSprop's vector kernel computes its reference's bits and updates exactly its slice. */
class RmspropKernelTest extends RuleKernelTest {

  record RmspropCase(
      double lr,
      double alpha,
      double eps,
      double weightDecay,
      double momentum,
      boolean centered,
      boolean maximize)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new RmspropKernel.Coefficients()
          .set(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(RmspropKernel.class)
          .update(
              (RmspropKernel.Coefficients) c,
              b.param,
              b.grad,
              b.state[0],
              b.state[1],
              b.state[2],
              d.offset(),
              d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0 || (k == 1 && momentum != 0) || (k == 2 && centered);
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(double lr, double alpha, double eps, double weightDecay, double momentum) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          for (double mu : new double[] {0, momentum}) {
            for (boolean centered : new boolean[] {false, true}) {
              cases.add(new RmspropCase(lr, alpha, eps, wd, mu, centered, maximize));
            }
          }
        }
      }
      return cases;
    }
  }

  /** The mean square is never negative (the harness draws every state buffer alike). */
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
            Arbitraries.doubles().between(0, 0.999).ofScale(10),
            Arbitraries.of(0.0, 1e-10, 1e-8, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.doubles().between(0.01, 0.99).ofScale(10))
        .as(Hyper::new);
  }
}
