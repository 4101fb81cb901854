package dev.stride.bench;

import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The medians over measured iterations of an {@link InTurn} benchmark's counters: nanoseconds per
 * call of each variant, and ratios of two variants taken per iteration, so that both saw the same
 * machine load. For the sections that {@link BenchmarkTable} prints after {@link Report}'s.
 */
final class InTurnMedians {
  private final Map<String, ListStatistics> perCall = new HashMap<>();
  private final Map<Integer, Map<String, Double>> byIteration = new HashMap<>();

  static InTurnMedians of(RunResult r) {
    InTurnMedians m = new InTurnMedians();
    int n = 0;
    for (BenchmarkResult fork : r.getBenchmarkResults()) {
      for (IterationResult iteration : fork.getIterationResults()) {
        var counters = iteration.getSecondaryResults();
        double calls = counters.get("calls").getScore();
        Map<String, Double> row = new HashMap<>();
        counters.forEach(
            (name, value) -> {
              if (!name.equals("calls")
                  && !name.startsWith("·gc")
                  && !name.startsWith("gc.")
                  && value.getScore() > 0) {
                row.put(name, value.getScore() / calls);
                m.perCall
                    .computeIfAbsent(name, k -> new ListStatistics())
                    .addValue(value.getScore() / calls);
              }
            });
        m.byIteration.put(n++, row);
      }
    }
    return m;
  }

  boolean has(String counter) {
    return perCall.containsKey(counter);
  }

  /** The median nanoseconds per call of {@code counter}. */
  double ns(String counter) {
    return perCall.get(counter).getPercentile(50);
  }

  /** The median over iterations of {@code numerator}'s time over {@code denominator}'s. */
  double ratio(String numerator, String denominator) {
    ListStatistics ratios = new ListStatistics();
    for (Map<String, Double> row : byIteration.values()) {
      ratios.addValue(row.get(numerator) / row.get(denominator));
    }
    return ratios.getPercentile(50);
  }
}
