package dev.stride.bench;

import dev.stride.kernel.KernelSet;
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

/**
 * One step of a rule over {@code size} floats, four ways in turn, each call timed: the Vector API
 * kernel, the scalar reference (in cache only: its target is there), the {@code float[]} loop a
 * trainer would write, and the memory-only kernel with the rule's bytes per element, whose speed is
 * the rule's limit. Each has its own buffers. The step's coefficients are computed on every call,
 * as the optimizer computes them on every step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RuleBenchmark {
  /** The scalar reference is timed up to this size; beyond, it would take most of the run. */
  static final int SCALAR_UP_TO = 262144;

  // Constants, so that each call site sees one implementation.
  static final KernelSet VECTOR = KernelSet.vector();
  private static final KernelSet SCALAR = KernelSet.scalar();

  @Param public Rule rule;

  @Param("16384")
  public int size;

  private SegmentBuffers vectorBuffers;
  private SegmentBuffers scalarBuffers;
  private ArrayBuffers arrays;
  private MemoryLimit limit;
  private RuleStep vectorStep;
  private RuleStep scalarStep;
  private RuleStep arrayStep;
  private Runnable[] variants;

  @Setup(Level.Trial)
  public void setUp() {
    vectorBuffers = new SegmentBuffers(size);
    arrays = new ArrayBuffers(size);
    limit = rule.limit(size);
    vectorStep = new RuleStep(rule);
    arrayStep = new RuleStep(rule);
    Runnable vector = () -> vectorStep.kernel(VECTOR, vectorBuffers);
    Runnable array = () -> arrayStep.floatArray(arrays);
    Runnable memory = () -> limit.run(0, size);
    if (size <= SCALAR_UP_TO) {
      scalarBuffers = new SegmentBuffers(size);
      scalarStep = new RuleStep(rule);
      variants =
          new Runnable[] {vector, () -> scalarStep.kernel(SCALAR, scalarBuffers), array, memory};
    } else {
      variants = new Runnable[] {vector, array, memory};
    }
  }

  @Benchmark
  public void inTurn(KernelNanos nanos) {
    nanos.inTurn(variants);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vectorStep.close();
    arrayStep.close();
    if (scalarStep != null) {
      scalarStep.close();
      scalarBuffers.close();
    }
    vectorBuffers.close();
    limit.close();
  }
}
