package dev.stride.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tables without a C compiler: the Java columns as ever, and a line that says why not C. */
class ReportTest {
  private static Report.Result result(String... counters) {
    Map<String, Double> iteration = new HashMap<>();
    for (String c : counters) {
      iteration.put(c, 10_000.0);
    }
    return new Report.Result(List.of(iteration, iteration), 0);
  }

  @Test
  void withoutCTheTablesSayWhyAndKeepTheJavaColumns() {
    Map<Report.Key, Report.Result> results = new HashMap<>();
    results.put(
        new Report.Key("RuleBenchmark", Rule.ADAM, 16384, 0),
        result("vector", "scalar", "floatArray", "limit"));
    String[] threads = new String[12];
    int i = 0;
    for (String v : new String[] {"strideOne", "strideThreads", "limitOne", "limitThreads"}) {
      for (String kind : new String[] {"Cold", "Hot", "Idle"}) {
        threads[i++] = v + kind;
      }
    }
    results.put(new Report.Key("ThreadsBenchmark", Rule.ADAM, 16384, 2), result(threads));
    String why = Yardstick.Build.absent(Yardstick.COMPILER_PROPERTY + "=none").describe();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Report(results, List.of(16384), List.of(Rule.ADAM), 2, why)
        .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("| Adam | 16,384 | 0.610 | 0.610 | 0.610 |"), out);
    assertTrue(out.contains("| 0.610, — |"), out); // the memory limit: Java's, no C
    assertTrue(out.contains("| Adam | 16,384 | 0.610 | 0.610 | 1.00× |"), out); // the threads
    assertTrue(out.contains("Not measured: no C yardstick: stride.bench.cc=none."), out);
  }
}
