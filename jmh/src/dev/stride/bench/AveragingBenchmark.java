package dev.stride.bench;

import dev.stride.kernel.AveragingKernel;
import dev.stride.kernel.Kernels;
import dev.stride.kernel.UpdateKernels;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One fold of a weight average over {@code size} floats (reads the parameter and the average,
 * writes the average: 12 bytes per element): the Vector API kernel, the scalar reference, the
 * {@code float[]} loop a trainer would write, and the memory-only limit of that access pattern
 * (the same loads and store with one addition). The average is {@link SegmentBuffers#expAvg}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AveragingBenchmark {
  public static final int BYTES_PER_ELEMENT = 12;
  static final float DECAY = 0.999f;

  public enum Kind { EMA, SWA }

  private static final UpdateKernels VECTOR = Kernels.vector();
  private static final UpdateKernels SCALAR = Kernels.scalar();
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  @Param
  public Kind kind;

  private final AveragingKernel.Coefficients coefficients = new AveragingKernel.Coefficients();
  /** Folds so far: from 1, so no call is the first fold's copy. */
  private long n = 1;

  private AveragingKernel.Coefficients next() {
    return kind == Kind.EMA ? coefficients.ema(DECAY, n++) : coefficients.swa(n++);
  }

  @Benchmark
  public void vector(SegmentBuffers s) {
    VECTOR.averaging().update(next(), s.expAvg, s.param, 0, s.size);
  }

  @Benchmark
  public void scalar(SegmentBuffers s) {
    SCALAR.averaging().update(next(), s.expAvg, s.param, 0, s.size);
  }

  @Benchmark
  public void floatArray(ArrayBuffers a) {
    if (kind == Kind.EMA) {
      TrainerLoops.ema(a.expAvg, a.param, DECAY);
    } else {
      TrainerLoops.swa(a.expAvg, a.param, n++);
    }
  }

  /** The Markdown section of {@link BenchmarkTable}: ns/elem, GB/s and the share of the limit. */
  static void report(java.util.Collection<org.openjdk.jmh.results.RunResult> results, java.io.PrintStream out) {
    java.util.Map<String, Double> ns = new java.util.HashMap<>();
    java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
    for (var r : results) {
      String name = r.getParams().getBenchmark();
      int size = Integer.parseInt(r.getParams().getParam("size"));
      sizes.add(size);
      ns.put(name.substring(name.lastIndexOf('.') + 1) + " " + r.getParams().getParam("kind") + " " + size,
          r.getPrimaryResult().getStatistics().getPercentile(50) / size);
    }
    out.println("Weight averaging: one fold (read p and a, write a: 12 B/elem); the limit is the"
        + " memory-only kernel of that access pattern");
    out.println();
    out.println("| average | elements | vector ns/elem | scalar ns/elem | float[] ns/elem | limit ns/elem"
        + " | vector GB/s | of limit | vector/float[] |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (Kind kind : Kind.values()) {
      for (int size : sizes) {
        Double vector = ns.get("vector " + kind + " " + size);
        Double limit = ns.get("memoryOnly " + kind + " " + size);
        Double scalar = ns.get("scalar " + kind + " " + size);
        Double array = ns.get("floatArray " + kind + " " + size);
        if (vector != null && limit != null && scalar != null && array != null) {
          out.printf("| %s | %,d | %.3f | %.3f | %.3f | %.3f | %.1f | %.0f %% | %.2f× |%n", kind, size,
              vector, scalar, array, limit, BYTES_PER_ELEMENT / vector, 100 * limit / vector, array / vector);
        }
      }
    }
  }

  /** The access pattern alone: load p and a, store a + p. */
  @Benchmark
  public void memoryOnly(SegmentBuffers s) {
    int i = 0;
    for (int bound = F.loopBound(s.size); i < bound; i += F.length()) {
      long at = (long) i * Float.BYTES;
      FloatVector p = FloatVector.fromMemorySegment(F, s.param, at, ORDER);
      FloatVector.fromMemorySegment(F, s.expAvg, at, ORDER).add(p).intoMemorySegment(s.expAvg, at, ORDER);
    }
    for (; i < s.size; i++) {
      long at = (long) i * Float.BYTES;
      s.expAvg.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, at,
          s.expAvg.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, at)
              + s.param.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, at));
    }
  }
}
