package dev.stride.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The contents of Adam-shaped buffers, as a trainer would have them a few hundred steps in:
 * parameters ~ N(0, 1), small gradients, a first moment of the gradients' size, a second moment of
 * their square (so ≥ 0 and never subnormal, which would slow the divider), and for Adadelta a
 * second such mean of squares. The same values for the segment and the {@code float[]} forms.
 */
enum Data {
  PARAM(1f, false),
  GRAD(1e-3f, false),
  EXP_AVG(1e-3f, false),
  EXP_AVG_SQ(1e-3f, true),
  ACC_DELTA(1e-3f, true);

  /**
   * Random values repeat every this many elements: the kernels' speed does not depend on the
   * values, and generating 16M Gaussians per fork would cost a second of the quick mode.
   */
  private static final int BLOCK = 1 << 16;

  private final float scale;
  private final boolean squared;

  Data(float scale, boolean squared) {
    this.scale = scale;
    this.squared = squared;
  }

  float[] array(int size) {
    float[] block = block(size);
    float[] a = new float[size];
    for (int at = 0; at < size; at += BLOCK) {
      System.arraycopy(block, 0, a, at, Math.min(BLOCK, size - at));
    }
    return a;
  }

  void fill(MemorySegment s) {
    int size = Math.toIntExact(s.byteSize() / Float.BYTES);
    float[] block = block(size);
    for (int at = 0; at < size; at += BLOCK) {
      MemorySegment.copy(
          block, 0, s, ValueLayout.JAVA_FLOAT, (long) at * Float.BYTES, Math.min(BLOCK, size - at));
    }
  }

  private float[] block(int size) {
    SplittableRandom random = new SplittableRandom(ordinal());
    float[] block = new float[Math.min(size, BLOCK)];
    for (int i = 0; i < block.length; i++) {
      float x = (float) random.nextGaussian() * scale;
      block[i] = squared ? x * x : x;
    }
    return block;
  }
}
