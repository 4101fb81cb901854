package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.StateBuffer;
import dev.stride.kernel.StateFormat;
import java.lang.foreign.MemorySegment;

/**
 * One registered parameter: its value (float32, or bfloat16) and float32 gradient, the rule's state
 * for it (buffers, each in its format, and per-parameter numbers), its step count, and the
 * coefficients its next chunks are updated with. Slot k &lt; the rule's buffer count is the rule's
 * buffer k; the last slot is the float32 master copy of a bfloat16 parameter that keeps one.
 *
 * <p>A tensor of a {@link ParameterSlab} is one too, with views of the slab for its value and
 * gradient and slices of its {@link SlabRange}'s buffers for its state; in a sharded optimizer it
 * is the tensor's part in the shard (maybe empty). The range's span, which steps a run of such
 * tensors as one, is one as well, whose {@link #members} are the tensors.
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

  /** Whether the value is bfloat16, two bytes an element. */
  final boolean bf16;

  final long count;

  /** The shape the caller registered it with, row-major; {@code [count]} unless told. */
  final long[] shape;

  /** Confined to its owner thread: only the thread that calls step may update it. */
  final boolean confined;

  /**
   * Where its element 0 sits on the step's chunk grid: chunks end where element {@code gridPhase +
   * i} is a multiple of {@link StepPlan#CHUNK}. 0 off a slab, where a tensor's chunks start at its
   * start; a slab's offset modulo the chunk there, so that a shard cuts a tensor as the whole slab
   * does.
   */
  final int gridPhase;

  /** The slab tensor it is (a part of), or null. */
  final ParameterSlab.Tensor tensor;

  /** Its element 0's position in {@link #tensor}: not 0 for a part that starts in a shard. */
  final long tensorOffset;

  /** The range whose buffers its state is cut from, or null. */
  final SlabRange range;

  /** The tensors a span steps as one, or null for a tensor. */
  final Parameter[] members;

  /** Its position among every group's parameters in order, as checkpoints number them. */
  int index;

  /** What a step's chunks of this parameter are a multiple of: its quantized state's block. */
  int chunkAlignment = 1;

  /**
   * Its position among the tensors whose parts other ranks step too, whose sums are all-reduced; -1
   * for a tensor this rank steps whole.
   */
  int straddle = -1;

  /** The steps this parameter has taken: PyTorch's per-parameter {@code state['step']}. */
  long step;

  /** Buffers once allocated are kept: a restored snapshot may mark a slot unallocated again. */
  private final StateBuffer[] state;

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
      boolean bf16,
      int stateSlots,
      int numberSlots,
      GradientCoefficients coefficients) {
    this(
        group,
        value,
        grad,
        shape,
        bf16,
        stateSlots,
        numberSlots,
        coefficients,
        0,
        null,
        0,
        null,
        null);
  }

  /** A slab's tensor or a part of it ({@code members} null), or a range's span: float32. */
  Parameter(
      int group,
      MemorySegment value,
      MemorySegment grad,
      long[] shape,
      boolean bf16,
      int stateSlots,
      int numberSlots,
      GradientCoefficients coefficients,
      int gridPhase,
      ParameterSlab.Tensor tensor,
      long tensorOffset,
      SlabRange range,
      Parameter[] members) {
    this.group = group;
    this.value = value;
    this.grad = grad;
    this.bf16 = bf16;
    this.count = grad.byteSize() / Float.BYTES;
    this.shape = shape;
    this.confined = confined(value) || confined(grad);
    this.gridPhase = gridPhase;
    this.tensor = tensor;
    this.tensorOffset = tensorOffset;
    this.range = range;
    this.members = members;
    this.state = new StateBuffer[stateSlots + 1];
    this.numbers = new double[numberSlots];
    this.ownCoefficients = coefficients;
    this.coefficients = coefficients;
  }

  /** The coefficients of the step being taken, as the rule's own type. */
  @SuppressWarnings("unchecked")
  <C extends GradientCoefficients> C coefficients() {
    return (C) coefficients;
  }

  /**
   * Allocates slot {@code k} in {@code format} (with block scales of {@code block} elements, if
   * quantized), filled with {@code initial} (0 for any format but float32), if it is not yet: a
   * span's for its members too. A buffer allocated before in the same format is reused. A slab
   * tensor's buffer is a float32 slice of its range's, which the first to need it allocates for
   * all.
   */
  void allocate(int k, StateMemory memory, float initial, StateFormat format, int block) {
    if (!isAllocated(k)) {
      StateBuffer b = state[k];
      if (range != null) {
        if (b == null) {
          range.allocateSlot(k, memory);
          b = state[k];
        }
      } else if (b == null || b.format != format || (format.quantized() && b.block != block)) {
        long scales = format.scaleCount(count, block);
        b =
            new StateBuffer(
                format,
                memory.allocate(k, format.valueBytes(count), this),
                scales == 0
                    ? MemorySegment.NULL
                    : memory.allocate(k + StateMemory.SCALE_SLOTS, scales * Float.BYTES, this),
                block,
                count);
        state[k] = b;
      }
      if (Float.floatToRawIntBits(initial) == 0) {
        b.values.fill((byte) 0);
        if (b.scales != MemorySegment.NULL) {
          b.scales.fill((byte) 0);
        }
      } else if (b.format == StateFormat.F32) {
        for (long i = 0; i < count; i++) {
          b.values.setAtIndex(JAVA_FLOAT, i, initial);
        }
      } else {
        throw new IllegalStateException(b.format + " state cannot start at " + initial);
      }
      allocated |= 1 << k;
      fresh |= 1 << k;
      if (members != null) {
        for (Parameter m : members) {
          m.allocated |= 1 << k;
          m.fresh |= 1 << k;
        }
      }
    }
  }

  /** Sets slot {@code k}'s buffer, a slice of its range's, leaving it unallocated. */
  void setBuffer(int k, MemorySegment buffer) {
    state[k] = new StateBuffer(StateFormat.F32, buffer, MemorySegment.NULL, 1, count);
  }

  /** Whether it steps as {@code other} does: the same step, slots and per-parameter numbers. */
  boolean sameStateAs(Parameter other) {
    return step == other.step
        && allocated == other.allocated
        && fresh == other.fresh
        && java.util.Arrays.equals(numbers, other.numbers);
  }

  /** A span takes its members' step, slots and numbers, which are all alike. */
  void takeStateOf(Parameter member) {
    step = member.step;
    allocated = member.allocated;
    fresh = member.fresh;
    System.arraycopy(member.numbers, 0, numbers, 0, numbers.length);
  }

  /** A span gives its numbers, just advanced for the step, to its members. */
  void shareNumbers() {
    if (members != null && numbers.length > 0) {
      for (Parameter m : members) {
        System.arraycopy(numbers, 0, m.numbers, 0, numbers.length);
      }
    }
  }

  /**
   * Slot {@code k}'s values or codes, or {@link MemorySegment#NULL} where the rule has not needed
   * it yet.
   */
  MemorySegment state(int k) {
    return isAllocated(k) ? state[k].values : MemorySegment.NULL;
  }

  /** Slot {@code k} with its format and scales, or null where it is not allocated. */
  StateBuffer buffer(int k) {
    return isAllocated(k) ? state[k] : null;
  }

  /** The slot of the float32 master copy of a bfloat16 parameter. */
  int masterSlot() {
    return state.length - 1;
  }

  /** Whether any slot is allocated or a step was taken: the state a precision change would lose. */
  boolean hasState() {
    return allocated != 0 || step > 0;
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

  /** Ends a step: every slot now holds history; a span's members have stepped too. */
  void stepped() {
    step++;
    fresh = 0;
    if (members != null) {
      for (Parameter m : members) {
        m.step++;
        m.fresh = 0;
      }
    }
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
        state[k].values.copyFrom(copy.state()[k]);
        if (copy.scales()[k] != null) {
          state[k].scales.copyFrom(copy.scales()[k]);
        }
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
