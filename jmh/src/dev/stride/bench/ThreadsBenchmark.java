package dev.stride.bench;

import dev.stride.optim.Optimizer;
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
 * A rule's {@code step()} through the public API over one tensor of {@code size} floats, on one
 * thread and on {@code threads}, in turn with the memory-only kernel of the rule's bytes on one
 * thread and on {@code threads}: what the parallel step gains and how close it comes to the
 * machine's bandwidth. Each has its own buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ThreadsBenchmark {

  /** Nanoseconds in each variant, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long oneThread;
    public long threads;
    public long limitOneThread;
    public long limitThreads;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      oneThread = threads = limitOneThread = limitThreads = calls = 0;
    }
  }

  @Param
  public Rule rule;

  @Param("16777216")
  public int size;

  @Param("2")
  public int threads;

  private Arena arena;
  private Optimizer<?> single;
  private Optimizer<?> parallel;
  private MemoryLimit limit;
  private ParallelLoop loop;
  private Runnable[] variants;
  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    single = withParameter(1);
    parallel = withParameter(threads);
    limit = new MemoryLimit(size, rule.limitBuffers());
    loop = new ParallelLoop(threads);
    variants = new Runnable[] {single::step, parallel::step, () -> limit.run(0, size),
        () -> loop.run(size, limit::run)};
  }

  private Optimizer<?> withParameter(int threads) {
    Optimizer<?> o = rule.optimizer(RuleBenchmark.VECTOR);
    o.setThreads(threads);
    MemorySegment p = arena.allocate((long) size * Float.BYTES, 4096);
    MemorySegment g = arena.allocate((long) size * Float.BYTES + 1024, 4096).asSlice(1024);
    Data.PARAM.fill(p);
    Data.GRAD.fill(g);
    o.add(p, g);
    o.step(); // allocates the state and starts the workers
    return o;
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    for (int position = 0; position < variants.length; position++) {
      int v = InTurn.variant(call, position, variants.length);
      long t = InTurn.nanos(variants[v]);
      switch (v) {
        case 0 -> nanos.oneThread += t;
        case 1 -> nanos.threads += t;
        case 2 -> nanos.limitOneThread += t;
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
