package dev.stride.bench;

import dev.stride.optim.Adafactor;
import dev.stride.optim.AdafactorOptions;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.AllReduce;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Kernels;
import dev.stride.optim.ParameterSlab;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
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
 * AdamW's and PyTorch's Adafactor's steps over GPT-2 small's 148 parameter tensors (124,439,808
 * floats: token and position embeddings, 12 blocks of attention, MLP and two layer norms, a final
 * layer norm), on one thread and on {@code threads}, in turn with the memory-only kernels of their
 * bytes over as many floats on {@code threads}: Adam's one pass of 28 bytes, Adafactor's three of
 * 24. Adafactor steps the parameters AdamW steps, registered with their shapes. AdamW also on
 * {@code threads} as one tensor of as many floats, as the tensors of a {@link ParameterSlab}, and
 * as the first shard of that slab cut in 2 and in 8 (one rank's step of a data-parallel run, its
 * time against the whole slab's divided by the ranks).
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
    public long adafactorOneThread;
    public long adafactorThreads;
    public long adafactorLimitThreads;
    public long oneTensorThreads;
    public long slabThreads;
    public long shardOf2Threads;
    public long shardOf8Threads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThread = threads = limitThreads = calls = 0;
      adafactorOneThread = adafactorThreads = adafactorLimitThreads = 0;
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
        case 6 -> shardOf8Threads += nanos;
        case 7 -> adafactorOneThread += nanos;
        case 8 -> adafactorThreads += nanos;
        default -> adafactorLimitThreads += nanos;
      }
    }
  }

  @Param("2")
  public int threads;

  /** PyTorch's defaults, with AdamW's weight decay. */
  static final AdafactorOptions ADAFACTOR =
      AdafactorOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY);

  private Arena arena;

  /** The ranks of the sharded rows. */
  static final int[] SHARDS = {2, 8};

  private AdamW single;
  private AdamW parallel;
  private Adafactor adafactorSingle;
  private Adafactor adafactorParallel;
  private AdamW oneTensor;
  private AdamW inSlab;
  private final AdamW[] shards = new AdamW[SHARDS.length];
  private MemoryLimit limit;
  private MemoryLimit adafactorLimit;
  private ParallelLoop loop;
  private Runnable[] variants;
  private long call;

  /**
   * GPT-2 small's parameter shapes, as Hugging Face's {@code GPT2Model} holds them (the Conv1D
   * weights as [in, out]; the output layer is tied to wte).
   */
  static List<long[]> gpt2SmallShapes() {
    long d = 768;
    List<long[]> shapes = new ArrayList<>(List.of(new long[] {50257, d}, new long[] {1024, d}));
    for (int block = 0; block < 12; block++) {
      shapes.addAll(
          List.of(
              new long[] {d},
              new long[] {d}, // ln_1
              new long[] {d, 3 * d},
              new long[] {3 * d}, // attention c_attn
              new long[] {d, d},
              new long[] {d}, // attention c_proj
              new long[] {d},
              new long[] {d}, // ln_2
              new long[] {d, 4 * d},
              new long[] {4 * d}, // MLP c_fc
              new long[] {4 * d, d},
              new long[] {d})); // MLP c_proj
    }
    shapes.addAll(List.of(new long[] {d}, new long[] {d})); // ln_f
    return shapes;
  }

  /** GPT-2 small's parameter shapes as elements per tensor. */
  static List<Long> gpt2Small() {
    return gpt2SmallShapes().stream()
        .map(s -> Arrays.stream(s).reduce(1, Math::multiplyExact))
        .toList();
  }

  /**
   * The bytes of state {@code rule} keeps with {@code h} for parameters of {@code shapes}: its
   * buffers' shapes, float32 (the optimizer's alignment padding aside).
   */
  static <H extends Hyperparameters<H>> long stateBytes(
      dev.stride.optim.Rule<H> rule, H h, List<long[]> shapes) {
    long bytes = 0;
    for (long[] shape : shapes) {
      for (String key : rule.buffersFor(h, shape)) {
        bytes +=
            Float.BYTES * Arrays.stream(rule.stateShape(key, shape)).reduce(1, Math::multiplyExact);
      }
    }
    return bytes;
  }

  static long elements(List<Long> shapes) {
    return shapes.stream().mapToLong(Long::longValue).sum();
  }

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    List<long[]> shapes = gpt2SmallShapes();
    single = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
    adafactorSingle = new Adafactor(ADAFACTOR, Kernels.VECTOR);
    withParameters(shapes, 1, single, adafactorSingle);
    parallel = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
    adafactorParallel = new Adafactor(ADAFACTOR, Kernels.VECTOR);
    withParameters(shapes, threads, parallel, adafactorParallel);
    long n = elements(gpt2Small());
    limit = new MemoryLimit(n, 2);
    adafactorLimit = MemoryLimit.adafactor(n);
    loop = new ParallelLoop(threads);
    oneTensor = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
    oneTensor.setThreads(threads);
    MemorySegment p = arena.allocate(n * Float.BYTES, 64);
    MemorySegment g = arena.allocate(n * Float.BYTES, 64);
    Data.PARAM.fill(p);
    Data.GRAD.fill(g);
    oneTensor.add(p, g);
    oneTensor.step();
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
          shards[1]::step,
          adafactorSingle::step,
          adafactorParallel::step,
          () -> loop.run(adafactorLimit.size, adafactorLimit::run)
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

  /** The same parameters in both optimizers, each on {@code threads}. */
  private void withParameters(List<long[]> shapes, int threads, AdamW adamW, Adafactor adafactor) {
    adamW.setThreads(threads);
    adafactor.setThreads(threads);
    for (long[] shape : shapes) {
      long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
      MemorySegment p = arena.allocate(n * Float.BYTES, 64);
      MemorySegment g = arena.allocate(n * Float.BYTES, 64);
      Data.PARAM.fill(p);
      Data.GRAD.fill(g);
      adamW.add(p, g);
      adafactor.group(0).add(p, g, shape);
    }
    adamW.step(); // allocates the state and starts the workers
    adafactor.step();
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
    adafactorSingle.close();
    adafactorParallel.close();
    oneTensor.close();
    inSlab.close();
    for (AdamW shard : shards) {
      shard.close();
    }
    loop.close();
    limit.close();
    adafactorLimit.close();
    arena.close();
  }
}
