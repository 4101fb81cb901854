package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.kernel.KernelHarness.Data;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.MathContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The vector reductions give their reference's bits at every width, and the reference sums what its
 * Javadoc says, in the order it says.
 */
class ReduceKernelTest {
  private static final ReduceKernel SCALAR = KernelHarness.SCALAR.get(ReduceKernel.class);
  private static final ReduceKernel VECTOR = KernelHarness.VECTOR.get(ReduceKernel.class);
  private final double[] partials = new double[ReduceKernel.PARTIALS];

  @Property(tries = 200)
  void vectorMatchesScalarBitForBit(@ForAll("data") Data d, @ForAll("powers") double q) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = NativeFloats.of(arena, d.param());
      MemorySegment b = NativeFloats.of(arena, d.grads()[0]);
      long off = d.offset();
      long n = d.count();
      String where = "offset " + off + ", count " + n + ", " + KernelHarness.LANES + " lanes";
      assertSameBits(
          SCALAR.dot(a, b, off, n, partials), VECTOR.dot(a, b, off, n, partials), "dot, " + where);
      assertSameBits(
          SCALAR.sumOfSquares(a, off, n, partials),
          VECTOR.sumOfSquares(a, off, n, partials),
          "sumOfSquares, " + where);
      assertSameBits(
          SCALAR.sumOfAbs(a, off, n, partials),
          VECTOR.sumOfAbs(a, off, n, partials),
          "sumOfAbs, " + where);
      assertSameBits(
          SCALAR.sumOfAbsPow(a, off, n, q, partials),
          VECTOR.sumOfAbsPow(a, off, n, q, partials),
          "sumOfAbsPow " + q + ", " + where);
      assertEquals(
          Float.floatToIntBits(SCALAR.maxAbs(a, off, n)),
          Float.floatToIntBits(VECTOR.maxAbs(a, off, n)),
          "maxAbs, " + where);
    }
  }

  /** Partial k holds elements k, k + 16, …, each in order; the partials are then added in order. */
  @Property(tries = 100)
  void referenceSumsSixteenPartialsInOrder(@ForAll("data") Data d) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = NativeFloats.of(arena, d.param());
      float[] x = d.param();
      double[] partial = new double[ReduceKernel.PARTIALS];
      for (int i = 0; i < d.count(); i++) {
        partial[i % ReduceKernel.PARTIALS] += (double) x[d.offset() + i] * x[d.offset() + i];
      }
      double total = 0;
      for (double p : partial) {
        total += p;
      }
      assertSameBits(
          total, SCALAR.sumOfSquares(a, d.offset(), d.count(), partials), "sumOfSquares");
    }
  }

  /**
   * Squares in double neither overflow nor lose what float32 would: the largest floats sum finite.
   */
  @Example
  void sumOfSquaresOfTheLargestFloatsIsFiniteAndClose() {
    int n = 4099;
    float[] big = new float[n];
    java.util.Arrays.fill(big, Float.MAX_VALUE);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = NativeFloats.of(arena, big);
      BigDecimal exact = new BigDecimal(Float.MAX_VALUE).pow(2).multiply(BigDecimal.valueOf(n));
      for (ReduceKernel k : new ReduceKernel[] {SCALAR, VECTOR}) {
        double got = k.sumOfSquares(a, 0, n, partials);
        double relative =
            new BigDecimal(got)
                .subtract(exact)
                .abs()
                .divide(exact, MathContext.DECIMAL64)
                .doubleValue();
        assertEquals(0, relative, 1e-12, "relative error of " + k);
      }
    }
  }

  private static void assertSameBits(double expected, double actual, String what) {
    assertEquals(
        Double.doubleToLongBits(expected),
        Double.doubleToLongBits(actual),
        () -> what + ": scalar " + expected + ", vector " + actual);
  }

  @Provide
  Arbitrary<Data> data() {
    return KernelHarness.data();
  }

  @Provide
  Arbitrary<Double> powers() {
    return Arbitraries.of(0.5, 3.0, 1.5, 7.25);
  }
}
