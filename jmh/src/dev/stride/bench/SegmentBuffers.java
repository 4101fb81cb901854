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
 * straddles two cache lines is slower), from a shared arena as the optimizer's state is. SGD with
 * momentum uses {@link #expAvg} as its momentum buffer.
 */
@State(Scope.Thread)
public class SegmentBuffers {
  /** From L1 to DRAM for Adam's four arrays, and one size that leaves a tail for the scalar loop. */
  @Param({"1024", "16384", "100003", "262144", "4194304", "16777216"})
  public int size;

  public MemorySegment param;
  public MemorySegment grad;
  public MemorySegment expAvg;
  public MemorySegment expAvgSq;
  private Arena arena;

  @Setup(Level.Trial)
  public void allocate() {
    arena = Arena.ofShared();
    param = allocate(Data.PARAM);
    grad = allocate(Data.GRAD);
    expAvg = allocate(Data.EXP_AVG);
    expAvgSq = allocate(Data.EXP_AVG_SQ);
  }

  private MemorySegment allocate(Data data) {
    MemorySegment s = arena.allocate((long) size * Float.BYTES, 64);
    data.fill(s);
    return s;
  }

  @TearDown(Level.Trial)
  public void free() {
    arena.close();
  }
}
