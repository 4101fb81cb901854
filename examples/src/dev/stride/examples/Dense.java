package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A fully connected layer, {@code y = x·W + b}: W is {@code in × out} and b has {@code out}
 * entries, each with a gradient of the same shape, all off-heap where an optimizer can update them.
 * W is stored by input row so that every inner loop below walks memory in order.
 */
final class Dense implements Layer {
  private final int in;
  private final int out;
  private final MemorySegment weight;
  private final MemorySegment weightGrad;
  private final MemorySegment bias;
  private final MemorySegment biasGrad;
  private final MemorySegment output;
  private final MemorySegment inputGrad;
  private MemorySegment input;

  /**
   * He-uniform weights from {@code random}, uniform in ±√(6 / in), which keep the activations'
   * scale through ReLU layers; zero biases.
   */
  Dense(Arena arena, int in, int out, int maxRows, Random random) {
    this.in = in;
    this.out = out;
    weight = floats(arena, (long) in * out);
    weightGrad = floats(arena, (long) in * out);
    bias = floats(arena, out);
    biasGrad = floats(arena, out);
    output = floats(arena, (long) maxRows * out);
    inputGrad = floats(arena, (long) maxRows * in);
    double limit = Math.sqrt(6.0 / in);
    for (long i = 0; i < (long) in * out; i++) {
      weight.setAtIndex(JAVA_FLOAT, i, (float) ((2 * random.nextDouble() - 1) * limit));
    }
  }

  /** A zeroed buffer of {@code n} floats, 64-byte aligned as the optimizer's kernels prefer. */
  static MemorySegment floats(Arena arena, long n) {
    return arena.allocate(n * Float.BYTES, 64);
  }

  @Override
  public MemorySegment forward(MemorySegment x, int rows) {
    input = x;
    for (int r = 0; r < rows; r++) {
      long y = (long) r * out;
      MemorySegment.copy(bias, 0, output, y * Float.BYTES, (long) out * Float.BYTES);
      for (int i = 0; i < in; i++) {
        float xi = x.getAtIndex(JAVA_FLOAT, (long) r * in + i);
        long w = (long) i * out;
        for (int o = 0; o < out; o++) {
          output.setAtIndex(
              JAVA_FLOAT,
              y + o,
              output.getAtIndex(JAVA_FLOAT, y + o) + xi * weight.getAtIndex(JAVA_FLOAT, w + o));
        }
      }
    }
    return output;
  }

  @Override
  public MemorySegment backward(MemorySegment dy, int rows) {
    for (int r = 0; r < rows; r++) {
      long y = (long) r * out;
      for (int o = 0; o < out; o++) {
        float dyo = dy.getAtIndex(JAVA_FLOAT, y + o);
        biasGrad.setAtIndex(JAVA_FLOAT, o, biasGrad.getAtIndex(JAVA_FLOAT, o) + dyo);
      }
      for (int i = 0; i < in; i++) {
        float xi = input.getAtIndex(JAVA_FLOAT, (long) r * in + i);
        long w = (long) i * out;
        float dxi = 0;
        for (int o = 0; o < out; o++) {
          float dyo = dy.getAtIndex(JAVA_FLOAT, y + o);
          weightGrad.setAtIndex(
              JAVA_FLOAT, w + o, weightGrad.getAtIndex(JAVA_FLOAT, w + o) + xi * dyo);
          dxi += dyo * weight.getAtIndex(JAVA_FLOAT, w + o);
        }
        inputGrad.setAtIndex(JAVA_FLOAT, (long) r * in + i, dxi);
      }
    }
    return inputGrad;
  }

  /** W's shape: {@code [in, out]}, row-major as stored (a rule that factors matrices reads it). */
  long[] weightShape() {
    return new long[] {in, out};
  }

  MemorySegment weight() {
    return weight;
  }

  MemorySegment weightGrad() {
    return weightGrad;
  }

  MemorySegment bias() {
    return bias;
  }

  MemorySegment biasGrad() {
    return biasGrad;
  }
}
