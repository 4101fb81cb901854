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
 * LAMB's vector passes compute their reference's bits (m, v, the direction u and p) and write only
 * their slice. The direction goes to state buffer 2 at the elements' own indices (base 0), so that
 * it is compared and checked for writes outside the slice like the state.
 */
class LambKernelTest extends RuleKernelTest {

  record LambCase(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean debias,
      boolean adam,
      float paramNorm,
      float directionNorm,
      long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new LambKernel.Coefficients()
          .set(lr, beta1, beta2, eps, weightDecay, debias, firstStep + s);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      LambKernel.Coefficients l = (LambKernel.Coefficients) c;
      kernels
          .get(LambKernel.class)
          .moments(
              l, b.param, b.grad, b.state[0], b.state[1], b.state[2], 0, d.offset(), d.count());
      l.setTrust(paramNorm, directionNorm, adam);
      kernels
          .get(LambKernel.class)
          .apply(l, b.param, b.state[0], b.state[1], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k < 3;
    }
  }

  record Hyper(
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      float paramNorm,
      float directionNorm,
      long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (double wd : new double[] {0, weightDecay}) {
        for (boolean debias : new boolean[] {false, true}) {
          for (boolean adam : new boolean[] {false, true}) {
            cases.add(
                new LambCase(
                    lr, beta1, beta2, eps, wd, debias, adam, paramNorm, directionNorm, firstStep));
            cases.add(
                new LambCase(lr, beta1, beta2, eps, wd, debias, adam, 0, directionNorm, firstStep));
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
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.doubles().between(0, 0.99).ofScale(10),
            Arbitraries.doubles().between(0, 0.9999).ofScale(10),
            Arbitraries.of(0.0, 1e-8, 1e-6, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10),
            Arbitraries.floats().between(1e-3f, 10f).ofScale(6),
            Arbitraries.floats().between(1e-3f, 100f).ofScale(6),
            Arbitraries.longs().between(1, 5000))
        .as(Hyper::new);
  }
}
