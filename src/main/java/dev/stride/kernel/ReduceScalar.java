package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link ReduceKernel}'s reference: each partial sum over its strided elements, then in order. */
final class ReduceScalar implements ReduceKernel {

  /** What a sum adds for element i. */
  enum Term {
    PRODUCT,
    SQUARE,
    ABS,
    ABS_POW;

    double of(MemorySegment a, MemorySegment b, long i, double q) {
      float x = a.getAtIndex(JAVA_FLOAT, i);
      return switch (this) {
        case PRODUCT -> (double) x * b.getAtIndex(JAVA_FLOAT, i);
        case SQUARE -> (double) x * x;
        case ABS -> Math.abs(x);
        case ABS_POW -> Math.pow(Math.abs(x), q);
      };
    }
  }

  @Override
  public double dot(MemorySegment a, MemorySegment b, long offset, long count, double[] partials) {
    return sum(Term.PRODUCT, a, b, offset, count, 0);
  }

  @Override
  public double sumOfSquares(MemorySegment x, long offset, long count, double[] partials) {
    return sum(Term.SQUARE, x, x, offset, count, 0);
  }

  @Override
  public double sumOfAbs(MemorySegment x, long offset, long count, double[] partials) {
    return sum(Term.ABS, x, x, offset, count, 0);
  }

  @Override
  public double sumOfAbsPow(MemorySegment x, long offset, long count, double q, double[] partials) {
    return sum(Term.ABS_POW, x, x, offset, count, q);
  }

  static double sum(
      Term term, MemorySegment a, MemorySegment b, long offset, long count, double q) {
    long end = offset + count;
    double total = 0;
    for (int k = 0; k < PARTIALS; k++) {
      double partial = 0;
      for (long i = offset + k; i < end; i += PARTIALS) {
        partial += term.of(a, b, i, q);
      }
      total += partial;
    }
    return total;
  }

  @Override
  public float maxAbs(MemorySegment x, long offset, long count) {
    float max = 0;
    for (long i = offset, end = offset + count; i < end; i++) {
      max = Math.max(max, Math.abs(x.getAtIndex(JAVA_FLOAT, i)));
    }
    return max;
  }
}
