package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * AdamW's step over 1,048,576 floats cut three ways, 4,096 tensors of 256, 1,024 of 1,024 and one
 * of 1,048,576, on one thread and on {@code threads}: six optimizers in turn, so that what the cut
 * costs per tensor is measured under one load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ManyTensorsBenchmark {
  static final int TOTAL = 1 << 20;

  /** Tensor lengths of the three cuts. */
  static final int[] LENGTHS = {256, 1024, TOTAL};

  /** Nanoseconds per cut and thread count, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long tensors4096x256OneThread;
    public long tensors1024x1024OneThread;
    public long tensor1x1048576OneThread;
    public long tensors4096x256Threads;
    public long tensors1024x1024Threads;
    public long tensor1x1048576Threads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      tensors4096x256OneThread = tensors1024x1024OneThread = tensor1x1048576OneThread = 0;
      tensors4096x256Threads = tensors1024x1024Threads = tensor1x1048576Threads = calls = 0;
    }

    void add(int variant, long nanos) {
      switch (variant) {
        case 0 -> tensors4096x256OneThread += nanos;
        case 1 -> tensors1024x1024OneThread += nanos;
        case 2 -> tensor1x1048576OneThread += nanos;
        case 3 -> tensors4096x256Threads += nanos;
        case 4 -> tensors1024x1024Threads += nanos;
        default -> tensor1x1048576Threads += nanos;
      }
    }
  }

  @Param("2")
  public int threads;

  private Arena arena;
  private final AdamW[] optimizers = new AdamW[6];
  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    for (int v = 0; v < optimizers.length; v++) {
      AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
      adamW.setThreads(v < 3 ? 1 : threads);
      int length = LENGTHS[v % 3];
      for (int t = 0; t < TOTAL / length; t++) {
        MemorySegment p = arena.allocate((long) length * Float.BYTES, 64);
        MemorySegment g = arena.allocate((long) length * Float.BYTES, 64);
        Data.PARAM.fill(p);
        Data.GRAD.fill(g);
        adamW.add(p, g);
      }
      adamW.step(); // allocates the state and starts the workers
      optimizers[v] = adamW;
    }
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    for (int position = 0; position < optimizers.length; position++) {
      int v = InTurn.variant(call, position, optimizers.length);
      nanos.add(v, InTurn.nanos(optimizers[v]::step));
    }
    call++;
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (AdamW o : optimizers) {
      o.close();
    }
    arena.close();
  }
}
