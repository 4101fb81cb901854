package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** SGD's vector kernel computes its reference's bits and updates exactly its slice. */
class SgdKernelTest extends RuleKernelTest {

  record SgdCase(
      double lr,
      double momentum,
      double dampening,
      double weightDecay,
      boolean nesterov,
      boolean maximize,
      boolean createsBuffer)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new SgdKernel.Coefficients()
          .set(lr, momentum, dampening, weightDecay, nesterov, maximize, createsBuffer && s == 0);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(SgdKernel.class)
          .update((SgdKernel.Coefficients) c, b.param, b.grad, b.state[0], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0 && momentum != 0;
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(double lr, double momentum, double dampening, double weightDecay) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          cases.add(new SgdCase(lr, 0, 0, wd, false, maximize, false));
          for (boolean createsBuffer : new boolean[] {true, false}) {
            cases.add(new SgdCase(lr, momentum, 0, wd, false, maximize, createsBuffer));
            cases.add(new SgdCase(lr, momentum, dampening, wd, false, maximize, createsBuffer));
            cases.add(new SgdCase(lr, momentum, 0, wd, true, maximize, createsBuffer));
          }
        }
      }
      return cases;
    }
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  Arbitrary<Hyper> hyper() {
    return Combinators.combine(
            Arbitraries.doubles().between(1e-4, 1).ofScale(10),
            Arbitraries.doubles().between(0.01, 0.99).ofScale(10),
            Arbitraries.doubles().between(0.01, 1).ofScale(10),
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10))
        .as(Hyper::new);
  }
}
