package dev.stride.bench;

import dev.stride.optim.Kernels;
import dev.stride.optim.Optimizer;
import dev.stride.optim.StepPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * thread and on {@code threads}, in turn with the memory-only kernel of the rule's bytes on one
 * thread and on {@code threads} (from {@link #LIMIT_FROM} elements: below, waking its threads is
 * most of its time): what the parallel step gains and how close it comes to the machine's
 * bandwidth. Each has its own buffers. Each thread count is timed cold, one step after a pause in
 * which the workers park (as between a trainer's steps, which its forward and backward passes
 * separate), and hot: the mean of the steps right after it, back to back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ThreadsBenchmark {

  /** Nanoseconds in each variant, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long oneThreadCold;
    public long oneThread;
    public long threadsCold;
    public long threads;
    public long limitOneThread;
    public long limitThreads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThreadCold = oneThread = threadsCold = threads = limitOneThread = limitThreads = calls = 0;
    }
  }

  @Param public Rule rule;

  @Param("16777216")
  public int size;

  @Param("2")
  public int threads;

  private Arena arena;
  private Optimizer<?> single;
  private Optimizer<?> parallel;
  private MemoryLimit limit;
  private ParallelLoop loop;

  /** The memory-only kernel is timed from this size on. */
  static final int LIMIT_FROM = 1 << 20;

  /** Longer than a worker spins after a step, so that the cold step finds its workers parked. */
  private static final long PAUSE_NANOS = 5 * StepPool.SPIN_MICROS * 1000;

  /**
   * The hot steps timed together after the cold one: enough for the workers to be awake and on a
   * core of their own, at least 8 and about 16M elements in all.
   */
  private int hotSteps;

  private Runnable singleStep;
  private Runnable parallelStep;
  private Runnable singleHot;
  private Runnable parallelHot;
  private Runnable limitOneThread;
  private Runnable limitThreads;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    single = withParameter(1);
    parallel = withParameter(threads);
    hotSteps = Math.max(8, (1 << 24) / size);
    singleStep = single::step;
    parallelStep = parallel::step;
    singleHot = () -> steps(single);
    parallelHot = () -> steps(parallel);
    if (size >= LIMIT_FROM) {
      limit = rule.limit(size);
      loop = new ParallelLoop(threads);
      limitOneThread = () -> limit.run(0, size);
      limitThreads = () -> loop.run(size, limit::run);
    }
  }

  private Optimizer<?> withParameter(int threads) {
    Optimizer<?> o = rule.optimizer(Kernels.VECTOR);
    o.setThreads(threads);
    MemorySegment p = arena.allocate((long) size * Float.BYTES, 4096);
    MemorySegment g = arena.allocate((long) size * Float.BYTES + 1024, 4096).asSlice(1024);
    Data.PARAM.fill(p);
    Data.GRAD.fill(g);
    o.group(0).add(p, g, rule.shape(size));
    o.step(); // allocates the state and starts the workers
    return o;
  }

  private void steps(Optimizer<?> o) {
    for (int k = 0; k < hotSteps; k++) {
      o.step();
    }
  }

  /** Each thread count cold after a pause, then hot: the same cache state for both. */
  @Benchmark
  public void inTurn(Nanos nanos) {
    LockSupport.parkNanos(PAUSE_NANOS);
    nanos.oneThreadCold += InTurn.nanos(singleStep);
    nanos.oneThread += InTurn.nanos(singleHot) / hotSteps;
    LockSupport.parkNanos(PAUSE_NANOS);
    nanos.threadsCold += InTurn.nanos(parallelStep);
    nanos.threads += InTurn.nanos(parallelHot) / hotSteps;
    if (limit != null) {
      nanos.limitOneThread += InTurn.nanos(limitOneThread);
      nanos.limitThreads += InTurn.nanos(limitThreads);
    }
    nanos.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    single.close();
    parallel.close();
    if (limit != null) {
      loop.close();
      limit.close();
    }
    arena.close();
  }
}
