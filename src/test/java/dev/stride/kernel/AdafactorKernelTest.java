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
import net.jqwik.api.Provide;

/**
 * Adafactor's vector passes compute their reference's bits, in torch's and transformers' forms, and
 * write only their slice. State buffer 0 is a vector's statistic, 1 takes s or U at the elements'
 * own indices (base 0), so that it is compared and checked for writes outside the slice like the
 * state, and 2 is the first moment. A matrix's row segment reads its column factors from the data's
 * state buffer 3, as an array from the slice's start.
 */
class AdafactorKernelTest extends RuleKernelTest {

  enum Form {
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
      double[] partials = new double[AdafactorKernel.PARTIALS];
      switch (form) {
        case VECTOR -> {
          k.sumOfUpdateSquares(c, 0, null, 0, b.state[0], b.param, b.grad, offset, count, partials);
          k.apply(c, 0, null, 0, b.state[0], b.param, b.grad, b.state[2], offset, count);
        }
        case MATRIX -> {
          MemorySegment none = MemorySegment.NULL;
          int at = (int) offset;
          k.apply(c, rowFactor, columns, at, none, b.param, b.grad, b.state[2], offset, count);
        }
      }
    }

    @Override
    public boolean usesState(int k) {
      return k == 2 || (k == 0 && form == Form.VECTOR);
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

  /**
   * The sums: Σ s of a row and the column sums it adds to, Σ U² of a vector (and its averaged
   * statistic) and of a matrix's row, the same doubles from both forms; the reference's Σ is
   * ReduceKernel's order.
   */
  @Property(tries = 100)
  void sumsMatchTheReferenceBitForBit(@ForAll("data") Data d, @ForAll("hyper") Hyper h) {
    for (RuleCase rule : h.allFlagCombinations()) {
      AdafactorCase a = (AdafactorCase) rule;
      for (KernelHarness.StepTerms terms : KernelHarness.STEP_TERMS) {
        List<Object> scalar = sums(KernelHarness.SCALAR, a, terms, d);
        List<Object> vector = sums(KernelHarness.VECTOR, a, terms, d);
        String what = a + ", " + terms + ", " + KernelHarness.LANES + " lanes, count " + d.count();
        for (int k = 0; k < scalar.size(); k++) {
          assertEquals(bits(scalar.get(k)), bits(vector.get(k)), what + ", result " + k);
        }
      }
    }
  }

  /** Every sum one form computes over {@code d}'s slice, and the arrays they write. */
  private static List<Object> sums(
      KernelSet kernels, AdafactorCase a, KernelHarness.StepTerms terms, Data d) {
    AdafactorKernel k = kernels.get(AdafactorKernel.class);
    AdafactorKernel.Coefficients c = (AdafactorKernel.Coefficients) a.coefficients(0);
    c.setStepTerms(terms.gradScale(), terms.clipValue(), terms.l1());
    double[] partials = new double[AdafactorKernel.PARTIALS];
    List<Object> out = new ArrayList<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment param = NativeFloats.of(arena, d.param());
      MemorySegment grad = NativeFloats.of(arena, d.grads()[0]);
      MemorySegment variance = NativeFloats.of(arena, d.state()[0]);
      double[] columns = new double[d.count() + 5];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = i % 3 == 0 || d.length() == 0 ? 0 : d.state()[1][i % d.length()];
      }
      for (int at : new int[] {0, 5, 0}) { // sums go on across calls, as over a block's rows
        out.add(k.sumRow(c, param, grad, columns, at, d.offset(), d.count(), partials));
      }
      out.add(columns);
      out.add(
          k.sumOfUpdateSquares(
              c,
              a.rowFactor(),
              d.state()[3],
              d.offset(),
              MemorySegment.NULL,
              param,
              grad,
              d.offset(),
              d.count(),
              partials));
      out.add(
          k.sumOfUpdateSquares(
              c, 0, null, 0, variance, param, grad, d.offset(), d.count(), partials));
      out.add(NativeFloats.toArray(variance));
    }
    return out;
  }

  /** A result's bits: any NaN is any NaN. */
  private static String bits(Object result) {
    return switch (result) {
      case Double v -> Long.toHexString(Double.doubleToLongBits(v));
      case double[] a ->
          Arrays.toString(Arrays.stream(a).mapToLong(Double::doubleToLongBits).toArray());
      case float[] a -> {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
          b[i] = Float.floatToIntBits(a[i]);
        }
        yield Arrays.toString(b);
      }
      default -> throw new IllegalArgumentException(String.valueOf(result));
    };
  }

  @Provide
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
