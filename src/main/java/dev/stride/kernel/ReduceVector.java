package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.kernel.ReduceScalar.Term;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ReduceScalar}'s sums a block of 16 elements at a time: the block is read as half-width
 * float vectors, each widened in one conversion to a double vector whose lanes are consecutive
 * partial sums. With 512-bit vectors a block is two of them, with 256 four, with 128 eight, each
 * with partials of its own; the branches on their count are on a constant.
 *
 * <p>Each sum has its own loop: one loop for all, with the term a parameter, was too large for C2
 * to inline where the term is a constant, and ran 4.5 times slower.
 */
final class ReduceVector implements ReduceKernel {
  /** Half of {@code F}: its floats widen to one full double vector. */
  private static final VectorSpecies<Float> H =
      VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

  private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** How many double vectors hold the 16 partials: 2, 4 or 8. */
  private static final int ACCUMULATORS = PARTIALS / D.length();

  @Override
  public double dot(MemorySegment a, MemorySegment b, long offset, long count, double[] partials) {
    int d = D.length();
    long blocksEnd = offset + count / PARTIALS * PARTIALS;
    // made here, not read from a static field: C2 keeps loop vectors unboxed only when every
    // value they start from is made in the method
    DoubleVector s0 = DoubleVector.zero(D),
        s1 = s0,
        s2 = s0,
        s3 = s0,
        s4 = s0,
        s5 = s0,
        s6 = s0,
        s7 = s0;
    for (long i = offset; i < blocksEnd; i += PARTIALS) {
      s0 = s0.add(widened(a, i).mul(widened(b, i)));
      s1 = s1.add(widened(a, i + d).mul(widened(b, i + d)));
      if (ACCUMULATORS > 2) {
        s2 = s2.add(widened(a, i + 2 * d).mul(widened(b, i + 2 * d)));
        s3 = s3.add(widened(a, i + 3 * d).mul(widened(b, i + 3 * d)));
      }
      if (ACCUMULATORS > 4) {
        s4 = s4.add(widened(a, i + 4 * d).mul(widened(b, i + 4 * d)));
        s5 = s5.add(widened(a, i + 5 * d).mul(widened(b, i + 5 * d)));
        s6 = s6.add(widened(a, i + 6 * d).mul(widened(b, i + 6 * d)));
        s7 = s7.add(widened(a, i + 7 * d).mul(widened(b, i + 7 * d)));
      }
    }
    store(partials, 0, s0);
    store(partials, 1, s1);
    store(partials, 2, s2);
    store(partials, 3, s3);
    store(partials, 4, s4);
    store(partials, 5, s5);
    store(partials, 6, s6);
    store(partials, 7, s7);
    return total(Term.PRODUCT, a, b, blocksEnd, offset + count, partials);
  }

  @Override
  public double sumOfSquares(MemorySegment x, long offset, long count, double[] partials) {
    int d = D.length();
    long blocksEnd = offset + count / PARTIALS * PARTIALS;
    // made here, not read from a static field: C2 keeps loop vectors unboxed only when every
    // value they start from is made in the method
    DoubleVector s0 = DoubleVector.zero(D),
        s1 = s0,
        s2 = s0,
        s3 = s0,
        s4 = s0,
        s5 = s0,
        s6 = s0,
        s7 = s0;
    for (long i = offset; i < blocksEnd; i += PARTIALS) {
      s0 = s0.add(square(x, i));
      s1 = s1.add(square(x, i + d));
      if (ACCUMULATORS > 2) {
        s2 = s2.add(square(x, i + 2 * d));
        s3 = s3.add(square(x, i + 3 * d));
      }
      if (ACCUMULATORS > 4) {
        s4 = s4.add(square(x, i + 4 * d));
        s5 = s5.add(square(x, i + 5 * d));
        s6 = s6.add(square(x, i + 6 * d));
        s7 = s7.add(square(x, i + 7 * d));
      }
    }
    store(partials, 0, s0);
    store(partials, 1, s1);
    store(partials, 2, s2);
    store(partials, 3, s3);
    store(partials, 4, s4);
    store(partials, 5, s5);
    store(partials, 6, s6);
    store(partials, 7, s7);
    return total(Term.SQUARE, x, x, blocksEnd, offset + count, partials);
  }

