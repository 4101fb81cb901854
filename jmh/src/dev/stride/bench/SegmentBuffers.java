package dev.stride.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Adam-shaped buffers as the kernels get them: native, 64-byte aligned (a vector load that
 * straddles two cache lines is slower), from a shared arena as the optimizer's state is. The
 * other rules use Adam's by role: {@link #expAvg} as SGD's momentum buffer and Adamax's first
 * moment, {@link #expAvgSq} as every mean or sum of squares and Adamax's infinity norm;
 * {@link #accDelta} is Adadelta's second mean of squares.
 *
 * <p>Where the buffers start within a 4 KiB page matters out of cache: separate large
 * allocations all start at the same offset (malloc maps them page by page), and Adam over four
 * such buffers ran about 20 % slower at 4M-16M elements than over buffers a quarter page apart
 * (4K aliasing between the loads of one buffer and the stores of another). {@link Layout} picks.
 */
@State(Scope.Thread)
public class SegmentBuffers {
  /** From L1 to DRAM for Adam's four arrays, and one size that leaves the scalar loop a tail. */
  @Param({"1024", "16384", "100003", "262144", "4194304", "16777216"})
  public int size;

  public enum Layout {
    /** Buffer k starts k/4 of a page in (the fifth 1/8): what the table measures. */
    STAGGERED,
    /** Every buffer starts on a page, as separate large {@code arena.allocate} calls give. */
    PAGE_ALIGNED
  }

  private static final long PAGE = 4096;

  @Param("STAGGERED")
  public Layout layout;

  public MemorySegment param;
  public MemorySegment grad;
  public MemorySegment expAvg;
  public MemorySegment expAvgSq;
  public MemorySegment accDelta;
  private Arena arena;

  @Setup(Level.Trial)
  public void allocate() {
    arena = Arena.ofShared();
    param = allocate(Data.PARAM, 0);
    grad = allocate(Data.GRAD, 1);
    expAvg = allocate(Data.EXP_AVG, 2);
    expAvgSq = allocate(Data.EXP_AVG_SQ, 3);
    accDelta = allocate(Data.ACC_DELTA, 4);
  }

  private MemorySegment allocate(Data data, int k) {
    long bytes = (long) size * Float.BYTES;
    // a fifth buffer goes an eighth of a page past the first, away from the other four
    long offset = layout == Layout.STAGGERED ? k % 4 * PAGE / 4 + k / 4 * PAGE / 8 : 0;
    MemorySegment s = arena.allocate(bytes + offset, PAGE).asSlice(offset, bytes);
    data.fill(s);
    return s;
  }

  @TearDown(Level.Trial)
  public void free() {
    arena.close();
  }
}
