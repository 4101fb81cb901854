package dev.stride.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bandwidth limit of a rule's step: its access pattern with additions only. It reads p, g and k
 * state buffers and writes the k buffers, then p (the kernels' order), 4·(2k + 3) bytes per
 * element; or Adafactor's three passes over a matrix, 24 bytes per element. Buffers are staggered
 * in a page as {@link SegmentBuffers}' are. Repeated additions saturate (x + g == x once |x| ≫ |g|)
 * rather than overflow or go subnormal.
 */
final class MemoryLimit implements AutoCloseable {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final long PAGE = 4096;

  final long size;
  final int buffers;

  /** Adafactor's pattern instead: read p and g; read g; read p and g, write p (three passes). */
  private final boolean threePasses;

  /**
   * What the read-only passes sum, kept so that they are not optimized away (written by every
   * thread, read by none).
   */
  private double sink;

  private final MemorySegment param;
  private final MemorySegment grad;
  private final MemorySegment[] state;
  private final Arena arena = Arena.ofShared();

  /**
   * @param buffers k, 0 to 4
   */
  MemoryLimit(long size, int buffers) {
    this(size, buffers, false);
  }

  /** Adafactor's three passes over a matrix, 24 bytes per element. */
  static MemoryLimit adafactor(long size) {
    return new MemoryLimit(size, 0, true);
  }

  private MemoryLimit(long size, int buffers, boolean threePasses) {
    this.threePasses = threePasses;
    if (buffers < 0 || buffers > 4) {
      throw new IllegalArgumentException(
          "the memory-only kernel keeps 0 to 4 state buffers, not " + buffers);
    }
    this.size = size;
    this.buffers = buffers;
    param = allocate(0, Data.PARAM);
    grad = allocate(1, Data.GRAD);
    state = new MemorySegment[buffers];
    for (int k = 0; k < buffers; k++) {
      state[k] = allocate(k + 2, Data.EXP_AVG);
    }
  }

  private MemorySegment allocate(int k, Data data) {
    long bytes = size * Float.BYTES;
    long offset = k % 4 * PAGE / 4 + k / 4 * PAGE / 8;
    MemorySegment s = arena.allocate(bytes + offset, PAGE).asSlice(offset, bytes);
    data.fill(s);
    return s;
  }

  /** The parameter, which every buffer's sum reaches. */
  MemorySegment param() {
    return param;
  }

  int bytesPerElement() {
    return threePasses ? 24 : Float.BYTES * (2 * buffers + 3);
  }

  /**
   * One pass over elements {@code [from, to)} (Adafactor's three), a multiple of the lane count
   * apart except at the end. Several threads need no barrier between Adafactor's passes: each
   * streams its own share, out of cache, as the optimizer's passes do.
   */
  void run(long from, long to) {
    if (threePasses) {
      sink += readPass(param, grad, from, to) + readPass(grad, null, from, to);
    }
    long i = from;
    for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      FloatVector g = FloatVector.fromMemorySegment(F, grad, at, ORDER);
      FloatVector p = FloatVector.fromMemorySegment(F, param, at, ORDER).add(g);
      // constant per fork: the branches cost nothing next to the loads and stores
      if (buffers > 0) {
        p = p.add(addInto(state[0], at, g));
      }
      if (buffers > 1) {
        p = p.sub(addInto(state[1], at, g));
      }
      if (buffers > 2) {
        p = p.add(addInto(state[2], at, g));
      }
      if (buffers > 3) {
        p = p.sub(addInto(state[3], at, g));
      }
      p.intoMemorySegment(param, at, ORDER);
    }
    for (; i < to; i++) {
      long at = i * Float.BYTES;
      float g = grad.get(JAVA_FLOAT, at);
      float p = param.get(JAVA_FLOAT, at) + g;
      for (int k = 0; k < buffers; k++) { // added and subtracted in turn, as above
        float s = state[k].get(JAVA_FLOAT, at) + g;
        state[k].set(JAVA_FLOAT, at, s);
        p = k % 2 == 0 ? p + s : p - s;
      }
      param.set(JAVA_FLOAT, at, p);
    }
  }

  /** A read-only pass over {@code first} and {@code second} (if not null): their sum. */
  private static double readPass(MemorySegment first, MemorySegment second, long from, long to) {
    FloatVector acc = FloatVector.zero(F);
    long i = from;
    for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      acc = acc.add(FloatVector.fromMemorySegment(F, first, at, ORDER));
      if (second != null) {
        acc = acc.add(FloatVector.fromMemorySegment(F, second, at, ORDER));
      }
    }
    double total = acc.reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      long at = i * Float.BYTES;
      total += first.get(JAVA_FLOAT, at) + (second != null ? second.get(JAVA_FLOAT, at) : 0);
    }
    return total;
  }

  /** {@link #run} over every element in C, on {@code threads} threads (an OpenMP team). */
  void runInC(Yardstick c, int threads) {
    c.memory(
        buffers,
        param,
        grad,
        stateOrNull(0),
        stateOrNull(1),
        stateOrNull(2),
        stateOrNull(3),
        size,
        threads);
  }

  private MemorySegment stateOrNull(int k) {
    return k < buffers ? state[k] : MemorySegment.NULL;
  }

  private static FloatVector addInto(MemorySegment s, long at, FloatVector g) {
    FloatVector v = FloatVector.fromMemorySegment(F, s, at, ORDER).add(g);
    v.intoMemorySegment(s, at, ORDER);
    return v;
  }

  @Override
  public void close() {
    arena.close();
  }
}
