package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Kernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
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
 * AdamW's step over GPT-2 small's 148 parameter tensors (124,439,808 floats: token and position
 * embeddings, 12 blocks of attention, MLP and two layer norms, a final layer norm), on one thread
 * and on {@code threads}, in turn with the memory-only kernel of Adam's bytes over as many floats
 * on {@code threads}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ModelBenchmark {

  /** Nanoseconds in each variant, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long oneThread;
    public long threads;
    public long limitThreads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThread = threads = limitThreads = calls = 0;
    }
  }

  @Param("2")
  public int threads;

  private Arena arena;
  private AdamW single;
  private AdamW parallel;
  private MemoryLimit limit;
  private ParallelLoop loop;
  private Runnable[] variants;
  private long call;

  /** GPT-2 small's parameter shapes, as elements per tensor (the output layer is tied to wte). */
  static List<Long> gpt2Small() {
    int d = 768;
    List<Long> shapes = new ArrayList<>(List.of(50257L * d, 1024L * d));
    for (int block = 0; block < 12; block++) {
      shapes.addAll(
          List.of(
              (long) d,
              (long) d, // ln_1
              (long) d * 3 * d,
              3L * d, // attention c_attn
              (long) d * d,
              (long) d, // attention c_proj
              (long) d,
              (long) d, // ln_2
              (long) d * 4 * d,
              4L * d, // MLP c_fc
              4L * d * d,
              (long) d)); // MLP c_proj
    }
    shapes.addAll(List.of((long) d, (long) d)); // ln_f
    return shapes;
  }

  static long elements(List<Long> shapes) {
    return shapes.stream().mapToLong(Long::longValue).sum();
  }

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    List<Long> shapes = gpt2Small();
    single = withParameters(shapes, 1);
    parallel = withParameters(shapes, threads);
    limit = new MemoryLimit(elements(shapes), 2);
    loop = new ParallelLoop(threads);
    variants =
        new Runnable[] {single::step, parallel::step, () -> loop.run(limit.size, limit::run)};
  }

  private AdamW withParameters(List<Long> shapes, int threads) {
    AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
    adamW.setThreads(threads);
    for (long n : shapes) {
      MemorySegment p = arena.allocate(n * Float.BYTES, 64);
      MemorySegment g = arena.allocate(n * Float.BYTES, 64);
      Data.PARAM.fill(p);
      Data.GRAD.fill(g);
      adamW.add(p, g);
    }
    adamW.step(); // allocates the state and starts the workers
    return adamW;
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    for (int position = 0; position < variants.length; position++) {
      int v = InTurn.variant(call, position, variants.length);
      long t = InTurn.nanos(variants[v]);
      switch (v) {
        case 0 -> nanos.oneThread += t;
        case 1 -> nanos.threads += t;
        default -> nanos.limitThreads += t;
      }
    }
    call++;
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    single.close();
    parallel.close();
    loop.close();
    limit.close();
    arena.close();
  }
}
