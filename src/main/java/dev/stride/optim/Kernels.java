package dev.stride.optim;

import dev.stride.kernel.KernelSet;

/**
 * Which implementation of the rules' inner loops an optimizer runs. Both give the same bits; the
 * vector one is the fast one and needs the JVM flag {@code --add-modules jdk.incubator.vector}.
 */
public enum Kernels {
  /**
   * The Vector API kernels where the JVM has {@code jdk.incubator.vector}, the scalar references
   * otherwise (after one log line); {@code -Dstride.kernels=scalar|vector} forces one and {@code
   * -Dstride.vector.bits=128|256} the vector width.
   */
  DEFAULT,
  /** The scalar references: one element at a time, as each rule's formulas read. */
  SCALAR,
  /** The Vector API kernels; an optimizer made with them needs {@code jdk.incubator.vector}. */
  VECTOR;

  /**
   * What this choice resolves to in this JVM: {@code "scalar"}, or say {@code "256-bit vector"}.
   */
  public String description() {
    return set().name();
  }

  /**
   * @throws IllegalStateException for {@link #VECTOR} in a JVM without {@code jdk.incubator.vector}
   */
  KernelSet set() {
    return switch (this) {
      case DEFAULT -> KernelSet.standard();
      case SCALAR -> KernelSet.scalar();
      case VECTOR -> KernelSet.vector();
    };
  }
}
