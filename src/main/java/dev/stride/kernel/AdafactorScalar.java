package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link AdafactorKernel}'s reference: one element at a time, as the formulas read. */
final class AdafactorScalar implements AdafactorKernel {

  @Override
  public void squares(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment out,
      long base,
      long offset,
      long count) {
    for (long i = offset, end = offset + count; i < end; i++) {
      float g = gradient(c, param, grad, i);
      out.setAtIndex(JAVA_FLOAT, i - base, g * g + c.epsilon);
    }
  }

  @Override
  public void addColumns(double[] sums, int at, MemorySegment squares, long from, int count) {
    for (int i = 0; i < count; i++) {
      sums[at + i] += squares.getAtIndex(JAVA_FLOAT, from + i);
    }
  }

  @Override
  public void direction(
      Coefficients c,
      float rowFactor,
      float[] columnFactors,
      int column,
      MemorySegment variance,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment out,
      long base,
      long offset,
      long count) {
    boolean vector = !variance.equals(MemorySegment.NULL);
    for (long i = offset, end = offset + count; i < end; i++) {
      float g = gradient(c, param, grad, i);
      float inverseRoot;
      if (vector) {
        float v = c.average(variance.getAtIndex(JAVA_FLOAT, i), g * g + c.epsilon);
        variance.setAtIndex(JAVA_FLOAT, i, v);
        inverseRoot = inverseRoot(c, v);
      } else {
        inverseRoot = inverseRoot(c, rowFactor, columnFactors[column + (int) (i - offset)]);
      }
      out.setAtIndex(JAVA_FLOAT, i - base, inverseRoot * g);
    }
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

  /** g after the gradient terms; p is read only where they need it. */
  private static float gradient(Coefficients c, MemorySegment param, MemorySegment grad, long i) {
    return c.gradient(
        grad.getAtIndex(JAVA_FLOAT, i), c.l1 != 0 ? param.getAtIndex(JAVA_FLOAT, i) : 0);
  }

  /** A vector's rsqrt(max(v, floor)). */
  static float inverseRoot(Coefficients c, float v) {
    return 1 / (float) Math.sqrt(Math.max(v, c.floor));
  }

  /** A matrix's min(r·c, cap). */
  static float inverseRoot(Coefficients c, float rowFactor, float columnFactor) {
    return Math.min(rowFactor * columnFactor, c.cap);
  }
}
