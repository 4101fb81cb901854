package dev.stride.bench;

import dev.stride.kernel.AveragingKernel;
import dev.stride.kernel.KernelSet;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
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
import org.openjdk.jmh.results.RunResult;

/**
 * One fold of a weight average over {@code size} floats (reads the parameter and the average,
 * writes the average: 12 bytes per element), four ways in turn, each call timed as {@link
 * RuleBenchmark} times a rule: the Vector API kernel, the scalar reference (in cache), the {@code
 * float[]} loop a trainer would write, and the memory-only kernel of that access pattern ({@link
 * MemoryLimit} with no state buffer: read two arrays, write one), whose speed is the limit. The
 * average is {@link SegmentBuffers#expAvg}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AveragingBenchmark {
  static final int BYTES_PER_ELEMENT = 12;
  static final float DECAY = 0.999f;

  /** The two averages. */
  public enum Kind {
    EMA,
    SWA
  }

  private static final KernelSet VECTOR = KernelSet.vector();
  private static final KernelSet SCALAR = KernelSet.scalar();

  @Param public Kind kind;

  @Param("16384")
  public int size;

  private SegmentBuffers vectorBuffers;
  private SegmentBuffers scalarBuffers;
  private ArrayBuffers arrays;
  private MemoryLimit limit;
  private final AveragingKernel.Coefficients coefficients = new AveragingKernel.Coefficients();

  /** Folds so far: from 1, so that no call is the first fold's copy. */
  private long folds = 1;

  private KernelNanos.Variant[] variants;
  private Runnable[] runs;

  @Setup(Level.Trial)
  public void setUp() {
    vectorBuffers = new SegmentBuffers(size);
    arrays = new ArrayBuffers(size);
    limit = new MemoryLimit(size, 0);
    Runnable vector =
        () ->
            VECTOR
                .get(AveragingKernel.class)
                .update(next(), vectorBuffers.expAvg, vectorBuffers.param, 0, size);
    Runnable array =
        () -> {
          if (kind == Kind.EMA) {
            TrainerLoops.ema(arrays.expAvg, arrays.param, DECAY);
          } else {
            TrainerLoops.swa(arrays.expAvg, arrays.param, folds++);
          }
        };
    Runnable memory = () -> limit.run(0, size);
    if (size <= RuleBenchmark.SCALAR_UP_TO) {
      scalarBuffers = new SegmentBuffers(size);
      Runnable scalar =
          () ->
              SCALAR
                  .get(AveragingKernel.class)
                  .update(next(), scalarBuffers.expAvg, scalarBuffers.param, 0, size);
      variants =
          new KernelNanos.Variant[] {
            KernelNanos.Variant.VECTOR,
            KernelNanos.Variant.SCALAR,
            KernelNanos.Variant.FLOAT_ARRAY,
            KernelNanos.Variant.LIMIT
          };
      runs = new Runnable[] {vector, scalar, array, memory};
    } else {
      variants =
          new KernelNanos.Variant[] {
            KernelNanos.Variant.VECTOR, KernelNanos.Variant.FLOAT_ARRAY, KernelNanos.Variant.LIMIT
          };
      runs = new Runnable[] {vector, array, memory};
    }
  }

  private AveragingKernel.Coefficients next() {
    return kind == Kind.EMA ? coefficients.ema(DECAY, folds++) : coefficients.swa(folds++);
  }

  @Benchmark
  public void inTurn(KernelNanos nanos) {
    nanos.inTurn(variants, runs);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vectorBuffers.close();
    if (scalarBuffers != null) {
      scalarBuffers.close();
    }
    limit.close();
  }

  /** The Markdown section of {@link BenchmarkTable}: ns/elem, GB/s and the share of the limit. */
  static void report(Collection<RunResult> runs, PrintStream out) {
    Map<String, InTurnMedians> rows = new TreeMap<>();
    for (RunResult r : runs) {
      rows.put(
          r.getParams().getParam("kind")
              + " "
              + String.format("%010d", Integer.parseInt(r.getParams().getParam("size"))),
          InTurnMedians.of(r));
    }
    out.println("### Weight averaging");
    out.println();
    out.println(
        "| average | elements | vector ns/elem | scalar ns/elem | float[] ns/elem | limit ns/elem"
            + " | vector GB/s | of the limit | vector/float[] |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    rows.forEach(
        (key, m) -> {
          String[] k = key.split(" ");
          int size = Integer.parseInt(k[1]);
          double vector = m.ns("vector") / size;
          out.printf(
              "| %s | %,d | %.3f | %s | %.3f | %.3f | %.1f | %.0f %% | %.2f× |%n",
              k[0],
              size,
              vector,
              m.has("scalar") ? String.format("%.3f", m.ns("scalar") / size) : "–",
              m.ns("floatArray") / size,
              m.ns("limit") / size,
              BYTES_PER_ELEMENT / vector,
              100 * m.ratio("limit", "vector"),
              m.ratio("floatArray", "vector"));
        });
    out.println();
    out.println(
        "One fold reads p and a and writes a (12 B/elem); the four variants are called in turn in"
            + " one fork; of the limit: the memory-only kernel's time over the vector kernel's, the"
            + " median of their ratio per iteration. EMA decay 0.999; SWA's running mean divides by"
            + " n + 1.");
  }
}
