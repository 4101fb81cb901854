package dev.stride.bench;

import dev.stride.optim.Adafactor;
import dev.stride.optim.AdafactorOptions;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Kernels;
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
 * 24. Adafactor steps the parameters AdamW steps, registered with their shapes.
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
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThread = threads = limitThreads = calls = 0;
      adafactorOneThread = adafactorThreads = adafactorLimitThreads = 0;
    }
  }

  @Param("2")
  public int threads;

  /** PyTorch's defaults, with AdamW's weight decay. */
  static final AdafactorOptions ADAFACTOR =
      AdafactorOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY);

  private Arena arena;
  private AdamW single;
  private AdamW parallel;
  private Adafactor adafactorSingle;
  private Adafactor adafactorParallel;
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
    variants =
        new Runnable[] {
          single::step,
          parallel::step,
          () -> loop.run(limit.size, limit::run),
          adafactorSingle::step,
          adafactorParallel::step,
          () -> loop.run(adafactorLimit.size, adafactorLimit::run)
        };
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
      long t = InTurn.nanos(variants[v]);
      switch (v) {
        case 0 -> nanos.oneThread += t;
        case 1 -> nanos.threads += t;
        case 2 -> nanos.limitThreads += t;
        case 3 -> nanos.adafactorOneThread += t;
        case 4 -> nanos.adafactorThreads += t;
        default -> nanos.adafactorLimitThreads += t;
      }
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
    loop.close();
    limit.close();
    adafactorLimit.close();
    arena.close();
  }
}
