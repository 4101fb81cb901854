package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Kernels;
import dev.stride.optim.ParameterSlab;
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
 * of 1,048,576, each tensor allocated on its own, and the first two cuts again as the tensors of a
 * {@link ParameterSlab}; on one thread and on {@code threads}: ten optimizers in turn, so that what
 * the cut costs per tensor, and what a slab saves of it, is measured under one load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ManyTensorsBenchmark {
  static final int TOTAL = 1 << 20;

  /** Tensor lengths of the five layouts; the last two in a slab. */
  static final int[] LENGTHS = {256, 1024, TOTAL, 256, 1024};

  static final int LAYOUTS = LENGTHS.length;

  /** Nanoseconds per layout and thread count, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long tensors4096x256OneThread;
    public long tensors1024x1024OneThread;
    public long tensor1x1048576OneThread;
    public long slab4096x256OneThread;
    public long slab1024x1024OneThread;
    public long tensors4096x256Threads;
    public long tensors1024x1024Threads;
    public long tensor1x1048576Threads;
    public long slab4096x256Threads;
    public long slab1024x1024Threads;
    public long calls;

    /**
     * Bytes allocated by every thread during the steps: JMH's profiler, whose own allocation per
     * iteration is shared out among these few long calls, cannot show 0 B here.
     */
    public long stepBytes;

    @Setup(Level.Iteration)
    public void reset() {
      tensors4096x256OneThread = tensors1024x1024OneThread = tensor1x1048576OneThread = 0;
      slab4096x256OneThread = slab1024x1024OneThread = 0;
      tensors4096x256Threads = tensors1024x1024Threads = tensor1x1048576Threads = 0;
      slab4096x256Threads = slab1024x1024Threads = calls = stepBytes = 0;
    }

    void add(int variant, long nanos) {
      switch (variant) {
        case 0 -> tensors4096x256OneThread += nanos;
        case 1 -> tensors1024x1024OneThread += nanos;
        case 2 -> tensor1x1048576OneThread += nanos;
        case 3 -> slab4096x256OneThread += nanos;
        case 4 -> slab1024x1024OneThread += nanos;
        case 5 -> tensors4096x256Threads += nanos;
        case 6 -> tensors1024x1024Threads += nanos;
        case 7 -> tensor1x1048576Threads += nanos;
        case 8 -> slab4096x256Threads += nanos;
        default -> slab1024x1024Threads += nanos;
      }
    }
  }

  private static final com.sun.management.ThreadMXBean ALLOCATION =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  @Param("2")
  public int threads;

  private Arena arena;
  private final AdamW[] optimizers = new AdamW[2 * LAYOUTS];

  /** Their steps, made once: a method reference made per call would allocate in the timed loop. */
  private final Runnable[] steps = new Runnable[2 * LAYOUTS];

  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    for (int v = 0; v < optimizers.length; v++) {
      AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
      adamW.setThreads(v < LAYOUTS ? 1 : threads);
      int layout = v % LAYOUTS;
      int length = LENGTHS[layout];
      if (layout < 3) {
        for (int t = 0; t < TOTAL / length; t++) {
          MemorySegment p = arena.allocate((long) length * Float.BYTES, 64);
          MemorySegment g = arena.allocate((long) length * Float.BYTES, 64);
          Data.PARAM.fill(p);
          Data.GRAD.fill(g);
          adamW.add(p, g);
        }
      } else {
        ParameterSlab slab = slab(TOTAL / length, length, arena);
        Data.PARAM.fill(slab.values());
        Data.GRAD.fill(slab.grads());
        adamW.add(slab);
      }
      adamW.step(); // allocates the state and starts the workers
      optimizers[v] = adamW;
      steps[v] = adamW::step;
    }
  }

  /** A slab of {@code tensors} tensors of {@code length} floats. */
  static ParameterSlab slab(int tensors, long length, Arena arena) {
    ParameterSlab.Builder b = ParameterSlab.builder();
    for (int t = 0; t < tensors; t++) {
      b.tensor("t" + t, length);
    }
    return b.allocate(arena);
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    long allocated = ALLOCATION.getTotalThreadAllocatedBytes();
    for (int position = 0; position < optimizers.length; position++) {
      int v = InTurn.variant(call, position, optimizers.length);
      nanos.add(v, InTurn.nanos(steps[v]));
    }
    nanos.stepBytes += ALLOCATION.getTotalThreadAllocatedBytes() - allocated;
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
