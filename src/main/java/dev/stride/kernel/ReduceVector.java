package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.kernel.ReduceScalar.Term;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ReduceScalar}'s sums a block of 16 elements at a time: each float vector of the block is
 * widened to two double vectors, whose lanes are the block's partial sums in order. With 16-float
 * vectors a block is one vector; with 8 or 4, two or four, each with partials of its own.
 */
final class ReduceVector implements ReduceKernel {
  private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
  private static final int VECTORS_PER_BLOCK = PARTIALS / F.length();

  @Override
  public double dot(MemorySegment a, MemorySegment b, long offset, long count, double[] lanes) {
    return sum(Term.PRODUCT, a, b, offset, count, lanes);
  }

  @Override
  public double sumOfAbs(MemorySegment x, long offset, long count, double[] lanes) {
    return sum(Term.ABS, x, x, offset, count, lanes);
  }

  @Override
  public double sumOfAbsPow(MemorySegment x, long offset, long count, double q, double[] lanes) {
    return ReduceScalar.sum(Term.ABS_POW, x, x, offset, count, q);
  }

  /** {@code term} is a constant at each call site, so each sum compiles to its own loop. */
  private static double sum(Term term, MemorySegment a, MemorySegment b, long offset, long count,
      double[] lanes) {
    long blocksEnd = offset + count / PARTIALS * PARTIALS;
    DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
        s7 = s0;
    for (long i = offset; i < blocksEnd; i += PARTIALS) {
      FloatVector x = load(a, i), y = load(b, i);
      s0 = s0.add(term(term, x, y, 0));
      s1 = s1.add(term(term, x, y, 1));
      if (VECTORS_PER_BLOCK > 1) {
        x = load(a, i + F.length());
        y = load(b, i + F.length());
        s2 = s2.add(term(term, x, y, 0));
        s3 = s3.add(term(term, x, y, 1));
      }
      if (VECTORS_PER_BLOCK > 2) {
        x = load(a, i + 2 * F.length());
        y = load(b, i + 2 * F.length());
        s4 = s4.add(term(term, x, y, 0));
        s5 = s5.add(term(term, x, y, 1));
        x = load(a, i + 3 * F.length());
        y = load(b, i + 3 * F.length());
        s6 = s6.add(term(term, x, y, 0));
        s7 = s7.add(term(term, x, y, 1));
      }
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, D.length());
    if (VECTORS_PER_BLOCK > 1) {
      s2.intoArray(lanes, 2 * D.length());
      s3.intoArray(lanes, 3 * D.length());
    }
    if (VECTORS_PER_BLOCK > 2) {
      s4.intoArray(lanes, 4 * D.length());
      s5.intoArray(lanes, 5 * D.length());
      s6.intoArray(lanes, 6 * D.length());
      s7.intoArray(lanes, 7 * D.length());
    }
    // the last, partial block: element blocksEnd + k is the last term of partial k
    long end = offset + count;
    double total = 0;
    for (int k = 0; k < PARTIALS; k++) {
      double partial = lanes[k];
      if (blocksEnd + k < end) {
        partial += term.of(a, b, blocksEnd + k, 0);
      }
      total += partial;
    }
    return total;
  }

  /** Half {@code part} of the vector's terms, in double. */
  private static DoubleVector term(Term term, FloatVector x, FloatVector y, int part) {
    DoubleVector dx = (DoubleVector) x.convert(VectorOperators.F2D, part);
    return switch (term) {
      case PRODUCT -> dx.mul((DoubleVector) y.convert(VectorOperators.F2D, part));
      case ABS -> dx.abs();
      case ABS_POW -> throw new AssertionError("no vector power: " + term);
    };
  }

  @Override
  public float maxAbs(MemorySegment x, long offset, long count) {
    long i = offset;
    FloatVector max = FloatVector.zero(F);
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      max = max.max(load(x, i).abs());
    }
    float m = max.reduceLanes(VectorOperators.MAX);
    for (long end = offset + count; i < end; i++) {
      m = Math.max(m, Math.abs(x.getAtIndex(JAVA_FLOAT, i)));
    }
    return m;
  }
}
