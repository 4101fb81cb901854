package dev.stride.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the Vector API kernels share: the species, loads and stores, and the vector form of {@link
 * GradientCoefficients#gradient}. Only the {@code *Vector} classes use it.
 *
 * <p>A kernel chooses between a loaded vector and another by a step's flag (a buffer's first step,
 * ASGD's averaging) with a blend on a mask of all lanes or none, made before its loop, not with a
 * branch in it: with the load under such a branch, SGD with momentum ran at 0.81× its {@code
 * float[]} loop at 16M elements on an Intel Xeon (AVX-512) and ASGD at 0.50×; with the blend, 0.96×
 * and 1.10× (BENCHMARKS.md, "Against C"). The blend costs a load the first step drops.
 */
final class Vectors {
  // A constant, not a parameter: C2 only intrinsifies vector operations whose species it can see
  // as a constant, and a kernel fed two species ran 40x slower.
  static final VectorSpecies<Float> F =
      switch (KernelSet.vectorBits()) {
        case 128 -> FloatVector.SPECIES_128;
        case 256 -> FloatVector.SPECIES_256;
        default -> FloatVector.SPECIES_PREFERRED;
      };

  /** Big-endian access was 5x slower. */
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  static final FloatVector ZERO = FloatVector.zero(F);
  static final FloatVector ONE = FloatVector.broadcast(F, 1f);
  private static final FloatVector MINUS_ONE = FloatVector.broadcast(F, -1f);

  private Vectors() {}

  /** Floats per vector: {@link KernelSet#lanes()} of the vector set, which reads it by name. */
  static int lanes() {
    return F.length();
  }

  /**
   * The first element index from which fewer than a vector remain, counting from {@code offset}.
   */
  static long loopBound(long offset, long count) {
    return offset + F.loopBound(count);
  }

  static FloatVector load(MemorySegment s, long index) {
    return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, ORDER);
  }

  static void store(FloatVector v, MemorySegment s, long index) {
    v.intoMemorySegment(s, index * Float.BYTES, ORDER);
  }

  /** {@link GradientCoefficients#gradient}, the same operations in the same order. */
  static FloatVector gradient(GradientCoefficients c, FloatVector g, FloatVector p) {
    if (c.gradScale != 1) {
      g = g.mul(c.gradScale);
    }
    if (c.clipValue != Float.POSITIVE_INFINITY) {
      g = g.max(-c.clipValue).min(c.clipValue);
    }
    if (c.maximize) {
      g = g.neg();
    }
    if (c.weightDecay != 0) {
      g = g.add(p.mul(c.weightDecay));
    }
    if (c.l1 != 0) {
      g = g.add(sign(p).mul(c.l1));
    }
    return g;
  }

  /** {@link Math#signum(float)}: ±1, and ±0 or NaN where x is. */
  static FloatVector sign(FloatVector x) {
    return sign(x, x);
  }

  /** ±1 where x is neither ±0 nor NaN, {@code elsewhere}'s lane where it is. */
  static FloatVector sign(FloatVector x, FloatVector elsewhere) {
    return elsewhere
        .blend(ONE, x.compare(VectorOperators.GT, 0f))
        .blend(MINUS_ONE, x.compare(VectorOperators.LT, 0f));
  }

  /** torch.sign, as {@link LionScalar#sign}: ±1, and +0 where x is ±0 or NaN. */
  static FloatVector signOrZero(FloatVector x) {
    return ZERO.blend(ONE, x.compare(VectorOperators.GT, 0f))
        .blend(MINUS_ONE, x.compare(VectorOperators.LT, 0f));
  }

  /** {@link LerpScalar#lerp}: a + w·(b − a). */
  static FloatVector lerp(FloatVector a, FloatVector b, float weight) {
    return a.add(b.sub(a).mul(weight));
  }

  static FloatVector sqrt(FloatVector x) {
    return x.lanewise(VectorOperators.SQRT);
  }
}
