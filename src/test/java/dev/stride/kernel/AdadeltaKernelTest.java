package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Adadelta's vector kernel computes its reference's bits and updates exactly its slice, and its one
 * square root of a quotient is as close to the exact value as PyTorch's two.
 */
class AdadeltaKernelTest extends RuleKernelTest {

  record AdadeltaCase(double lr, double rho, double eps, double weightDecay, boolean maximize)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      return new AdadeltaKernel.Coefficients().set(lr, rho, eps, weightDecay, maximize);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients c, Buffers b, Data d) {
      kernels
          .get(AdadeltaKernel.class)
          .update(
              (AdadeltaKernel.Coefficients) c,
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
  record Hyper(double lr, double rho, double eps, double weightDecay) {
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (boolean maximize : new boolean[] {false, true}) {
        for (double wd : new double[] {0, weightDecay}) {
          cases.add(new AdadeltaCase(lr, rho, eps, wd, maximize));
        }
      }
      return cases;
    }
  }

  /**
   * The kernel's √((u + ε)/(v + ε)) is within an ulp of the exact value wherever the quotient is a
   * normal float; PyTorch's √(u + ε)/√(v + ε) rounds once more (within 2.4 ulps). With ρ = 1, η =
   * 1, ε = 0, g = 1 and p = 0, a step leaves p = −√(u/v) and the running means as they were.
   */
  @Property(tries = 1000)
  void oneSquareRootOfTheQuotientIsWithinAnUlpOfTheExactValue(
      @ForAll("magnitudes") float u, @ForAll("magnitudes") float v) {
    double quotient = (double) u / v;
    Assume.that(quotient >= 0x1p-126 && quotient <= Float.MAX_VALUE);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeFloats.of(arena, 0);
      AdadeltaKernel.Coefficients c = new AdadeltaKernel.Coefficients().set(1, 1, 0, 0, false);
      KernelHarness.SCALAR
          .get(AdadeltaKernel.class)
          .update(
              c,
              p,
              NativeFloats.of(arena, 1),
              NativeFloats.of(arena, v),
              NativeFloats.of(arena, u),
              0,
              1);
      double exact = Math.sqrt(quotient);
      float delta = -p.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
      assertTrue(
          Math.abs(delta - exact) <= Math.ulp((float) exact),
          "u " + u + ", v " + v + ": " + delta + " for " + exact);
    }
  }

  @Provide
  Arbitrary<Float> magnitudes() {
    return Arbitraries.doubles().between(-30, 30).map(e -> (float) Math.pow(10, e));
  }

  /** Both running means are of squares, never negative. */
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
            Arbitraries.doubles().between(1e-3, 1).ofScale(10),
            Arbitraries.doubles().between(0, 1).ofScale(10),
            Arbitraries.of(0.0, 1e-10, 1e-6, 1e-3),
            Arbitraries.doubles().between(1e-4, 0.5).ofScale(10))
        .as(Hyper::new);
  }
}
