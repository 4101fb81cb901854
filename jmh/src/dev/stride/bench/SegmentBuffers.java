package dev.stride.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Adam-shaped buffers as the kernels get them: native, from a shared arena as the optimizer's state
 * is. The other rules use Adam's by role: {@link #expAvg} as SGD's momentum buffer, Adamax's first
 * moment, ASGD's average and Rprop's previous gradients; {@link #expAvgSq} as every mean or sum of
 * squares, Adamax's infinity norm and Rprop's step sizes (all ≥ 0); {@link #accDelta} is Adadelta's
 * second mean of squares.
 *
 * <p>Where the buffers start within a 4 KiB page matters out of cache: separate large allocations
 * all start at the same offset (malloc maps them page by page), and Adam over four such buffers ran
 * about 20 % slower at 4M-16M elements than over buffers a quarter page apart (4K aliasing between
 * the loads of one buffer and the stores of another). Buffer k starts k/4 of a page in (the fifth
 * an eighth), as the optimizer staggers its state.
 */
final class SegmentBuffers implements AutoCloseable {
  private static final long PAGE = 4096;

  final int size;
  final MemorySegment param;
  final MemorySegment grad;
  final MemorySegment expAvg;
  final MemorySegment expAvgSq;
  final MemorySegment accDelta;
  private final Arena arena = Arena.ofShared();

  SegmentBuffers(int size) {
    this.size = size;
    param = allocate(Data.PARAM, 0);
    grad = allocate(Data.GRAD, 1);
    expAvg = allocate(Data.EXP_AVG, 2);
    expAvgSq = allocate(Data.EXP_AVG_SQ, 3);
    accDelta = allocate(Data.ACC_DELTA, 4);
  }

  private MemorySegment allocate(Data data, int k) {
    long bytes = (long) size * Float.BYTES;
    long offset = k % 4 * PAGE / 4 + k / 4 * PAGE / 8;
    MemorySegment s = arena.allocate(bytes + offset, PAGE).asSlice(offset, bytes);
    data.fill(s);
    return s;
  }

  @Override
  public void close() {
    arena.close();
  }
}
