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
 * Schedule-Free AdamW's vector kernel computes its reference's bits and updates exactly its slice.
 */
class AdamWScheduleFreeKernelTest extends RuleKernelTest {

  record AdamWScheduleFreeCase(
      double lr,
      double averageWeight,
      double gradientWeight,
      double beta2,
      double eps,
      double weightDecay,
      boolean decayAtZ,
      double innerMomentum,
      long firstStep,
      boolean createsZ)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new AdamWScheduleFreeKernel.Coefficients()
          .set(
              lr,
              averageWeight,
              gradientWeight,
              beta2,
              eps,
              weightDecay,
              decayAtZ,
              innerMomentum,
              firstStep + s,
              createsZ && s == 0);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(AdamWScheduleFreeKernel.class)
          .update(
              (AdamWScheduleFreeKernel.Coefficients) c,
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
      return k < 2 || (k == 2 && innerMomentum != 0);
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(
      double lr,
      double averageWeight,
      double gradientWeight,
      double beta2,
      double eps,
      double weightDecay,
      double innerMomentum,
      long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (double wd : new double[] {0, weightDecay}) {
        for (boolean decayAtZ : new boolean[] {false, true}) {
          for (double im : new double[] {0, innerMomentum}) {
            for (boolean createsZ : new boolean[] {true, false}) {
              cases.add(
                  new AdamWScheduleFreeCase(
                      lr,
                      averageWeight,
                      gradientWeight,
                      beta2,
                      eps,
                      wd,
                      decayAtZ,
                      im,
                      firstStep,
                      createsZ));
            }
          }
        }
      }
      return cases;
    }
  }

  /** v must be ≥ 0 (z is only read at its sign-free operations); raw bits in gradients and y. */
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
            Arbitraries.doubles().between(0, 1).ofScale(10),
            Arbitraries.doubles().between(-0.1, 0).ofScale(10),
            Arbitraries.doubles().between(0, 0.9999).ofScale(10),
            Arbitraries.of(0.0, 1e-12, 1e-8, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.doubles().between(0.01, 0.99).ofScale(10),
            Arbitraries.longs().between(1, 5000))
        .as(Hyper::new);
  }
}
