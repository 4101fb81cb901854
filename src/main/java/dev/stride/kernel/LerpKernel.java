package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Moves {@code self} toward {@code end} by a fixed fraction w, elementwise:
 *
 * <pre>
 *   self = self + w·(end − self)
 * </pre>
 *
 * Schedule-Free's switch between its two points: from y to x (w = 1 − 1/β) and back (w = 1 − β),
 * with {@code end} its z sequence.
 */
public interface LerpKernel {

  void lerp(MemorySegment self, MemorySegment end, float weight, long offset, long count);
}
