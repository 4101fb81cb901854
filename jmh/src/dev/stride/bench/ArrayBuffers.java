package dev.stride.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The buffers of {@link SegmentBuffers}, same values, as the {@code float[]}s a trainer holds. */
@State(Scope.Thread)
public class ArrayBuffers {
  @Param({"1024", "16384", "100003", "262144", "4194304", "16777216"})
  public int size;

  public float[] param;
  public float[] grad;
  public float[] expAvg;
  public float[] expAvgSq;
  public float[] accDelta;

  @Setup(Level.Trial)
  public void allocate() {
    param = Data.PARAM.array(size);
    grad = Data.GRAD.array(size);
    expAvg = Data.EXP_AVG.array(size);
    expAvgSq = Data.EXP_AVG_SQ.array(size);
    accDelta = Data.ACC_DELTA.array(size);
  }
}
