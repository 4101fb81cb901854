package dev.stride.optim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where an optimizer's state buffers come from. Small ones are cut one after another from a slab
 * per state slot, so that the state of consecutive small tensors is contiguous: a step over 4,096
 * tensors of 256 floats then streams through memory as over one tensor, where separately allocated
 * kilobyte buffers cost about 110 ns per tensor in cache misses (BENCHMARKS.md). From {@link
 * #STAGGER_FROM_BYTES} on, buffers start a quarter page apart from each other and from the value:
 * large allocations all start at the same offset in a page, and Adam over buffers that do ran about
 * 20 % slower out of cache (4K aliasing). The memory lives as long as the arena.
 */
final class StateMemory {
  /** State buffers start on a cache line: a vector load that straddles two is slower. */
  static final long ALIGNMENT = 64;

  /**
   * Slot numbers from here on are the block scales of slot k − {@value}: their own slab series, so
   * that the scales of consecutive small tensors are contiguous too.
   */
  static final int SCALE_SLOTS = 32;

  private static final long PAGE = 4096;
  private static final long STAGGER_FROM_BYTES = 1 << 20;

  /** Buffers below this size come from a slab. */
  private static final long SLAB_FROM_BYTES = 1 << 16;

  private static final long SLAB_BYTES = 1 << 20;

  private final Arena arena;

  /** Per slot: the slab small buffers are cut from, and how much of it is used. */
  private MemorySegment[] slabs = new MemorySegment[0];

  private long[] used = new long[0];

  StateMemory(Arena arena) {
    this.arena = arena;
  }

  /** A zero-filled buffer of {@code bytes} for state slot {@code slot} of {@code p}. */
  MemorySegment allocate(int slot, long bytes, Parameter p) {
    if (bytes >= STAGGER_FROM_BYTES) {
      long inPage = ((p.value.address() & -ALIGNMENT) + (slot + 1) * PAGE / 4) % PAGE;
      return arena.allocate(bytes + PAGE, PAGE).asSlice(inPage, bytes);
    }
    if (bytes >= SLAB_FROM_BYTES || bytes == 0) {
      return arena.allocate(bytes, ALIGNMENT);
    }
    if (slot >= slabs.length) {
      slabs = java.util.Arrays.copyOf(slabs, slot + 1);
      used = java.util.Arrays.copyOf(used, slot + 1);
    }
    long size = (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    if (slabs[slot] == null || used[slot] + size > SLAB_BYTES) {
      // a quarter page further in per slot, so that the slots' streams do not alias either
      slabs[slot] =
          arena.allocate(SLAB_BYTES + PAGE, PAGE).asSlice((slot + 1) * PAGE / 4 % PAGE, SLAB_BYTES);
      used[slot] = 0;
    }
    MemorySegment buffer = slabs[slot].asSlice(used[slot], bytes);
    used[slot] += size;
    return buffer;
  }
}
