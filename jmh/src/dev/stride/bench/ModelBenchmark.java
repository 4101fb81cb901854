package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.AllReduce;
import dev.stride.optim.Kernels;
import dev.stride.optim.ParameterSlab;
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
 * on {@code threads}; and on {@code threads} as one tensor of as many floats, as the tensors of a
 * {@link ParameterSlab}, and as the first shard of that slab cut in 2 and in 8 (one rank's step of
 * a data-parallel run, its time against the whole slab's divided by the ranks).
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
    public long oneTensorThreads;
    public long slabThreads;
    public long shardOf2Threads;
    public long shardOf8Threads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThread = threads = limitThreads = calls = 0;
      oneTensorThreads = slabThreads = shardOf2Threads = shardOf8Threads = 0;
    }

    void add(int variant, long nanos) {
      switch (variant) {
        case 0 -> oneThread += nanos;
        case 1 -> threads += nanos;
        case 2 -> limitThreads += nanos;
        case 3 -> oneTensorThreads += nanos;
        case 4 -> slabThreads += nanos;
        case 5 -> shardOf2Threads += nanos;
        default -> shardOf8Threads += nanos;
      }
    }
  }

  @Param("2")
  public int threads;

  private Arena arena;

  /** The ranks of the sharded rows. */
  static final int[] SHARDS = {2, 8};

  private AdamW single;
  private AdamW parallel;
  private AdamW oneTensor;
  private AdamW inSlab;
  private final AdamW[] shards = new AdamW[SHARDS.length];
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
    oneTensor = withParameters(List.of(elements(shapes)), threads);
    ParameterSlab.Builder b = ParameterSlab.builder().shardable(SHARDS[1]);
    for (int t = 0; t < shapes.size(); t++) {
      b.tensor("t" + t, shapes.get(t));
    }
    ParameterSlab slab = b.allocate(arena);
    Data.PARAM.fill(slab.values());
    Data.GRAD.fill(slab.grads());
    inSlab = ready(new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR), threads, slab, null);
    for (int i = 0; i < SHARDS.length; i++) {
      // rank 0's optimizer; AdamW without clipping never all-reduces, so it needs no other rank
      shards[i] =
          ready(
              new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR),
              threads,
              slab,
              slab.shard(0, SHARDS[i]));
    }
    variants =
        new Runnable[] {
          single::step,
          parallel::step,
          () -> loop.run(limit.size, limit::run),
          oneTensor::step,
          inSlab::step,
          shards[0]::step,
          shards[1]::step
        };
  }

  private static AdamW ready(
      AdamW adamW, int threads, ParameterSlab slab, ParameterSlab.Shard shard) {
    adamW.setThreads(threads);
    if (shard != null) {
      adamW.setShard(shard, AllReduce.inProcess(1).getFirst());
    }
    adamW.add(slab);
    adamW.step(); // allocates the state and starts the workers
    return adamW;
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
      nanos.add(v, InTurn.nanos(variants[v]));
    }
    call++;
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    single.close();
    parallel.close();
    oneTensor.close();
    inSlab.close();
    for (AdamW shard : shards) {
      shard.close();
    }
    loop.close();
    limit.close();
    arena.close();
  }
}
