package dev.stride.kernel;

import static dev.stride.kernel.Vectors.F;
import static dev.stride.kernel.Vectors.load;
import static dev.stride.kernel.Vectors.store;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** {@link AdafactorScalar}'s operations in its order, a vector at a time; the tail goes to it. */
final class AdafactorVector implements AdafactorKernel {
  private static final AdafactorKernel TAIL = new AdafactorScalar();

  /** Half of {@code F}: its floats widen to one full double vector. */
  private static final VectorSpecies<Float> H =
      VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

  private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  @Override
  public void squares(
      Coefficients c,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment out,
      long base,
      long offset,
      long count) {
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = c.l1 != 0 ? load(param, i) : Vectors.ZERO;
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      store(g.mul(g).add(c.epsilon), out, i - base);
    }
    TAIL.squares(c, param, grad, out, base, i, offset + count - i);
  }

  @Override
  public void addColumns(double[] sums, int at, MemorySegment squares, long from, int count) {
    int i = 0;
    for (int bound = D.loopBound(count); i < bound; i += D.length()) {
      DoubleVector s =
          (DoubleVector)
              FloatVector.fromMemorySegment(H, squares, (from + i) * Float.BYTES, ORDER)
                  .convertShape(VectorOperators.F2D, D, 0);
      DoubleVector.fromArray(D, sums, at + i).add(s).intoArray(sums, at + i);
    }
    TAIL.addColumns(sums, at + i, squares, from + i, count - i);
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
    long i = offset;
    for (long bound = Vectors.loopBound(offset, count); i < bound; i += F.length()) {
      FloatVector p = c.l1 != 0 ? load(param, i) : Vectors.ZERO;
      FloatVector g = Vectors.gradient(c, load(grad, i), p);
      FloatVector inverseRoot;
      if (vector) {
        FloatVector old = load(variance, i);
        FloatVector now = g.mul(g).add(c.epsilon);
        FloatVector v =
            switch (c.averaging) {
              case Coefficients.LERP_FROM_OLD -> old.add(now.sub(old).mul(c.newWeight));
              case Coefficients.LERP_FROM_NEW -> now.sub(now.sub(old).mul(c.oldWeight));
              default -> old.mul(c.oldWeight).add(now.mul(c.newWeight));
            };
        store(v, variance, i);
        inverseRoot = Vectors.ONE.div(Vectors.sqrt(v.max(c.floor)));
      } else {
        inverseRoot =
            FloatVector.fromArray(F, columnFactors, column + (int) (i - offset))
                .mul(rowFactor)
                .min(c.cap);
      }
      store(inverseRoot.mul(g), out, i - base);
    }
    TAIL.direction(
        c,
        rowFactor,
        columnFactors,
        column + (int) (i - offset),
        variance,
        param,
        grad,
        out,
        base,
        i,
        offset + count - i);
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
