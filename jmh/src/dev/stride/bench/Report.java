package dev.stride.bench;

import dev.stride.bench.UpdateRuleBenchmark.Rule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The table of {@link BenchmarkTable}, in Markdown, and the targets checked against it. */
final class Report {
  /** One JMH result: {@code benchmark} is "Class.method"; {@code rule} null where it has none. */
  record Key(String benchmark, Rule rule, int size) {}

  /**
   * Medians over the measured iterations: ns per call, bytes allocated per call; and the slowest
   * iteration over the fastest.
   */
  record Row(double nsPerOp, double spread, double bytesPerOp) {}

  /** {@link PairedRatioBenchmark}: the median over iterations of float[] time over vector time, and their spread. */
  record Paired(double ratio, double spread) {}

  /** The speedup targets over the scalar reference apply in cache, up to this size. */
  private static final int IN_CACHE = 262144;
  static final int LARGEST = 16777216;
  /** Marks a benchmark run over {@link SegmentBuffers.Layout#PAGE_ALIGNED} buffers. */
  static final String PAGE_ALIGNED = " (page-aligned)";
  /**
   * JMH's GC profiler counts its own allocation too, at a steady rate: it shows as a few B per call
   * in proportion to the call's duration, and at 4M elements and more as hundreds. The check is
   * where that share is small, against less than one object per call: a kernel whose vectors
   * were boxed would allocate kilobytes.
   */
  private static final int ALLOCATION_CHECKED = 16384;
  private static final double ONE_OBJECT = 16;
  /** A benchmark whose iterations differ more than this is marked as not steady. */
  private static final double STEADY = 1.5;

  private final Map<Key, Row> rows;
  private final Map<Key, Paired> paired;
  private final List<Integer> sizes;
  private final List<Rule> rules;
  private final List<String> targets = new ArrayList<>();

  Report(Map<Key, Row> rows, Map<Key, Paired> paired, List<Integer> sizes, List<Rule> rules) {
    this.rows = rows;
    this.paired = paired;
    this.sizes = sizes;
    this.rules = rules;
  }

  void print(PrintStream out) {
    out.println("| rule | elements | vector ns/elem | scalar ns/elem | float[] ns/elem"
        + " | vector GB/s | vector/scalar | vector/float[] | of memory limit | vector B/op |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (Rule rule : rules) {
      for (int size : sizes) {
        double vector = nsPerElement("UpdateRuleBenchmark.vector", rule, size);
        double scalar = nsPerElement("UpdateRuleBenchmark.scalar", rule, size);
        double array = nsPerElement("UpdateRuleBenchmark.floatArray", rule, size);
        double gbPerS = rule.bytesPerElement / vector;
        Paired inTurn = inTurn(rule, size);
        String versusArray = inTurn == null ? String.format("%.2f×", array / vector)
            : String.format("%.2f×%s † (%.2f×)", inTurn.ratio, inTurn.spread > STEADY ? "\\*" : "",
                array / vector);
        out.printf("| %s | %,d | %s | %s | %s | %.1f | %.2f× | %s | %.0f %% | %s |%n",
            rule.label, size, cell("UpdateRuleBenchmark.vector", rule, size),
            cell("UpdateRuleBenchmark.scalar", rule, size),
            cell("UpdateRuleBenchmark.floatArray", rule, size), gbPerS, scalar / vector,
            versusArray, 100 * gbPerS / limitGbPerS(size),
            bytes(row("UpdateRuleBenchmark.vector", rule, size)));
      }
    }
    out.println();
    out.println("ns/elem: median time per call over the elements. GB/s: bytes read and written per"
        + " element (SGD 12, SGD momentum 20, Adam 28) over ns/elem. Of memory limit: that over the"
        + " memory-only kernel's GB/s at the same size.");
    out.println();
    out.println("† vector/float[] out of cache: the two called in turn in one fork, each call timed, the"
        + " median over iterations of their ratio (PairedRatioBenchmark); in brackets, the ratio of"
        + " the two rows' medians, measured in separate forks, which the machine's bandwidth"
        + " noise (±30 % from one second to the next) decides.");
    out.println();
    out.println("Memory-only limit: Adam's access pattern (read 4 arrays, write 3: 28 B/elem),"
        + " additions only; the limit is the faster of the two.");
    out.println();
    out.println("| elements | Vector API ns/elem | float[] ns/elem | limit GB/s | B/op |");
    out.println("|--:|--:|--:|--:|--:|");
    for (int size : sizes) {
      double vector = nsPerElement("MemoryBoundBenchmark.vector", null, size);
      double array = nsPerElement("MemoryBoundBenchmark.floatArray", null, size);
      out.printf("| %,d | %s | %s | %.1f (%s) | %s |%n", size,
          cell("MemoryBoundBenchmark.vector", null, size),
          cell("MemoryBoundBenchmark.floatArray", null, size),
          limitGbPerS(size), vector <= array ? "Vector API" : "float[]",
          bytes(row("MemoryBoundBenchmark.vector", null, size)));
    }
    Row step = rows.get(new Key("OptimizerStepBenchmark.adamStep", null,
        BenchmarkTable.OPTIMIZER_SIZE));
    if (step != null) {
      out.println();
      out.printf("Adam.step() through the public API, %,d elements: %.3f ns/elem (the kernel alone:"
          + " %.3f), %s B/op%n", BenchmarkTable.OPTIMIZER_SIZE,
          step.nsPerOp / BenchmarkTable.OPTIMIZER_SIZE,
          nsPerElement("UpdateRuleBenchmark.vector", Rule.ADAM, BenchmarkTable.OPTIMIZER_SIZE),
          bytes(step));
    }
    Row aligned = row("UpdateRuleBenchmark.vector" + PAGE_ALIGNED, Rule.ADAM, LARGEST);
    if (aligned != null) {
      out.println();
      out.printf("Adam vector at %,d elements with all four buffers page-aligned (as separate large"
          + " allocations are) instead of staggered: %.3f ns/elem, %.2f× the staggered time%n",
          LARGEST, aligned.nsPerOp / LARGEST,
          aligned.nsPerOp / row("UpdateRuleBenchmark.vector", Rule.ADAM, LARGEST).nsPerOp);
    }
    out.println();
    out.printf("\\* the measured iterations of this benchmark differ by more than %.1f×: not steady"
        + " (a busy machine, or C2 not done by the end of warm-up).%n", STEADY);
    out.println("B/op includes JMH's own allocation, at a steady rate: a few B per call for calls"
        + " of tens of µs, hundreds at 4M elements and more; the memory-only kernel and the float[]"
        + " loops, which allocate nothing, show the same.");
    checkTargets(step);
    out.println();
    out.println("Targets (medians of this run):");
    out.println();
    targets.forEach(t -> out.println("- " + t));
  }

