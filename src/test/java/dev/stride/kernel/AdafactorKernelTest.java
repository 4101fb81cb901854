package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Adafactor's vector passes compute their reference's bits, in torch's and transformers' forms, and
 * write only their slice. State buffer 0 is a vector's statistic, 1 takes s or U at the elements'
 * own indices (base 0), so that it is compared and checked for writes outside the slice like the
 * state, and 2 is the first moment. A matrix's row segment reads its column factors from the data's
 * state buffer 3, as an array from the slice's start.
 */
class AdafactorKernelTest extends RuleKernelTest {

  enum Form {
    SQUARES,
    VECTOR,
    MATRIX
  }

  /**
   * One flag combination: the form and {@link AdafactorKernel.Coefficients}' settings.
   *
   * @param weight torch's lerp weight w, or NaN for transformers' decay with {@code betaHat}
   */
  record AdafactorCase(
      Form form,
      double weight,
      double betaHat,
      float epsilon,
      float floor,
      float rowFactor,
      float clipDivisor,
      float stepSize,
      double beta1,
      float decayFactor,
      float decayTerm,
      boolean maximize)
      implements RuleCase {
    @Override
    public GradientCoefficients coefficients(int s) {
      AdafactorKernel.Coefficients c = new AdafactorKernel.Coefficients();
      c.setMaximize(maximize);
      if (Double.isNaN(weight)) {
        c.setDecay(betaHat);
      } else {
        c.setLerp(weight);
      }
      return c.setEpsilon(epsilon, floor, 1 / (float) Math.sqrt(floor))
          .setMomentum(beta1)
          .setStep(clipDivisor, stepSize, decayFactor, decayTerm);
    }

    @Override
    public void update(KernelSet kernels, GradientCoefficients g, Buffers b, Data d) {
      AdafactorKernel.Coefficients c = (AdafactorKernel.Coefficients) g;
      AdafactorKernel k = kernels.get(AdafactorKernel.class);
      long offset = d.offset();
      long count = d.count();
      float[] columns = d.state()[3];
      switch (form) {
        case SQUARES -> k.squares(c, b.param, b.grad, b.state[1], 0, offset, count);
        case VECTOR -> {
          k.direction(c, 0, null, 0, b.state[0], b.param, b.grad, b.state[1], 0, offset, count);
          k.apply(c, 0, null, 0, b.state[0], b.param, b.grad, b.state[2], offset, count);
        }
        case MATRIX -> {
          MemorySegment none = MemorySegment.NULL;
          int at = (int) offset;
          k.direction(
              c, rowFactor, columns, at, none, b.param, b.grad, b.state[1], 0, offset, count);
          k.apply(c, rowFactor, columns, at, none, b.param, b.grad, b.state[2], offset, count);
        }
      }
    }

    @Override
    public boolean usesState(int k) {
      return k == 1 || (form != Form.SQUARES && (k == 0 && form == Form.VECTOR || k == 2));
    }
  }

  record Hyper(
      double weight,
      double betaHat,
      float epsilon,
      float floor,
      float rowFactor,
      float clipDivisor,
      float stepSize,
      double beta1,
      float decayFactor,
      float decayTerm) {
    /** torch's and transformers' settings of each form, with and without their options. */
    List<RuleCase> allFlagCombinations() {
      List<RuleCase> cases = new ArrayList<>();
      for (Form form : Form.values()) {
        // torch: lerp, ε1 as floor and cap, decay factor, maximize; no clipping divisor or moment
        for (boolean maximize : new boolean[] {false, true}) {
          cases.add(
              new AdafactorCase(
                  form,
                  weight,
                  0,
                  0,
                  floor,
                  rowFactor,
                  1,
                  stepSize,
                  Double.NaN,
                  maximize ? decayFactor : 1,
                  0,
                  maximize));
        }
        cases.add( // the lerp's other side, as at t = 1
            new AdafactorCase(
                form, 1, 0, 0, floor, rowFactor, 1, stepSize, Double.NaN, 1, 0, false));
        // transformers: decay, ε1 added, clipping, first moment, additive weight decay
        for (double b1 : new double[] {Double.NaN, beta1, 0}) {
          cases.add(
              new AdafactorCase(
                  form,
                  Double.NaN,
                  betaHat,
                  epsilon,
                  Float.NEGATIVE_INFINITY,
                  rowFactor,
                  clipDivisor,
                  stepSize,
                  b1,
                  1,
                  decayTerm,
                  false));
        }
      }
      return cases;
    }
  }

  @Override
  Arbitrary<List<RuleCase>> drawCases() {
    return hyper().map(Hyper::allFlagCombinations);
  }

  /** The statistics are sums of squares: ≥ 0. */
  @Override
  Arbitrary<Data> drawData() {
    return KernelHarness.data(KernelHarness.nonNegativeFloats());
  }

  /** The column sums: the same doubles, and nothing outside {@code [at, at + count)} touched. */
  @Property(tries = 100)
  void columnSumsMatchTheReferenceBitForBit(@ForAll("data") Data d) {
    AdafactorKernel scalar = KernelHarness.SCALAR.get(AdafactorKernel.class);
    AdafactorKernel vector = KernelHarness.VECTOR.get(AdafactorKernel.class);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment squares = NativeFloats.of(arena, d.param());
      double[] start = new double[d.count() + 5];
      for (int i = 0; i < start.length; i++) {
        start[i] = i % 3 == 0 || d.length() == 0 ? 0 : d.grads()[0][i % d.length()] * 1e3;
      }
      double[] expected = start.clone();
      double[] got = start.clone();
      for (int s = 0; s < 3; s++) { // sums go on across calls, as over a block's rows
        int at = s % 2 == 0 ? 0 : 5;
        scalar.addColumns(expected, at, squares, d.offset(), d.count());
        vector.addColumns(got, at, squares, d.offset(), d.count());
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(
            Double.doubleToLongBits(expected[i]),
            Double.doubleToLongBits(got[i]),
            "sum " + i + " of " + Arrays.toString(got) + ", " + KernelHarness.LANES + " lanes");
      }
    }
  }

  Arbitrary<Hyper> hyper() {
    Arbitrary<float[]> statistics =
        Combinators.combine(
                Arbitraries.of(0f, 0.125f, 0.4f, 0.5f, 0.574f, 0.9f),
                Arbitraries.floats().between(0, 0.999f).ofScale(7),
                Arbitraries.of(0f, 1e-30f, 1e-3f),
                Arbitraries.of(0f, (float) (1.1920929e-7 * 1.1920929e-7), 1e-10f),
                KernelHarness.floats())
            .as((w, b, e, f, r) -> new float[] {w, b, e, f, r});
    Arbitrary<float[]> step =
        Combinators.combine(
                Arbitraries.of(1f, 1.5f, 40f),
                Arbitraries.floats().between(1e-6f, 0.1f).ofScale(8),
                Arbitraries.floats().between(0, 0.99f).ofScale(7),
                Arbitraries.of(1f, 0.999f, 0.9f),
                Arbitraries.of(0f, -1e-4f, -0.01f))
            .as((c, l, b1, k, o) -> new float[] {c, l, b1, k, o});
    return Combinators.combine(statistics, step)
        .as((a, b) -> new Hyper(a[0], a[1], a[2], a[3], a[4], b[0], b[1], b[2], b[3], b[4]));
  }
}
