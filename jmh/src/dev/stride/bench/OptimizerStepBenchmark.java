package dev.stride.bench;

import dev.stride.optim.Adam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code Adam.step()} through the public API, over the parameter of {@link SegmentBuffers}: what
 * the optimizer adds to the kernel, and (with {@code -prof gc}) that a step allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OptimizerStepBenchmark {
  private Adam adam;

  @Setup(Level.Trial)
  public void register(SegmentBuffers s) {
    adam = new Adam();
    adam.add(s.param, s.grad);
    adam.step(); // allocates the state
  }

  @Benchmark
  public void adamStep() {
    adam.step();
  }

  @TearDown(Level.Trial)
  public void close() {
    adam.close();
  }
}
