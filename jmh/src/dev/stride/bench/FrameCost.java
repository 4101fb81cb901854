package dev.stride.bench;

import dev.stride.optim.Optimizer;
import dev.stride.optim.PyTorchOptimizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;

/**
 * What a change of the frame around the kernels costs: every rule's {@code Optimizer.step()} at 16K
 * and 16M elements on 1 and 2 threads, the median of five rounds of timed steps, printed one line
 * per case. It uses only what every version of the API has ({@code PyTorchOptimizers.create},
 * {@code add}, {@code setThreads}, {@code step}), so the same source compiles against an old
 * checkout's classes and the new ones, and the two JVMs run in turn (BENCHMARKS.md):
 *
 * <pre>
 *   javac -d OUT -cp CLASSES FrameCost.java
 *   java --add-modules jdk.incubator.vector -cp OUT:CLASSES dev.stride.bench.FrameCost
 * </pre>
 */
public final class FrameCost {
  private FrameCost() {}

  /** Each rule's torch name and the keyword arguments it needs (a rate where it has no default). */
  private static final String[][] RULES = {
    {"SGD", "lr=0.01,momentum=0.9"},
    {"Adam", ""},
    {"AdamW", ""},
    {"Adagrad", ""},
    {"RMSprop", ""},
    {"Adadelta", ""},
    {"Adamax", ""},
    {"NAdam", ""},
    {"RAdam", ""},
    {"ASGD", "t0=0"},
    {"Rprop", ""},
    {"Lamb", ""},
    {"LARS", "lr=0.1"},
    {"Prodigy", ""},
    {"Lion", ""},
    {"SGDScheduleFree", ""},
    {"AdamWScheduleFree", ""},
  };

  public static void main(String[] args) throws Exception {
    Arena arena = Arena.ofShared();
    for (long n : new long[] {16384, 1 << 24}) {
      MemorySegment value = arena.allocate(n * Float.BYTES, 4096);
      MemorySegment grad = arena.allocate(n * Float.BYTES + 1024, 4096).asSlice(1024);
      for (String[] rule : RULES) {
        for (int threads : new int[] {1, 2}) {
          for (long i = 0; i < n; i++) {
            value.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f + (i % 7) * 1e-3f);
            grad.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 13 - 6) * 1e-3f);
          }
          try (Optimizer<?> o = PyTorchOptimizers.create(rule[0], kwargs(rule[1]))) {
            o.setThreads(threads);
            o.add(value, grad);
            if (rule[0].endsWith("ScheduleFree")) {
              o.getClass().getMethod("train").invoke(o);
            }
            int steps = (int) Math.max(8, (1L << 26) / n);
            double[] rounds = new double[5];
            for (int r = -2; r < rounds.length; r++) { // two rounds of warm-up
              long start = System.nanoTime();
              for (int s = 0; s < steps; s++) {
                o.step();
              }
              if (r >= 0) {
                rounds[r] = (System.nanoTime() - start) / (double) steps / n;
              }
            }
            Arrays.sort(rounds);
            System.out.printf("%s %d %d %.4f%n", rule[0], n, threads, rounds[rounds.length / 2]);
          }
        }
      }
    }
  }

  private static Map<String, Object> kwargs(String text) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (String kv : text.split(",")) {
      if (!kv.isEmpty()) {
        String[] p = kv.split("=");
        m.put(p[0], Double.valueOf(p[1]));
      }
    }
    return m;
  }
}
