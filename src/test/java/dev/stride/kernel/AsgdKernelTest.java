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
 * ASGD's vector kernel computes its reference's bits and updates exactly its slice, while the
 * average copies the parameters (μ = 1) and once it averages them (t0 small enough).
 */
class AsgdKernelTest extends RuleKernelTest {

  record AsgdCase(
      double lr,
      double lambd,
      double alpha,
      double t0,
      double weightDecay,
      boolean maximize,
      long firstStep)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      long step = firstStep + s;
      double eta =
          step == 1 ? (float) lr : AsgdKernel.Coefficients.nextEta(lr, lambd, alpha, step - 1);
      double mu = step == 1 ? 1 : AsgdKernel.Coefficients.nextMu(t0, step - 1);
      return new AsgdKernel.Coefficients().set(lambd, eta, mu, weightDecay, maximize);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(AsgdKernel.class)
          .update((AsgdKernel.Coefficients) c, b.param, b.grad, b.state[0], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k == 0;
    }
  }

  /** Realistic non-zero hyperparameters, which the flag combinations switch on and off. */
  record Hyper(double lr, double lambd, double alpha, double weightDecay, long firstStep) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          // PyTorch's t0 never averages here; t0 = 0 averages from step 3 on
          for (double t0 : new double[] {1e6, 0}) {
            cases.add(new AsgdCase(lr, lambd, alpha, t0, wd, maximize, firstStep));
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
            Arbitraries.of(0.0, 1e-4, 0.01, 0.5),
            Arbitraries.doubles().between(0.1, 1).ofScale(10),
            Arbitraries.doubles().between(1e-5, 0.1).ofScale(10),
            Arbitraries.longs().between(1, 6))
        .as(Hyper::new);
  }
}
