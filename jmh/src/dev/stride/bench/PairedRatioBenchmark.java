package dev.stride.bench;

import dev.stride.bench.UpdateRuleBenchmark.Rule;
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

/**
 * The vector kernel and the {@code float[]} loop of {@link UpdateRuleBenchmark}, called in turn in
 * one fork, each call timed: the ratio of their times in one iteration is taken under the same
 * machine load. Out of cache, where one call takes milliseconds, this machine's memory bandwidth
 * moves by ±30 % from one second to the next, and a ratio of two forks run a minute apart is that
 * noise. Each call here finds the other's data in the last-level cache, not its own, as a trainer's
 * step finds the forward and backward passes' data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PairedRatioBenchmark {

  /** Nanoseconds spent in each in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long vector;
    public long floatArray;

    @Setup(Level.Iteration)
    public void reset() {
      vector = 0;
      floatArray = 0;
    }
  }

  @Param
  public Rule rule;

  private RuleStep vectorStep;
  private RuleStep arrayStep;
  private boolean vectorFirst;

  @Setup(Level.Trial)
  public void setUp() {
    vectorStep = new RuleStep(rule);
    arrayStep = new RuleStep(rule);
  }

  @Benchmark
  public void vectorThenFloatArray(SegmentBuffers s, ArrayBuffers a, Nanos nanos) {
    // alternate which goes first, so that neither always follows the other's cache traffic
    vectorFirst = !vectorFirst;
    if (vectorFirst) {
      nanos.vector += vector(s);
      nanos.floatArray += floatArray(a);
    } else {
      nanos.floatArray += floatArray(a);
      nanos.vector += vector(s);
    }
  }

  private long vector(SegmentBuffers s) {
    long start = System.nanoTime();
    vectorStep.kernel(UpdateRuleBenchmark.VECTOR, s);
    return System.nanoTime() - start;
  }

  private long floatArray(ArrayBuffers a) {
    long start = System.nanoTime();
    arrayStep.floatArray(a);
    return System.nanoTime() - start;
  }
}
