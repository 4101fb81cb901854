package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
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

/** Quick probe: AdamW.step() over one tensor at 1 or 2 threads. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class StepThreadsBenchmark {
  @Param({"16384", "262144", "16777216"})
  public int size;
  @Param({"1", "2"})
  public int threads;
  private Arena arena;
  private AdamW adamW;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    MemorySegment p = arena.allocate((long) size * 4, 64);
    MemorySegment g = arena.allocate((long) size * 4, 64);
    Data.PARAM.fill(p);
    Data.GRAD.fill(g);
    adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS);
    adamW.setThreads(threads);
    adamW.add(p, g);
    adamW.step();
  }

  @Benchmark
  public boolean step() {
    return adamW.step();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    adamW.close();
    arena.close();
  }
}
