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
 * Prodigy's vector passes compute their reference's bits (m, v, s, the gradient and p0 − p they
 * hand to the reductions, and p) and write only their slice. State buffers: 0 p0, 1 s, 2 m, 3 v, 4
 * the gradient out and 5 p0 − p out, at the elements' own indices (base 0).
 */
class ProdigyKernelTest extends RuleKernelTest {

  record ProdigyCase(
      double d,
      double d0,
      double dlr,
      double beta1,
      double beta2,
      double beta3,
      double coupled,
      boolean safeguard,
      double newD,
      double eps,
      double decoupled)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new ProdigyKernel.Coefficients()
          .set(d, d0, dlr, beta1, beta2, beta3, coupled, safeguard)
          .setStep(newD, dlr, eps, decoupled);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      ProdigyKernel.Coefficients p = (ProdigyKernel.Coefficients) c;
      kernels
          .get(ProdigyKernel.class)
          .moments(
              p,
              b.param,
              b.grad,
              b.state[0],
              b.state[2],
              b.state[3],
              b.state[1],
              b.state[4],
              b.state[5],
              0,
              d.offset(),
              d.count());
      kernels
          .get(ProdigyKernel.class)
          .apply(p, b.param, b.grad, b.state[2], b.state[3], d.offset(), d.count());
    }

    @Override
    public boolean usesState(int k) {
      return k != 2 || beta1 > 0;
    }
  }

  record Hyper(
      double d,
      double dlr,
      double beta1,
      double beta2,
      double beta3,
      double wd,
      double growth,
      double eps) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (double b1 : new double[] {0, beta1}) {
        for (boolean safeguard : new boolean[] {false, true}) {
          for (boolean decouple : new boolean[] {false, true}) {
            for (double w : new double[] {0, wd}) {
              cases.add(
                  new ProdigyCase(
                      d,
                      1e-6,
                      dlr,
                      b1,
                      beta2,
                      beta3,
                      decouple ? 0 : w,
                      safeguard,
                      d * growth,
                      eps,
                      decouple ? w : 0));
            }
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
            Arbitraries.doubles().between(1e-6, 1).ofScale(10),
            Arbitraries.doubles().between(1e-8, 1).ofScale(10),
            Arbitraries.doubles().between(0.01, 0.99).ofScale(10),
            Arbitraries.doubles().between(0, 0.9999).ofScale(10),
            Arbitraries.doubles().between(0, 1).ofScale(10),
            Arbitraries.doubles().between(1e-4, 1).ofScale(10),
            Arbitraries.doubles().between(1, 10).ofScale(6),
            Arbitraries.of(1e-8, 1e-3))
        .as(Hyper::new);
  }
}
