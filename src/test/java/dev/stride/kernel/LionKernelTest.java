package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Lion's vector kernel computes its reference's bits and updates exactly its slice. */
class LionKernelTest extends RuleKernelTest {

  record LionCase(double lr, double beta1, double beta2, double weightDecay) implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new LionKernel.Coefficients().set(lr, beta1, beta2, weightDecay);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(LionKernel.class)
          .update((LionKernel.Coefficients) c, b.param, b.grad, b.state[0], d.offset(), d.count());
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

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(double lr, double beta1, double beta2, double weightDecay) {
    List<RuleCase> allFlagCombinations() {
      return List.of(
          new LionCase(lr, beta1, beta2, 0), new LionCase(lr, beta1, beta2, weightDecay));
    }
  }

  /** β at the reference's bounds too: 0 and 1 are allowed. */
  Arbitrary<Hyper> hyper() {
    Arbitrary<Double> beta =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.doubles().between(0, 1).ofScale(10)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(0.0, 1.0)));
    return Combinators.combine(
            Arbitraries.doubles().between(1e-6, 0.1).ofScale(10),
            beta,
            beta,
            Arbitraries.doubles().between(1e-4, 10).ofScale(10))
        .as(Hyper::new);
  }
}
