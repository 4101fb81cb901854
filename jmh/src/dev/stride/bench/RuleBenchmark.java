package dev.stride.bench;

import dev.stride.optim.Kernels;
import dev.stride.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
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
 * One step of a rule over {@code size} floats, in turn, each call timed: the rule's optimizer on
 * one thread with the Vector API kernels and with the scalar reference (in cache only: its target
 * is there), the {@code float[]} loop a trainer would write ({@link TrainerStep}), and the
 * memory-only kernel with the rule's bytes per element in Java and in C ({@link Yardstick}, when
 * there is a compiler), the faster of which is the rule's limit. Each has its own buffers but the
 * two memory-only kernels, which share theirs. A step's coefficients are the optimizer's own, made
 * on every step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RuleBenchmark {
  /** The scalar reference is timed up to this size; beyond, it would take most of the run. */
  static final int SCALAR_UP_TO = 262144;

  @Param public Rule rule;

  @Param("16384")
  public int size;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private KernelNanos.Variant[] variants;
  private Runnable[] runs;

  @Setup(Level.Trial)
  public void setUp() {
    List<KernelNanos.Variant> v = new ArrayList<>();
    List<Runnable> r = new ArrayList<>();
    v.add(KernelNanos.Variant.VECTOR);
    r.add(stepping(Kernels.VECTOR)::step);
    if (size <= SCALAR_UP_TO) {
      v.add(KernelNanos.Variant.SCALAR);
      r.add(stepping(Kernels.SCALAR)::step);
    }
    ArrayBuffers arrays = new ArrayBuffers(size);
    TrainerStep trainer = new TrainerStep(rule);
    v.add(KernelNanos.Variant.FLOAT_ARRAY);
    r.add(() -> trainer.step(arrays));
    MemoryLimit limit = rule.limit(size);
    closing.add(limit);
    v.add(KernelNanos.Variant.LIMIT);
    r.add(() -> limit.run(0, size));
    Yardstick c = Yardstick.get();
    if (c != null) {
      v.add(KernelNanos.Variant.LIMIT_C);
      r.add(() -> limit.runInC(c, 1));
    }
    variants = v.toArray(KernelNanos.Variant[]::new);
    runs = r.toArray(Runnable[]::new);
  }

  /** The rule's optimizer on one thread over buffers of its own. */
  private Optimizer<?> stepping(Kernels kernels) {
    SegmentBuffers buffers = new SegmentBuffers(size);
    Optimizer<?> o = rule.optimizer(kernels);
    o.setThreads(1);
    o.group(0).add(buffers.param, buffers.grad, rule.shape(size));
    closing.add(buffers);
    closing.add(o); // closed before its buffers
    return o;
  }

  @Benchmark
  public void inTurn(KernelNanos nanos) {
    nanos.inTurn(variants, runs);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }
}
