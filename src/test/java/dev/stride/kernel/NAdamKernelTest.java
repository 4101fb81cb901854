package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** NAdam's vector kernel computes its reference's bits and updates exactly its slice. */
class NAdamKernelTest extends RuleKernelTest {

  record NAdamCase(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      double momentumDecay,
      boolean decoupled,
      boolean maximize,
      long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      long step = firstStep + s;
      double muProduct = 1;
      for (long t = 1; t <= step; t++) {
        muProduct = NAdamKernel.Coefficients.muProduct(muProduct, beta1, momentumDecay, t);
      }
      return new NAdamKernel.Coefficients()
          .set(
              lr,
              beta1,
              beta2,
              eps,
              weightDecay,
              momentumDecay,
              decoupled,
              maximize,
              step,
              muProduct);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(NAdamKernel.class)
          .update(
              (NAdamKernel.Coefficients) c,
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
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      double momentumDecay,
      long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          for (boolean decoupled : new boolean[] {false, true}) {
            cases.add(
                new NAdamCase(
                    lr, beta1, beta2, eps, wd, momentumDecay, decoupled, maximize, firstStep));
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
            Arbitraries.of(0.0, 4e-3, 0.1, 1.0),
            Arbitraries.longs().between(1, 2000))
        .as(Hyper::new);
  }
}
