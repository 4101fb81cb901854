package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdafactorScalar}'s operations in its order, a vector at a time; the tail goes to it. A Σ
 * takes 16 elements at a time, as float vectors whose halves widen to double vectors of consecutive
 * partials: with 512-bit vectors one float vector and two partial vectors, with 256 two and four,
 * with 128 four and eight; the branches on their count are on a constant.
 */
final class AdafactorVector implements AdafactorKernel {
  private static final AdafactorKernel TAIL = new AdafactorScalar();
  private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());

  /** How many double vectors hold the 16 partials: 2, 4 or 8. */
  private static final int ACCUMULATORS = PARTIALS / D.length();

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
    int f = F.length();
    int blocks = count / PARTIALS * PARTIALS;
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
    for (int i = 0; i < blocks; i += PARTIALS) {
      FloatVector s = squares(c, param, grad, offset + i);
      s0 = s0.add(addTo(columnSums, at + i, s, 0));
      s1 = s1.add(addTo(columnSums, at + i, s, 1));
      if (ACCUMULATORS > 2) {
        s = squares(c, param, grad, offset + i + f);
        s2 = s2.add(addTo(columnSums, at + i + f, s, 0));
        s3 = s3.add(addTo(columnSums, at + i + f, s, 1));
      }
      if (ACCUMULATORS > 4) {
        s = squares(c, param, grad, offset + i + 2 * f);
        s4 = s4.add(addTo(columnSums, at + i + 2 * f, s, 0));
        s5 = s5.add(addTo(columnSums, at + i + 2 * f, s, 1));
        s = squares(c, param, grad, offset + i + 3 * f);
        s6 = s6.add(addTo(columnSums, at + i + 3 * f, s, 0));
        s7 = s7.add(addTo(columnSums, at + i + 3 * f, s, 1));
      }
    }
    keep(partials, 0, s0);
    keep(partials, 1, s1);
    keep(partials, 2, s2);
    keep(partials, 3, s3);
    keep(partials, 4, s4);
    keep(partials, 5, s5);
    keep(partials, 6, s6);
    keep(partials, 7, s7);
    for (int i = blocks; i < count; i++) {
      float s = AdafactorScalar.square(c, param, grad, offset + i);
      columnSums[at + i] += s;
      partials[i - blocks] += s;
    }
    return AdafactorScalar.total(partials);
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
    int f = F.length();
    long blocks = count / PARTIALS * PARTIALS;
    DoubleVector s0 = DoubleVector.zero(D),
        s1 = s0,
        s2 = s0,
        s3 = s0,
        s4 = s0,
        s5 = s0,
        s6 = s0,
        s7 = s0;
    for (long i = 0; i < blocks; i += PARTIALS) {
      FloatVector u = update(c, rowFactor, columnFactors, column, variance, param, grad, offset, i);
      s0 = s0.add(squared(u, 0));
      s1 = s1.add(squared(u, 1));
      if (ACCUMULATORS > 2) {
        u = update(c, rowFactor, columnFactors, column, variance, param, grad, offset, i + f);
        s2 = s2.add(squared(u, 0));
        s3 = s3.add(squared(u, 1));
      }
      if (ACCUMULATORS > 4) {
        u = update(c, rowFactor, columnFactors, column, variance, param, grad, offset, i + 2 * f);
        s4 = s4.add(squared(u, 0));
        s5 = s5.add(squared(u, 1));
        u = update(c, rowFactor, columnFactors, column, variance, param, grad, offset, i + 3 * f);
        s6 = s6.add(squared(u, 0));
        s7 = s7.add(squared(u, 1));
      }
    }
    keep(partials, 0, s0);
    keep(partials, 1, s1);
    keep(partials, 2, s2);
    keep(partials, 3, s3);
    keep(partials, 4, s4);
    keep(partials, 5, s5);
    keep(partials, 6, s6);
    keep(partials, 7, s7);
    for (long i = blocks; i < count; i++) {
      double u =
          AdafactorScalar.update(
              c, rowFactor, columnFactors, column, variance, param, grad, offset, i);
      partials[(int) (i - blocks)] += u * u;
    }
    return AdafactorScalar.total(partials);
  }

  /** s = g·g + ε of the float vector at element i. */
  private static FloatVector squares(
      Coefficients c, MemorySegment param, MemorySegment grad, long i) {
    FloatVector g = load(grad, i);
    g = Vectors.gradient(c, g, c.l1 != 0 ? load(param, i) : g);
    return g.mul(g).add(c.epsilon);
  }

  /** Half {@code part} of s widened, added to the column sums from {@code at} on, and returned. */
  private static DoubleVector addTo(double[] columnSums, int at, FloatVector s, int part) {
    DoubleVector w = (DoubleVector) s.convertShape(VectorOperators.F2D, D, part);
    int k = at + part * D.length();
    DoubleVector.fromArray(D, columnSums, k).add(w).intoArray(columnSums, k);
    return w;
  }

  /** Half {@code part} of u widened and squared. */
  private static DoubleVector squared(FloatVector u, int part) {
    DoubleVector w = (DoubleVector) u.convertShape(VectorOperators.F2D, D, part);
    return w.mul(w);
  }

  /** U of the float vector at element {@code offset + i}, as the scalar form's. */
  private static FloatVector update(
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
    FloatVector g = load(grad, e);
    g = Vectors.gradient(c, g, c.l1 != 0 ? load(param, e) : g);
    FloatVector inverseRoot;
    if (variance.equals(MemorySegment.NULL)) {
      inverseRoot =
          FloatVector.fromArray(F, columnFactors, column + (int) i).mul(rowFactor).min(c.cap);
    } else {
      FloatVector old = load(variance, e);
      FloatVector now = g.mul(g).add(c.epsilon);
      FloatVector v =
          switch (c.averaging) {
            case Coefficients.LERP_FROM_OLD -> old.add(now.sub(old).mul(c.newWeight));
            case Coefficients.LERP_FROM_NEW -> now.sub(now.sub(old).mul(c.oldWeight));
            default -> old.mul(c.oldWeight).add(now.mul(c.newWeight));
          };
      store(v, variance, e);
      inverseRoot = Vectors.ONE.div(Vectors.sqrt(v.max(c.floor)));
    }
    return inverseRoot.mul(g);
  }

  /** Accumulator {@code j}'s partials into {@code partials}, if the width uses it (a constant). */
  private static void keep(double[] partials, int j, DoubleVector s) {
    if (j < ACCUMULATORS) {
      s.intoArray(partials, j * D.length());
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
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = load(param, i);
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector inverseRoot =
          vector
              ? Vectors.ONE.div(Vectors.sqrt(load(variance, i).max(c.floor)))
              : FloatVector.fromArray(F, columnFactors, column + (int) (i - offset))
                  .mul(rowFactor)
                  .min(c.cap);
      FloatVector u = inverseRoot.mul(g);
      if (c.clipDivisor != 1) {
        u = u.div(c.clipDivisor);
      }
      u = u.mul(c.stepSize);
      if (c.hasMomentum) {
        u = load(expAvg, i).mul(c.beta1).add(u.mul(c.oneMinusBeta1));
        store(u, expAvg, i);
      }
      if (c.decayFactor != 1) {
        p = p.mul(c.decayFactor);
      }
      if (c.decayTerm != 0) {
        p = p.add(p.mul(c.decayTerm));
      }
      store(p.sub(u), param, i);
    }
    TAIL.apply(
        c,
        rowFactor,
        columnFactors,
        column + (int) (i - offset),
        variance,
        param,
        grad,
        expAvg,
        i,
        offset + count - i);
  }
}
