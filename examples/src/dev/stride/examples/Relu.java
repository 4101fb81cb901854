package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The ReLU activation, {@code max(x, 0)} element by element; it passes gradient where it is
 * positive.
 */
final class Relu implements Layer {
  private final int width;
  private final MemorySegment output;
  private final MemorySegment inputGrad;

  Relu(Arena arena, int width, int maxRows) {
    this.width = width;
    output = Dense.floats(arena, (long) maxRows * width);
    inputGrad = Dense.floats(arena, (long) maxRows * width);
  }

  @Override
  public MemorySegment forward(MemorySegment x, int rows) {
    for (long i = 0; i < (long) rows * width; i++) {
      output.setAtIndex(JAVA_FLOAT, i, Math.max(x.getAtIndex(JAVA_FLOAT, i), 0f));
    }
    return output;
  }

  @Override
  public MemorySegment backward(MemorySegment dy, int rows) {
    for (long i = 0; i < (long) rows * width; i++) {
      boolean active = output.getAtIndex(JAVA_FLOAT, i) > 0;
      inputGrad.setAtIndex(JAVA_FLOAT, i, active ? dy.getAtIndex(JAVA_FLOAT, i) : 0f);
    }
    return inputGrad;
  }
}
