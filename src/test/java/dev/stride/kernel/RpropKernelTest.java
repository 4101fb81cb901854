package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Rprop's vector kernel computes its reference's bits and updates exactly its slice. */
class RpropKernelTest extends RuleKernelTest {

  record RpropCase(
      double etaMinus, double etaPlus, double stepSizeMin, double stepSizeMax, boolean maximize)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new RpropKernel.Coefficients()
          .set(etaMinus, etaPlus, stepSizeMin, stepSizeMax, maximize);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(RpropKernel.class)
          .update(
              (RpropKernel.Coefficients) c,
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

  /** Realistic hyperparameters; maximize is Rprop's only flag. */
  record Hyper(double etaMinus, double etaPlus, double stepSizeMin, double range) {
    List<RuleCase> allFlagCombinations() {
      return List.of(
          new RpropCase(etaMinus, etaPlus, stepSizeMin, stepSizeMin + range, false),
          new RpropCase(etaMinus, etaPlus, stepSizeMin, stepSizeMin + range, true));
    }
  }

  /**
   * Step sizes are ≥ 0 for the rule to make sense (and the previous gradients drawn the same way
   * still meet gradients of both signs); gradients and parameters stay raw.
   */
  @Override
  Arbitrary<Data> drawData() {
    return KernelHarness.data(KernelHarness.floats().map(Math::abs));
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  Arbitrary<Hyper> hyper() {
    return Combinators.combine(
            Arbitraries.doubles().between(0.05, 0.95).ofScale(10),
            Arbitraries.doubles().between(1.01, 3).ofScale(10),
            Arbitraries.of(0.0, 1e-6, 1e-3),
            Arbitraries.of(0.0, 1e-2, 50.0, 1e30))
        .as(Hyper::new);
  }
}