  @Override
  public double sumOfAbs(MemorySegment x, long offset, long count, double[] partials) {
    int d = D.length();
    long blocksEnd = offset + count / PARTIALS * PARTIALS;
    // made here, not read from a static field: C2 keeps loop vectors unboxed only when every
    // value they start from is made in the method
    DoubleVector s0 = DoubleVector.zero(D),
        s1 = s0,
        s2 = s0,
        s3 = s0,
        s4 = s0,
        s5 = s0,
        s6 = s0,
        s7 = s0;
    for (long i = offset; i < blocksEnd; i += PARTIALS) {
      s0 = s0.add(widened(x, i).abs());
      s1 = s1.add(widened(x, i + d).abs());
      if (ACCUMULATORS > 2) {
        s2 = s2.add(widened(x, i + 2 * d).abs());
        s3 = s3.add(widened(x, i + 3 * d).abs());
      }
      if (ACCUMULATORS > 4) {
        s4 = s4.add(widened(x, i + 4 * d).abs());
        s5 = s5.add(widened(x, i + 5 * d).abs());
        s6 = s6.add(widened(x, i + 6 * d).abs());
        s7 = s7.add(widened(x, i + 7 * d).abs());
      }
    }
    store(partials, 0, s0);
    store(partials, 1, s1);
    store(partials, 2, s2);
    store(partials, 3, s3);
    store(partials, 4, s4);
    store(partials, 5, s5);
    store(partials, 6, s6);
    store(partials, 7, s7);
    return total(Term.ABS, x, x, blocksEnd, offset + count, partials);
  }

  @Override
  public double sumOfAbsPow(MemorySegment x, long offset, long count, double q, double[] partials) {
    return ReduceScalar.sum(Term.ABS_POW, x, x, offset, count, q);
  }

  private static DoubleVector widened(MemorySegment s, long i) {
    return (DoubleVector)
        FloatVector.fromMemorySegment(H, s, i * Float.BYTES, ORDER)
            .convertShape(VectorOperators.F2D, D, 0);
  }

  private static DoubleVector square(MemorySegment s, long i) {
    DoubleVector x = widened(s, i);
    return x.mul(x);
  }

  /** Accumulator {@code j}'s partials into {@code partials}, if the width uses it (a constant). */
  private static void store(double[] partials, int j, DoubleVector s) {
    if (j < ACCUMULATORS) {
      s.intoArray(partials, j * D.length());
    }
  }

  /**
   * The last, partial block's elements added to the partials in {@code partials} (element {@code
   * blocksEnd + k} is the last term of partial k), and the partials added in order. No vector is
   * passed in: one that crossed a call C2 did not inline would be boxed.
   */
  private static double total(
      Term term, MemorySegment a, MemorySegment b, long blocksEnd, long end, double[] partials) {
    double total = 0;
    for (int k = 0; k < PARTIALS; k++) {
      double partial = partials[k];
      if (blocksEnd + k < end) {
        partial += term.of(a, b, blocksEnd + k, 0);
      }
      total += partial;
    }
    return total;
  }

  /** Four independent maxima: max is exact and order-free, so the result is the reference's. */
  @Override
  public float maxAbs(MemorySegment x, long offset, long count) {
    long i = offset;
    int w = F.length();
    FloatVector m0 = FloatVector.zero(F), m1 = m0, m2 = m0, m3 = m0;
    for (long bound = offset + (count / (4L * w)) * 4 * w; i < bound; i += 4L * w) {
      m0 = m0.max(Vectors.load(x, i).abs());
      m1 = m1.max(Vectors.load(x, i + w).abs());
      m2 = m2.max(Vectors.load(x, i + 2L * w).abs());
      m3 = m3.max(Vectors.load(x, i + 3L * w).abs());
    }
    float m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
    for (long end = offset + count; i < end; i++) {
      m = Math.max(m, Math.abs(x.getAtIndex(JAVA_FLOAT, i)));
    }
    return m;
  }
}
