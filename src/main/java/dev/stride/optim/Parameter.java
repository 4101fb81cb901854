package dev.stride.optim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One registered parameter: its value and gradient, the rule's state for it, its step count. */
final class Parameter {
  /** State buffers start on a cache line: a vector load that straddles two is slower. */
  static final long STATE_ALIGNMENT = 64;
  private static final long PAGE = 4096;
  /**
   * From this size on, state buffers start a quarter page apart from each other and from the
   * value: large allocations all start at the same offset in a page, and Adam over buffers that
   * do ran about 20 % slower out of cache (4K aliasing; BENCHMARKS.md). The page this costs is
   * nothing next to a buffer this size.
   */
  private static final long STAGGER_FROM_BYTES = 1 << 20;

  final MemorySegment value;
  final MemorySegment grad;
  final long count;
  /** The steps this parameter has taken: PyTorch's per-parameter {@code state['step']}. */
  long step;
  /** Buffers once allocated are kept: a restored snapshot may mark a slot unallocated again. */
  private final MemorySegment[] state;
  /** Bit k: slot k is in use. */
  private int allocated;
  /** Bit k: slot k was allocated for the step being taken, so it holds zeros, not history. */
  private int fresh;

  Parameter(MemorySegment value, MemorySegment grad, int stateSlots) {
    this.value = value;
    this.grad = grad;
    this.count = value.byteSize() / Float.BYTES;
    this.state = new MemorySegment[stateSlots];
  }

  /** Allocates slot {@code k}, zero-filled, if it is not yet. */
  void allocate(int k, Arena arena) {
    if (!isAllocated(k)) {
      long bytes = count * Float.BYTES;
      if (state[k] != null) {
        state[k].fill((byte) 0);
      } else if (bytes < STAGGER_FROM_BYTES) {
        state[k] = arena.allocate(bytes, STATE_ALIGNMENT);
      } else {
        long inPage = ((value.address() & -STATE_ALIGNMENT) + (k + 1) * PAGE / 4) % PAGE;
        state[k] = arena.allocate(bytes + PAGE, PAGE).asSlice(inPage, bytes);
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

  /** Ends a step: every slot now holds history. */
  void stepped() {
    step++;
    fresh = 0;
  }

  /** Puts back {@code copy}; the slots it holds must be allocated already. */
  void restore(OptimizerSnapshot.ParameterCopy copy) {
    value.copyFrom(copy.value());
    for (int k = 0; k < state.length; k++) {
      if (copy.state()[k] != null) {
        state[k].copyFrom(copy.state()[k]);
      } else {
        allocated &= ~(1 << k); // the buffer stays, for the next allocate
      }
    }
    step = copy.step();
    fresh = 0;
  }

  boolean isAlive() {
    return value.scope().isAlive() && grad.scope().isAlive();
  }

  boolean isAccessibleBy(Thread thread) {
    return value.isAccessibleBy(thread) && grad.isAccessibleBy(thread);
  }

  /** Whether {@code other} shares memory with this parameter's value or gradient. */
  boolean overlaps(MemorySegment other) {
    return overlap(value, other) || overlap(grad, other);
  }

  static boolean overlap(MemorySegment a, MemorySegment b) {
    return a.byteSize() > 0 && b.byteSize() > 0
        && a.address() < b.address() + b.byteSize() && b.address() < a.address() + a.byteSize();
  }
}
