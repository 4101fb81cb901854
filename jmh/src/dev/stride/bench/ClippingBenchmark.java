package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Clipping;
import dev.stride.optim.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * What clipping and the non-finite guard add to a step, over one tensor of {@code size} floats on
 * {@code threads}, in turn: AdamW alone, AdamW clipped by the 2-norm, AdamW clipped and guarded,
 * the gradient norm alone ({@code gradientNorms(2)}), and the read-only limit: a sum over the
 * gradients, 4 bytes per element, on as many threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ClippingBenchmark {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /** Nanoseconds in each variant, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long adamW;
    public long clipped;
    public long clippedGuarded;
    public long norm;
    public long readLimit;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      adamW = clipped = clippedGuarded = norm = readLimit = calls = 0;
    }
  }

  @Param("16777216")
  public int size;

  @Param("2")
  public int threads;

  private Arena arena;
  private final AdamW[] optimizers = new AdamW[3];
  private MemorySegment grad;
  private ParallelLoop loop;
  private Runnable[] variants;
  private long call;

  /** Where the sum goes, so that it is not optimized away. */
  private volatile float sink;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    for (int v = 0; v < optimizers.length; v++) {
      AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
      adamW.setThreads(threads);
      MemorySegment p = arena.allocate((long) size * Float.BYTES, 4096);
      MemorySegment g = arena.allocate((long) size * Float.BYTES + 1024, 4096).asSlice(1024);
      Data.PARAM.fill(p);
      Data.GRAD.fill(g);
      adamW.add(p, g);
      if (v > 0) {
        adamW.setClipping(Clipping.byNorm(1));
      }
      adamW.setSkipNonFinite(v == 2);
      adamW.step();
      optimizers[v] = adamW;
      grad = g;
    }
    loop = new ParallelLoop(threads);
    variants =
        new Runnable[] {
          optimizers[0]::step,
          optimizers[1]::step,
          optimizers[2]::step,
          () -> optimizers[0].gradientNorms(2),
          () -> loop.run(size, this::sum)
        };
  }

  private void sum(long from, long to) {
    FloatVector acc = FloatVector.zero(F);
    long i = from;
    for (long bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
      acc =
          acc.add(FloatVector.fromMemorySegment(F, grad, i * Float.BYTES, ByteOrder.nativeOrder()));
    }
    sink = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    for (int position = 0; position < variants.length; position++) {
      int v = InTurn.variant(call, position, variants.length);
      long t = InTurn.nanos(variants[v]);
      switch (v) {
        case 0 -> nanos.adamW += t;
        case 1 -> nanos.clipped += t;
        case 2 -> nanos.clippedGuarded += t;
        case 3 -> nanos.norm += t;
        default -> nanos.readLimit += t;
      }
    }
    call++;
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (AdamW o : optimizers) {
      o.close();
    }
    loop.close();
    arena.close();
  }
}
