package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.kernel.GradientCoefficients;
import java.lang.foreign.MemorySegment;

/**
 * One registered parameter: its value and gradient, the rule's state for it (buffers and
 * per-parameter numbers), its step count, and the coefficients its next chunks are updated with.
 */
final class Parameter {
  /** State buffers start on a cache line: a vector load that straddles two is slower. */
  static final long STATE_ALIGNMENT = StateMemory.ALIGNMENT;

  /** A thread that owns nothing: memory it may access is memory every thread may access. */
  private static final Thread NOT_AN_OWNER = new Thread(() -> {}, "stride-access-probe");

  /** The index of the parameter's group. */
  final int group;

  final MemorySegment value;

  /** Replaced by {@link ParamGroup#setGrad} between steps, as a trainer's gradients move. */
  MemorySegment grad;

  final long count;

  /** The shape the caller registered it with, row-major; {@code [count]} unless told. */
  final long[] shape;

  /** Confined to its owner thread: only the thread that calls step may update it. */
  final boolean confined;

  /** The steps this parameter has taken: PyTorch's per-parameter {@code state['step']}. */
  long step;

  /** Buffers once allocated are kept: a restored snapshot may mark a slot unallocated again. */
  private final MemorySegment[] state;

  /** The rule's per-parameter numbers (ASGD's η and μ), in the rule's own order. */
  final double[] numbers;

  /** Bit k: slot k is in use. */
  private int allocated;

  /** Bit k: slot k was allocated for the step being taken, so it holds its initial value. */
  private int fresh;

  /** This parameter's own coefficients object, which {@link Optimizer} fills when needed. */
  final GradientCoefficients ownCoefficients;

  /** What the next update uses: {@link #ownCoefficients} or an equal one of the same group. */
  GradientCoefficients coefficients;

  Parameter(
      int group,
      MemorySegment value,
      MemorySegment grad,
      long[] shape,
      int stateSlots,
      int numberSlots,
      GradientCoefficients coefficients) {
    this.group = group;
    this.value = value;
    this.grad = grad;
    this.count = value.byteSize() / Float.BYTES;
    this.shape = shape;
    this.confined = confined(value) || confined(grad);
    this.state = new MemorySegment[stateSlots];
    this.numbers = new double[numberSlots];
    this.ownCoefficients = coefficients;
    this.coefficients = coefficients;
  }

  /** The coefficients of the step being taken, as the rule's own type. */
  @SuppressWarnings("unchecked")
  <C extends GradientCoefficients> C coefficients() {
    return (C) coefficients;
  }

  /** Allocates slot {@code k}, zero-filled, if it is not yet. */
  void allocate(int k, StateMemory memory) {
    allocate(k, memory, 0f);
  }

  /** Allocates slot {@code k} filled with {@code initial}, if it is not yet. */
  void allocate(int k, StateMemory memory, float initial) {
    if (!isAllocated(k)) {
      if (state[k] == null) {
        state[k] = memory.allocate(k, count * Float.BYTES, this);
      }
      if (Float.floatToRawIntBits(initial) == 0) {
        state[k].fill((byte) 0);
      } else {
        for (long i = 0; i < count; i++) {
          state[k].setAtIndex(JAVA_FLOAT, i, initial);
        }
      }
      allocated |= 1 << k;
      fresh |= 1 << k;
    }
  }

  /** Slot {@code k}, or {@link MemorySegment#NULL} where the rule has not needed it yet. */
  MemorySegment state(int k) {
    return isAllocated(k) ? state[k] : MemorySegment.NULL;
  }

  boolean isAllocated(int k) {
    return (allocated & 1 << k) != 0;
  }

  int stateSlots() {
    return state.length;
  }

  boolean isFresh(int k) {
    return (fresh & 1 << k) != 0;
  }

  /** Whether a step's coefficients computed for {@code other} hold for this parameter too. */
  boolean stepsLike(Parameter other) {
    return step == other.step && fresh == other.fresh;
  }

  /** Ends a step: every slot now holds history. */
  void stepped() {
    step++;
    fresh = 0;
  }

  /**
   * Puts back {@code copy} (its value, unless null); the slots it holds must be allocated already.
   */
  void restore(OptimizerSnapshot.ParameterCopy copy) {
    if (copy.value() != null) {
      value.copyFrom(copy.value());
    }
    for (int k = 0; k < state.length; k++) {
      if (copy.state()[k] != null) {
        state[k].copyFrom(copy.state()[k]);
      } else {
        allocated &= ~(1 << k); // the buffer stays, for the next allocate
      }
    }
    System.arraycopy(copy.numbers(), 0, numbers, 0, numbers.length);
    step = copy.step();
    fresh = 0;
  }

  /** Whether {@code s} is confined to one thread, so that only its owner may update it. */
  static boolean confined(MemorySegment s) {
    return !s.isAccessibleBy(NOT_AN_OWNER);
  }

  boolean isAlive() {
    return value.scope().isAlive() && grad.scope().isAlive();
  }

  boolean isAccessibleBy(Thread thread) {
    return value.isAccessibleBy(thread) && grad.isAccessibleBy(thread);
  }

  static boolean overlap(MemorySegment a, MemorySegment b) {
    return a.byteSize() > 0
        && b.byteSize() > 0
        && a.address() < b.address() + b.byteSize()
        && b.address() < a.address() + a.byteSize();
  }
}
