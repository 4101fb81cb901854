package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** {@link AdafactorKernel}'s reference: one element at a time, as the formulas read. */
final class AdafactorScalar implements AdafactorKernel {

  @Override
  public double sumRow(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      double[] columnSums,
      int at,
      long offset,
      int count,
      double[] partials) {
    Arrays.fill(partials, 0);
    for (int i = 0; i < count; i++) {
      float s = square(c, param, grad, offset + i);
      columnSums[at + i] += s;
      partials[i % PARTIALS] += s;
    }
    return total(partials);
  }

  @Override
  public double sumOfUpdateSquares(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      long offset,
      long count,
      double[] partials) {
    Arrays.fill(partials, 0);
    for (long i = 0; i < count; i++) {
      double u = update(c, rowFactor, columnFactors, column, variance, param, grad, offset, i);
      partials[(int) (i % PARTIALS)] += u * u;
    }
    return total(partials);
  }

  /**
   * U of element {@code offset + i}: a vector's after averaging its v, a matrix row's from its
   * factors.
   */
  static float update(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      long offset,
      long i) {
    long e = offset + i;
    float inverseRoot;
    if (variance.equals(MemorySegment.NULL)) {
      inverseRoot = inverseRoot(c, rowFactor, columnFactors[column + (int) i]);
    } else {
      float v = c.average(variance.getAtIndex(JAVA_FLOAT, e), square(c, param, grad, e));
      variance.setAtIndex(JAVA_FLOAT, e, v);
      inverseRoot = inverseRoot(c, v);
    }
    return inverseRoot * gradient(c, param, grad, e);
  }

  @Override
  public void apply(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      long offset,
      long count) {
    boolean vector = !variance.equals(MemorySegment.NULL);
    for (long i = offset, end = offset + count; i < end; i++) {
      float p = param.getAtIndex(JAVA_FLOAT, i);
      float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
      float u =
          (vector
                  ? inverseRoot(c, variance.getAtIndex(JAVA_FLOAT, i))
                  : inverseRoot(c, rowFactor, columnFactors[column + (int) (i - offset)]))
              * g;
      if (c.clipDivisor != 1) {
        u = u / c.clipDivisor;
      }
      u = c.stepSize * u;
      if (c.hasMomentum) {
        u = c.beta1 * expAvg.getAtIndex(JAVA_FLOAT, i) + c.oneMinusBeta1 * u;
        expAvg.setAtIndex(JAVA_FLOAT, i, u);
      }
      if (c.decayFactor != 1) {
        p = c.decayFactor * p;
      }
      if (c.decayTerm != 0) {
        p = p + c.decayTerm * p;
      }
      param.setAtIndex(JAVA_FLOAT, i, p - u);
    }
  }

  /** s = g·g + ε of element i. */
  static float square(Coefficients c, MemorySegment param, MemorySegment grad, long i) {
    float g = gradient(c, param, grad, i);
    return g * g + c.epsilon;
  }

  /** g after the gradient terms; p is read only where they need it. */
  static float gradient(Coefficients c, MemorySegment param, MemorySegment grad, long i) {
    float p = c.l1 != 0 ? param.getAtIndex(JAVA_FLOAT, i) : 0;
    return c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
  }

  /** A vector's rsqrt(max(v, floor)). */
  static float inverseRoot(Coefficients c, float v) {
    return 1 / (float) Math.sqrt(Math.max(v, c.floor));
  }

  /** A matrix's min(r·c, cap). */
  static float inverseRoot(Coefficients c, float rowFactor, float columnFactor) {
    return Math.min(rowFactor * columnFactor, c.cap);
  }

  /** The partials added in order. */
  static double total(double[] partials) {
    double total = 0;
    for (double partial : partials) {
      total += partial;
    }
    return total;
  }
}
