package dev.stride.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.stride.optim.Kernels;
import dev.stride.optim.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * A rule's {@code step()} through the public API over one tensor of {@code size} floats, on one
 * thread and on {@code threads}, in turn with: the same step in C ({@link Yardstick}, for the rules
 * it has: Adam, AdamW, SGD with momentum) on the same segments (the parameter, its gradient and the
 * optimizer's own state), on one thread and on an OpenMP team of {@code threads}; and the
 * memory-only kernel of the rule's bytes, in Java ({@link MemoryLimit}, on {@link ParallelLoop} for
 * several threads) and in C. Each variant is timed two ways, as a trainer meets it:
 *
 * <ul>
 *   <li>cold: one step after a pause of {@link #PAUSE_NANOS} (a trainer's forward and backward
 *       passes), in which the step's threads have gone idle; the process's CPU time in the pause is
 *       counted too (a thread that busy-waits through it shows there);
 *   <li>hot: back to back, the mean of {@link #hotSteps} steps after {@link #warmSteps} more that
 *       take it to its steady state.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ThreadsBenchmark {

  /**
   * Per variant: the nanoseconds of its cold steps, of its hot steps (the mean of each run of hot
   * steps), and of process CPU time in the pauses before its cold steps; and calls. Variants: the
   * step ({@code stride}), the step in C ({@code c}), the memory-only kernel in Java ({@code
   * limit}) and in C ({@code limitC}), each on one thread ({@code One}) and on all ({@code
   * Threads}).
   */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long strideOneCold, strideOneHot, strideOneIdle;
    public long strideThreadsCold, strideThreadsHot, strideThreadsIdle;
    public long cOneCold, cOneHot, cOneIdle;
    public long cThreadsCold, cThreadsHot, cThreadsIdle;
    public long limitOneCold, limitOneHot, limitOneIdle;
    public long limitThreadsCold, limitThreadsHot, limitThreadsIdle;
    public long limitCOneCold, limitCOneHot, limitCOneIdle;
    public long limitCThreadsCold, limitCThreadsHot, limitCThreadsIdle;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      strideOneCold = strideOneHot = strideOneIdle = 0;
      strideThreadsCold = strideThreadsHot = strideThreadsIdle = 0;
      cOneCold = cOneHot = cOneIdle = cThreadsCold = cThreadsHot = cThreadsIdle = 0;
      limitOneCold = limitOneHot = limitOneIdle = 0;
      limitThreadsCold = limitThreadsHot = limitThreadsIdle = 0;
      limitCOneCold = limitCOneHot = limitCOneIdle = 0;
      limitCThreadsCold = limitCThreadsHot = limitCThreadsIdle = 0;
      calls = 0;
    }

    void add(Variant v, long cold, long hot, long idle) {
      switch (v) {
        case STRIDE_ONE -> {
          strideOneCold += cold;
          strideOneHot += hot;
          strideOneIdle += idle;
        }
        case STRIDE_THREADS -> {
          strideThreadsCold += cold;
          strideThreadsHot += hot;
          strideThreadsIdle += idle;
        }
        case C_ONE -> {
          cOneCold += cold;
          cOneHot += hot;
          cOneIdle += idle;
        }
        case C_THREADS -> {
          cThreadsCold += cold;
          cThreadsHot += hot;
          cThreadsIdle += idle;
        }
        case LIMIT_ONE -> {
          limitOneCold += cold;
          limitOneHot += hot;
          limitOneIdle += idle;
        }
        case LIMIT_THREADS -> {
          limitThreadsCold += cold;
          limitThreadsHot += hot;
          limitThreadsIdle += idle;
        }
        case LIMIT_C_ONE -> {
          limitCOneCold += cold;
          limitCOneHot += hot;
          limitCOneIdle += idle;
        }
        case LIMIT_C_THREADS -> {
          limitCThreadsCold += cold;
          limitCThreadsHot += hot;
          limitCThreadsIdle += idle;
        }
      }
    }
  }

  /** The variants, named as their counters start. */
  enum Variant {
    STRIDE_ONE,
    STRIDE_THREADS,
    C_ONE,
    C_THREADS,
    LIMIT_ONE,
    LIMIT_THREADS,
    LIMIT_C_ONE,
    LIMIT_C_THREADS
  }

  @Param public Rule rule;

  @Param("16777216")
  public int size;

  @Param("2")
  public int threads;

  /**
   * A trainer's forward and backward passes, as a pause: far longer than a step's threads wait
   * before they go idle (Stride's workers spin {@value dev.stride.optim.StepPool#SPIN_MICROS} µs,
   * OpenMP's as {@link Yardstick} sets them), far shorter than the passes of a real model.
   */
  static final long PAUSE_NANOS = 2_000_000;

  /** Steps run back to back after a cold one before the hot ones are timed. */
  static int warmSteps(int size) {
    return Math.max(4, (1 << 22) / size);
  }

  /** Hot steps timed together: at least 4 and about 4M elements' worth. */
  static int hotSteps(int size) {
    return Math.max(4, (1 << 22) / size);
  }

  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private Variant[] variants;
  private Runnable[] steps;
  private int warm;
  private int hot;
  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    Arena arena = Arena.ofShared();
    closing.add(arena);
    warm = warmSteps(size);
    hot = hotSteps(size);
    List<Variant> v = new ArrayList<>();
    List<Runnable> r = new ArrayList<>();
    Yardstick c = Yardstick.get();
    for (int t : new int[] {1, threads}) {
      MemorySegment p = arena.allocate((long) size * Float.BYTES, 4096);
      MemorySegment g = arena.allocate((long) size * Float.BYTES + 1024, 4096).asSlice(1024);
      Data.PARAM.fill(p);
      Data.GRAD.fill(g);
      Optimizer<?> o = rule.optimizer(Kernels.VECTOR);
      closing.addFirst(o);
      o.setThreads(t);
      o.group(0).add(p, g, rule.shape(size));
      o.step(); // allocates the state and starts the workers
      v.add(t == 1 ? Variant.STRIDE_ONE : Variant.STRIDE_THREADS);
      r.add(o::step);
      Runnable inC = c == null ? null : inC(c, o, p, g, t);
      if (inC != null) {
        v.add(t == 1 ? Variant.C_ONE : Variant.C_THREADS);
        r.add(inC);
      }
    }
    MemoryLimit limit = rule.limit(size);
    ParallelLoop loop = new ParallelLoop(threads);
    closing.add(limit);
    closing.add(loop);
    v.add(Variant.LIMIT_ONE);
    r.add(() -> limit.run(0, size));
    v.add(Variant.LIMIT_THREADS);
    r.add(() -> loop.run(size, limit::run));
    if (c != null) {
      v.add(Variant.LIMIT_C_ONE);
      r.add(() -> limit.runInC(c, 1));
      v.add(Variant.LIMIT_C_THREADS);
      r.add(() -> limit.runInC(c, threads));
    }
    variants = v.toArray(Variant[]::new);
    steps = r.toArray(Runnable[]::new);
  }

  /**
   * The rule's step in C on {@code o}'s parameter {@code p}, its gradient {@code g} and the
   * optimizer's own state, on {@code threads}; null if the yardstick has no such rule.
   */
  private Runnable inC(Yardstick c, Optimizer<?> o, MemorySegment p, MemorySegment g, int threads) {
    // read-only views of the live buffers: C writes them all the same, as Stride's step does
    Map<String, MemorySegment> state = o.stateDict().parameters().getFirst().buffers();
    long[] step = {1};
    return switch (rule) {
      case ADAM, ADAMW -> {
        boolean decoupled = rule == Rule.ADAMW;
        MemorySegment m = state.get("exp_avg");
        MemorySegment v = state.get("exp_avg_sq");
        yield () ->
            c.adam(
                p,
                g,
                m,
                v,
                size,
                step[0]++,
                Rule.ADAM_LR,
                Rule.BETA1,
                Rule.BETA2,
                Rule.EPS,
                decoupled ? Rule.ADAMW_WEIGHT_DECAY : 0,
                decoupled,
                threads);
      }
      case SGD_MOMENTUM -> {
        MemorySegment b = state.get("momentum_buffer");
        yield () -> c.sgdMomentum(p, g, b, size, Rule.SGD_LR, Rule.MOMENTUM, 0, threads);
      }
      default -> null;
    };
  }

  /** Each variant cold after a pause, then hot; the order rotates from call to call. */
  @Benchmark
  public void inTurn(Nanos nanos) {
    for (int position = 0; position < steps.length; position++) {
      int v = InTurn.variant(call, position, steps.length);
      Runnable step = steps[v];
      long cpu = os.getProcessCpuTime();
      LockSupport.parkNanos(PAUSE_NANOS);
      long idle = os.getProcessCpuTime() - cpu;
      long cold = InTurn.nanos(step);
      for (int k = 0; k < warm; k++) {
        step.run();
      }
      long start = System.nanoTime();
      for (int k = 0; k < hot; k++) {
        step.run();
      }
      nanos.add(variants[v], cold, (System.nanoTime() - start) / hot, idle);
    }
    call++;
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }
}
