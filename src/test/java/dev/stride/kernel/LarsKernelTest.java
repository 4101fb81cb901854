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
 * LARS's vector passes compute their reference's bits (the direction u, μ and p) and write only
 * their slice. The direction goes to state buffer 1 at the elements' own indices (base 0), so that
 * it is compared and checked for writes outside the slice like the state.
 */
class LarsKernelTest extends RuleKernelTest {

  record LarsCase(
      double lr,
      double momentum,
      double eta,
      double weightDecay,
      boolean adapt,
      float paramNorm,
      float directionNorm)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new LarsKernel.Coefficients().set(lr, momentum, eta, weightDecay);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      LarsKernel.Coefficients l = (LarsKernel.Coefficients) c;
      kernels
          .get(LarsKernel.class)
          .direction(l, b.param, b.grad, b.state[1], 0, d.offset(), d.count());
      l.setTrust(paramNorm, directionNorm, adapt);
      kernels.get(LarsKernel.class).apply(l, b.param, b.grad, b.state[0], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k < 2;
    }
  }

  record Hyper(
      double lr,
      double momentum,
      double eta,
      double weightDecay,
      float paramNorm,
      float directionNorm) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (double wd : new double[] {0, weightDecay}) {
        for (boolean adapt : new boolean[] {false, true}) {
          for (double m : new double[] {0, momentum}) {
            cases.add(new LarsCase(lr, m, eta, wd, adapt, paramNorm, directionNorm));
          }
          cases.add(new LarsCase(lr, momentum, eta, wd, adapt, paramNorm, 0));
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
            Arbitraries.doubles().between(1e-4, 0.1).ofScale(10),
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.floats().between(1e-3f, 10f).ofScale(6),
            Arbitraries.floats().between(1e-3f, 100f).ofScale(6))
        .as(Hyper::new);
  }
}