  private void checkTargets(Row step) {
    for (Rule rule : rules) {
      boolean adam = rule == Rule.ADAM || rule == Rule.ADAMW;
      double wanted = adam ? 3.5 : 3.0;
      List<String> speedups = new ArrayList<>();
      double min = Double.POSITIVE_INFINITY;
      for (int size : sizes) {
        if (size <= IN_CACHE) {
          double speedup = nsPerElement("UpdateRuleBenchmark.scalar", rule, size)
              / nsPerElement("UpdateRuleBenchmark.vector", rule, size);
          min = Math.min(min, speedup);
          speedups.add(String.format("%.2f", speedup));
        }
      }
      if (!speedups.isEmpty()) {
        target(min >= wanted, "%s vector ≥ %.1f× the scalar reference at ≤ %,d elements: %s",
            rule.label, wanted, IN_CACHE, String.join(", ", speedups));
      }
    }
    for (Rule rule : rules) {
      List<String> ratios = new ArrayList<>();
      double min = Double.POSITIVE_INFINITY;
      for (int size : sizes) {
        Paired inTurn = inTurn(rule, size);
        double ratio = inTurn != null ? inTurn.ratio
            : nsPerElement("UpdateRuleBenchmark.floatArray", rule, size)
                / nsPerElement("UpdateRuleBenchmark.vector", rule, size);
        min = Math.min(min, ratio);
        ratios.add(String.format(inTurn != null ? "%.2f†" : "%.2f", ratio));
      }
      target(min >= 0.95, "%s vector ≥ 0.95× the float[] loop at every size (†: in turn): %s", rule.label,
          String.join(", ", ratios));
    }
    if (sizes.contains(LARGEST)) {
      for (Rule rule : rules) {
        if (rule == Rule.ADAM || rule == Rule.ADAMW) {
          double fraction = rule.bytesPerElement
              / nsPerElement("UpdateRuleBenchmark.vector", rule, LARGEST) / limitGbPerS(LARGEST);
          target(fraction >= 0.85, "%s at %,d elements ≥ 85 %% of the memory-only limit: %.0f %%",
              rule.label, LARGEST, 100 * fraction);
        }
      }
    }
    double most = step == null ? 0 : step.bytesPerOp;
    for (Map.Entry<Key, Row> e : rows.entrySet()) {
      Key key = e.getKey();
      if (key.size <= ALLOCATION_CHECKED && !key.benchmark.endsWith("floatArray")) {
        most = Math.max(most, e.getValue().bytesPerOp);
      }
    }
    target(most < ONE_OBJECT, "0 B allocated per step, i.e. under one object (%.0f B) per call"
        + " where JMH's own allocation is small (vector and scalar kernels at ≤ %,d elements%s,"
        + " -prof gc): at most %s B/op", ONE_OBJECT, ALLOCATION_CHECKED,
        step == null ? "" : ", Adam.step()", bytes(new Row(0, 1, most)));
  }

  private void target(boolean met, String format, Object... args) {
    targets.add((met ? "✓ " : "✗ ") + String.format(format, args));
  }

  /** The memory-only kernel's bandwidth at this size, the faster of its two forms. */
  private double limitGbPerS(int size) {
    double fastest = Math.min(nsPerElement("MemoryBoundBenchmark.vector", null, size),
        nsPerElement("MemoryBoundBenchmark.floatArray", null, size));
    return MemoryBoundBenchmark.BYTES_PER_ELEMENT / fastest;
  }

  /** ns per element, marked where the iterations were not steady. */
  private String cell(String benchmark, Rule rule, int size) {
    Row row = row(benchmark, rule, size);
    return row == null ? "n/a"
        : String.format("%.3f%s", row.nsPerOp / size, row.spread > STEADY ? "\\*" : "");
  }

  private Paired inTurn(Rule rule, int size) {
    return paired.get(new Key("PairedRatioBenchmark.vectorThenFloatArray", rule, size));
  }

  private double nsPerElement(String benchmark, Rule rule, int size) {
    Row row = row(benchmark, rule, size);
    return row == null ? Double.NaN : row.nsPerOp / size;
  }

  private Row row(String benchmark, Rule rule, int size) {
    return rows.get(new Key(benchmark, rule, size));
  }

  private static String bytes(Row row) {
    return row == null || Double.isNaN(row.bytesPerOp) ? "n/a"
        : String.format("%.1f", row.bytesPerOp);
  }
}
