package dev.stride.bench;

import dev.stride.optim.Adafactor;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Optimizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The tables of {@link BenchmarkTable}, in Markdown, and the issues' targets checked against them.
 */
final class Report {
  /**
   * One JMH run: the benchmark class's simple name and its parameters (null or 0 where it has
   * none).
   */
  record Key(String benchmark, Rule rule, int size, int threads) {}

  /**
   * One run's measured iterations: per iteration, each counter's nanoseconds per call; and the
   * bytes allocated per call (all variants together), from JMH's GC profiler.
   */
  record Result(List<Map<String, Double>> iterations, double bytesPerCall) {
    /** The median over iterations of {@code f} of an iteration. */
    double median(ToDoubleFunction<Map<String, Double>> f) {
      ListStatistics s = new ListStatistics();
      iterations.forEach(it -> s.addValue(f.applyAsDouble(it)));
      return s.getPercentile(50);
    }

    double ns(String counter) {
      return median(it -> it.get(counter));
    }

    /** Median of the per-iteration ratio {@code a / b}: the two timed in turn, under one load. */
    double ratio(String a, String b) {
      return median(it -> it.get(a) / it.get(b));
    }

    /** Slowest iteration over fastest. */
    double spread(String counter) {
      ListStatistics s = new ListStatistics();
      iterations.forEach(it -> s.addValue(it.get(counter)));
      return s.getMax() / s.getMin();
    }
  }

  /** The speedup targets over the scalar reference apply in cache, up to this size. */
  private static final int IN_CACHE = RuleBenchmark.SCALAR_UP_TO;

  static final int LARGEST = 16777216;

  /**
   * Where JMH's own allocation per call is small next to one object: see {@link #checkAllocation}.
   */
  private static final int ALLOCATION_CHECKED = 16384;

  private static final double ONE_OBJECT = 16;

  /** A benchmark whose iterations differ more than this is marked as not steady. */
  private static final double STEADY = 1.5;

  private final Map<Key, Result> results;
  private final List<Integer> sizes;
  private final List<Rule> rules;
  private final int threads;
  private final List<String> targets = new ArrayList<>();

  /** What the C yardstick was, or why there was none. */
  private final String cYardstick;

  Report(
      Map<Key, Result> results,
      List<Integer> sizes,
      List<Rule> rules,
      int threads,
      String cYardstick) {
    this.cYardstick = cYardstick;
    this.results = results;
    this.sizes = sizes;
    this.rules = rules;
    this.threads = threads;
  }

  void print(PrintStream out) {
    rules(out);
    threads(out);
    versusC(out);
    model(out);
    manyTensors(out);
    clipping(out);
    checkAllocation();
    out.println();
    out.println("Targets (medians of this run):");
    out.println();
    targets.forEach(t -> out.println("- " + t));
  }

  private Result get(String benchmark, Rule rule, int size, int threads) {
    return results.get(new Key(benchmark, rule, size, threads));
  }

  private void rules(PrintStream out) {
    out.println("### Every rule, one thread");
    out.println();
    out.println(
        "| rule | elements | vector ns/elem | scalar ns/elem | float[] ns/elem | vector GB/s"
            + " | vector/scalar | vector/float[] | memory limit ns/elem: Java, C | of memory limit"
            + " | B/call |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (Rule rule : rules) {
      List<String> vsScalar = new ArrayList<>();
      List<String> vsArray = new ArrayList<>();
      double minScalar = Double.POSITIVE_INFINITY;
      double minArray = Double.POSITIVE_INFINITY;
      for (int size : sizes) {
        Result r = get("RuleBenchmark", rule, size, 0);
        if (r == null) {
          continue;
        }
        boolean scalar = size <= RuleBenchmark.SCALAR_UP_TO;
        double vector = r.ns("vector") / size;
        double gbPerS = rule.bytesPerElement / vector;
        // the faster memory-only kernel of each iteration, with the limit's bytes over the rule's
        double ofLimit =
            r.median(it -> limit(it, "limit", "limitC") / it.get("vector"))
                * rule.bytesPerElement
                / rule.limitBytes();
        double overScalar = scalar ? r.ratio("scalar", "vector") : Double.NaN;
        double overArray = r.ratio("floatArray", "vector");
        out.printf(
            "| %s | %,d | %s | %s | %s | %.1f | %s | %.2f× | %s, %s | %.0f %% | %.1f |%n",
            rule.label,
            size,
            cell(r, "vector", size),
            scalar ? cell(r, "scalar", size) : "—",
            cell(r, "floatArray", size),
            gbPerS,
            scalar ? String.format("%.2f×", overScalar) : "—",
            overArray,
            cell(r, "limit", size),
            r.iterations().getFirst().containsKey("limitC") ? cell(r, "limitC", size) : "—",
            100 * ofLimit,
            r.bytesPerCall());
        if (scalar) {
          minScalar = Math.min(minScalar, overScalar);
          vsScalar.add(String.format("%.2f", overScalar));
        }
        minArray = Math.min(minArray, overArray);
        vsArray.add(String.format("%.2f", overArray));
        if (size == LARGEST && !rule.reduces()) {
          target(
              ofLimit >= 0.85,
              "%s at %,d elements ≥ 85 %% of its memory-only limit: %.0f %%",
              rule.label,
              size,
              100 * ofLimit);
        }
      }
      if (!vsScalar.isEmpty()) {
        target(
            minScalar >= 3,
            "%s vector ≥ 3× the scalar reference in cache (≤ %,d elements): %s",
            rule.label,
            IN_CACHE,
            String.join(", ", vsScalar));
      }
      if (!vsArray.isEmpty()) {
        target(
            minArray >= 0.95,
            "%s vector ≥ 0.95× its float[] loop at every size: %s",
            rule.label,
            String.join(", ", vsArray));
      }
    }
    out.println();
    out.println(
        "ns/elem: median over the measured iterations of the time per call over the elements; the"
            + " variants (the rule's optimizer on one thread with the vector kernels and with the"
            + " scalar reference, the float[] loop, the memory-only kernel in Java and in C) run in"
            + " turn in one fork, each call timed, and the ratios are medians of per-iteration"
            + " ratios. GB/s: the rule's bytes read and written per element (its own count of"
            + " arrays) over ns/elem. Memory limit: the memory-only kernel with as many arrays"
            + " (read p, g and k state buffers, write the k buffers and p; additions only) in Java"
            + " and in C, over the same buffers; of memory limit: the rule's GB/s over the faster"
            + " one's, per iteration. B/call: bytes allocated per call of all variants together"
            + " (JMH's GC profiler), JMH's own allocation included. LAMB, LARS and Prodigy make two"
            + " passes with reductions; their limit is the memory-only kernel nearest their"
            + " bytes.");
  }

  /** The faster memory-only kernel's time in {@code it}: counter {@code java}'s or {@code c}'s. */
  private static double limit(Map<String, Double> it, String java, String c) {
    Double inC = it.get(c);
    return inC == null || inC == 0 ? it.get(java) : Math.min(it.get(java), inC);
  }

  private List<Key> threadKeys() {
    List<Key> keys = new ArrayList<>();
    for (Rule rule : rules) {
      for (int size : BenchmarkTable.THREAD_SIZES) {
        if (results.containsKey(new Key("ThreadsBenchmark", rule, size, threads))) {
          keys.add(new Key("ThreadsBenchmark", rule, size, threads));
        }
      }
    }
    return keys;
  }

  private void threads(PrintStream out) {
    List<Key> keys = threadKeys();
    if (keys.isEmpty()) {
      return;
    }
    out.println();
    out.printf("### The parallel step: one thread and %d%n%n", threads);
    out.printf(
        "| rule | elements | 1 thread cold | %d threads cold | speedup cold | 1 thread hot | %d"
            + " threads hot | speedup hot | %d-thread GB/s (hot) | of %d-thread memory limit |"
            + " CPU in the pause |%n",
        threads, threads, threads, threads);
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    Result adamW = get("ThreadsBenchmark", Rule.ADAMW, LARGEST, threads);
    for (Key k : keys) {
      Rule rule = k.rule();
      int size = k.size();
      Result r = results.get(k);
      double hot = r.ratio("strideOneHot", "strideThreadsHot");
      double cold = r.ratio("strideOneCold", "strideThreadsCold");
      double gbPerS = rule.bytesPerElement / (r.ns("strideThreadsHot") / size);
      double ofLimit =
          r.median(
              it -> limit(it, "limitThreadsHot", "limitCThreadsHot") / it.get("strideThreadsHot"));
      out.printf(
          "| %s | %,d | %s | %s | %.2f× | %s | %s | %.2f× | %.1f | %.0f %% | %s |%n",
          rule.label,
          size,
          cell(r, "strideOneCold", size),
          cell(r, "strideThreadsCold", size),
          cold,
          cell(r, "strideOneHot", size),
          cell(r, "strideThreadsHot", size),
          hot,
          gbPerS,
          100 * ofLimit,
          idle(r, "strideThreads"));
      boolean adam = rule == Rule.ADAM || rule == Rule.ADAMW;
      if (adam && size == LARGEST) {
        target(
            ofLimit >= 0.9,
            "%s at %,d elements on %d threads ≥ 90 %% of the %d-thread"
                + " memory-only limit: %.0f %% (%.2f× one thread)",
            rule.label,
            size,
            threads,
            threads,
            100 * ofLimit,
            hot);
      } else if (adam && size == 262144) {
        target(
            hot >= 1.5,
            "%s at %,d elements on %d threads ≥ 1.5× one thread, back to back: %.2f×",
            rule.label,
            size,
            threads,
            hot);
      } else if (adam && size == 16384) {
        target(
            Math.min(hot, cold) >= 0.95,
            "%s at %,d elements on %d threads no slower than one"
                + " thread (≥ 0.95×): %.2f× hot, %.2f× cold",
            rule.label,
            size,
            threads,
            hot,
            cold);
      } else if (rule.elementwiseIssue11() && size == LARGEST) {
        target(
            ofLimit >= 0.9,
            "%s at %,d elements on %d threads ≥ 90 %% of its memory-only limit: %.0f %%",
            rule.label,
            size,
            threads,
            100 * ofLimit);
      } else if (rule.reduces() && size == LARGEST && adamW != null) {
        double overAdamW = r.ns("strideThreadsHot") / adamW.ns("strideThreadsHot");
        target(
            overAdamW <= 1.5,
            "%s at %,d elements on %d threads ≤ 1.5× AdamW's step time:"
                + " %.2f× (%d bytes per element against AdamW's 28)",
            rule.label,
            size,
            threads,
            overAdamW,
            rule.bytesPerElement);
      }
      if (rule == Rule.ADAM && size >= 65536) {
        target(
            cold >= (size == 1048576 ? 1.3 : 1),
            "Adam cold at %,d elements on %d threads %s one thread: %.2f×",
            size,
            threads,
            size == 1048576 ? "≥ 1.3×" : "no slower than (≥ 1×)",
            cold);
      }
      if (rule == Rule.ADAM && size >= 65536) {
        double cpu = idleShare(r, "strideThreads") - idleShare(r, "strideOne");
        target(
            cpu <= 0.05,
            "Adam at %,d elements on %d threads: idle CPU between steps ≤ 5 %% of a core above"
                + " one thread's: %.1f %%",
            size,
            threads,
            100 * cpu);
      }
    }
    out.println();
    out.printf(
        "The rule's step() through the public API over one tensor, on one thread and on %d"
            + " (setThreads), ns/elem; cold: one step after a pause of %d ms in which the workers"
            + " go idle, as between a trainer's steps; hot: back to back, the mean of %s steps"
            + " after as many more (steady by then). Speedup: one thread's time over %d threads'."
            + " Below %,d elements a step runs on the calling thread whatever the thread count"
            + " (Optimizer.PARALLEL_FROM). The memory-only limit: the faster of the Java and the C"
            + " kernel of the rule's bytes on %d threads, hot. CPU in the pause: the process's CPU"
            + " time in the pauses before the %d-thread cold steps, as a share of one core (one"
            + " thread's, the JVM's own: %s).%n",
        threads,
        ThreadsBenchmark.PAUSE_NANOS / 1_000_000,
        "max(4, 4M / elements)",
        threads,
        Optimizer.PARALLEL_FROM,
        threads,
        threads,
        keys.stream()
            .map(k -> idle(results.get(k), "strideOne"))
            .distinct()
            .sorted()
            .reduce((a, b) -> a + ", " + b)
            .orElse("—"));
  }

  /** The process's CPU time in the pauses before {@code prefix}'s cold steps, of one core. */
  private static double idleShare(Result r, String prefix) {
    return r.ns(prefix + "Idle") / ThreadsBenchmark.PAUSE_NANOS;
  }

  private static String idle(Result r, String prefix) {
    return r.iterations().getFirst().containsKey(prefix + "Idle")
        ? String.format("%.0f %%", 100 * idleShare(r, prefix))
        : "—";
  }

  /**
   * Stride against C: Adam, AdamW and SGD with momentum, and the memory-only kernel of Adam's
   * bytes, hot and cold, on one thread and on all.
   */
  private void versusC(PrintStream out) {
    List<Key> keys = new ArrayList<>();
    for (Key k : threadKeys()) {
      // every fork has the counters; one whose rule the yardstick lacks leaves them at 0
      if (results.get(k).iterations().getFirst().getOrDefault("cOneHot", 0.0) > 0) {
        keys.add(k);
      }
    }
    if (keys.isEmpty()) {
      if (!threadKeys().isEmpty()) {
        out.println();
        out.println("### Against C");
        out.println();
        out.println("Not measured: " + cYardstick + ".");
      }
      return;
    }
    out.println();
    out.printf("### Against C: the same step in C, on the same segments, in turn%n%n");
    out.println(
        "| step | elements | threads | hot: Stride | C | vs C | cold: Stride | C | vs C | CPU in"
            + " the pause: Stride | C |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    List<Key> memory = new ArrayList<>();
    for (Key k : keys) {
      row(out, k, k.rule().label, "stride", "c");
      if (k.rule() == Rule.ADAM) {
        memory.add(k);
      }
    }
    for (Key k : memory) {
      row(out, k, "memory-only, 28 B", "limit", "limitC");
    }
    out.println();
    out.printf(
        "ns/elem, as in the table above; vs C: C's time over Stride's (above 1: Stride is faster),"
            + " the median of per-iteration ratios. C: %s, called through java.lang.foreign on the"
            + " parameter, its gradient and the optimizer's own state buffers; on %d threads an"
            + " OpenMP team in equal shares. Memory-only: MemoryLimit in Java (on %d threads a"
            + " ParallelLoop of its own) against the same loop in C, over the same buffers.%n",
        cYardstick, threads, threads);
  }

  private void row(PrintStream out, Key k, String label, String stride, String c) {
    Result r = results.get(k);
    int size = k.size();
    for (String t : new String[] {"One", "Threads"}) {
      double hot = r.ratio(c + t + "Hot", stride + t + "Hot");
      double cold = r.ratio(c + t + "Cold", stride + t + "Cold");
      out.printf(
          "| %s | %,d | %d | %s | %s | %.2f× | %s | %s | %.2f× | %s | %s |%n",
          label,
          size,
          t.equals("One") ? 1 : threads,
          cell(r, stride + t + "Hot", size),
          cell(r, c + t + "Hot", size),
          hot,
          cell(r, stride + t + "Cold", size),
          cell(r, c + t + "Cold", size),
          cold,
          idle(r, stride + t),
          idle(r, c + t));
      if (!stride.equals("stride")) {
        continue;
      }
      String where = t.equals("One") ? "1 thread" : threads + " threads";
      if (size == LARGEST) {
        target(
            hot >= 0.95,
            "%s at %,d elements on %s back to back ≥ 0.95× C: %.2f×",
            label,
            size,
            where,
            hot);
      }
      if (size == 16384 && k.rule() != Rule.SGD_MOMENTUM) {
        target(
            hot >= 1.2,
            "%s in cache (%,d elements) on %s back to back ≥ 1.2× C: %.2f×",
            label,
            size,
            where,
            hot);
      }
      if (t.equals("Threads") && (size == 262144 || size == 1048576 || size == LARGEST)) {
        target(
            cold >= 0.95,
            "%s cold at %,d elements on %d threads ≥ 0.95× C cold: %.2f×",
            label,
            size,
            threads,
            cold);
      }
    }
  }

  private void model(PrintStream out) {
    Result r = get("ModelBenchmark", null, 0, threads);
    if (r == null) {
      return;
    }
    long n = ModelBenchmark.elements(ModelBenchmark.gpt2Small());
    double limit = 28 / (r.ns("limitThreads") / n);
    double gbPerS = 28 / (r.ns("threads") / n);
    out.println();
    out.println("### GPT-2 small: AdamW and Adafactor over 148 tensors, 124,439,808 parameters");
    out.println();
    out.printf("| | ms per step | ns/elem | GB/s |%n|---|--:|--:|--:|%n");
    modelRow(out, "AdamW, 1 thread", r, "oneThread", 28, n);
    modelRow(out, "AdamW, " + threads + " threads", r, "threads", 28, n);
    modelRow(out, "memory-only limit (28 B), " + threads + " threads", r, "limitThreads", 28, n);
    modelRow(out, "Adafactor, 1 thread", r, "adafactorOneThread", 24, n);
    modelRow(out, "Adafactor, " + threads + " threads", r, "adafactorThreads", 24, n);
    modelRow(
        out,
        "memory-only limit (24 B, three passes), " + threads + " threads",
        r,
        "adafactorLimitThreads",
        24,
        n);
    modelRow(out, threads + " threads, one tensor of as many floats", r, "oneTensorThreads", 28, n);
    modelRow(out, threads + " threads, the 148 tensors in a slab", r, "slabThreads", 28, n);
    for (int shards : ModelBenchmark.SHARDS) {
      modelRow(
          out,
          threads + " threads, one shard of " + shards + " of the slab",
          r,
          "shardOf" + shards + "Threads",
          28,
          n / shards);
    }
    double speedup = r.ratio("oneThread", "threads");
    double slab = r.ratio("oneTensorThreads", "slabThreads");
    out.printf(
        "%n%d threads: %.2f× one thread, %.0f %% of the memory-only limit. The slab steps at %.2f×"
            + " the speed of one tensor, the tensors allocated one by one at %.2f×.",
        threads, speedup, 100 * gbPerS / limit, slab, r.ratio("oneTensorThreads", "threads"));
    for (int shards : ModelBenchmark.SHARDS) {
      out.printf(
          " One rank's shard of %d (ns/elem over its own elements) takes %.2f× the slab's time"
              + " over %d.",
          shards, shards * r.ratio("shardOf" + shards + "Threads", "slabThreads"), shards);
    }
    out.println();
    target(
        gbPerS / limit >= 0.9,
        "AdamW on GPT-2 small's tensors on %d threads ≥ 90 %% of the"
            + " memory-only limit: %.0f %% (%.2f× one thread)",
        threads,
        100 * gbPerS / limit,
        speedup);
    List<long[]> shapes = ModelBenchmark.gpt2SmallShapes();
    long adamWState = ModelBenchmark.stateBytes(AdamW.RULE, AdamOptions.ADAMW_DEFAULTS, shapes);
    long adafactorState =
        ModelBenchmark.stateBytes(Adafactor.RULE, ModelBenchmark.ADAFACTOR, shapes);
    double overAdamW = r.ratio("adafactorThreads", "threads");
    double ofLimit = r.ratio("adafactorLimitThreads", "adafactorThreads");
    out.printf(
        "%nState: AdamW %,d bytes, Adafactor %,d (%.2f %% of AdamW's). Adafactor's step on %d"
            + " threads: %.2f× AdamW's, %.0f %% of its own memory-only limit; %.2f× one"
            + " thread.%n",
        adamWState,
        adafactorState,
        100.0 * adafactorState / adamWState,
        threads,
        overAdamW,
        100 * ofLimit,
        r.ratio("adafactorOneThread", "adafactorThreads"));
    target(
        overAdamW <= 1.2,
        "Adafactor's step on GPT-2 small on %d threads ≤ 1.2× AdamW's: %.2f× (%.0f %% of its"
            + " three-pass limit)",
        threads,
        overAdamW,
        100 * ofLimit);
    target(
        adafactorState <= 0.05 * adamWState,
        "Adafactor's state on GPT-2 small ≤ 5 %% of AdamW's: %.2f %% (%,d bytes against %,d)",
        100.0 * adafactorState / adamWState,
        adafactorState,
        adamWState);
    target(
        slab >= 0.95,
        "GPT-2 small's tensors in a slab on %d threads ≥ 0.95× the speed of one tensor of as"
            + " many floats: %.2f×",
        threads,
        slab);
  }

  private static void modelRow(
      PrintStream out, String what, Result r, String counter, int bytes, long n) {
    out.printf(
        "| %s | %.1f | %.3f | %.1f |%n",
        what, r.ns(counter) / 1e6, r.ns(counter) / n, bytes / (r.ns(counter) / n));
  }

  private void manyTensors(PrintStream out) {
    Result r = get("ManyTensorsBenchmark", null, 0, threads);
    if (r == null) {
      return;
    }
    int n = ManyTensorsBenchmark.TOTAL;
    String[] cuts = {
      "tensors4096x256", "tensors1024x1024", "tensor1x1048576", "slab4096x256", "slab1024x1024"
    };
    String[] labels = {
      "4,096 × 256",
      "1,024 × 1,024",
      "1 × 1,048,576",
      "4,096 × 256 in a slab",
      "1,024 × 1,024 in a slab"
    };
    String one = cuts[2];
    out.println();
    out.println("### Many small tensors: AdamW over 1,048,576 parameters cut three ways");
    out.println();
    out.printf(
        "| tensors | 1 thread ns/elem | vs one tensor | %d threads ns/elem | vs one tensor |%n",
        threads);
    out.println("|---|--:|--:|--:|--:|");
    for (int c = 0; c < cuts.length; c++) {
      out.printf(
          "| %s | %s | %.2f× | %s | %.2f× |%n",
          labels[c],
          cell(r, cuts[c] + "OneThread", n),
          r.ratio(cuts[c] + "OneThread", one + "OneThread"),
          cell(r, cuts[c] + "Threads", n),
          r.ratio(cuts[c] + "Threads", one + "Threads"));
    }
    out.printf(
        "%nEach tensor allocated on its own (64-byte aligned), or all of them the tensors of one"
            + " ParameterSlab, which the optimizer steps as one range; the ten optimizers in"
            + " turn.%n");
    double small = r.ratio(cuts[0] + "OneThread", one + "OneThread");
    target(
        small <= 1.25,
        "4,096 tensors of 256 on one thread ≤ 1.25× the ns/elem of one tensor"
            + " of 1,048,576: %.2f×",
        small);
    double slabOne = r.ratio(cuts[3] + "OneThread", one + "OneThread");
    double slabThreads = r.ratio(cuts[3] + "Threads", one + "Threads");
    target(
        Math.max(slabOne, slabThreads) <= 1.15,
        "4,096 tensors of 256 in a slab ≤ 1.15× the ns/elem of one tensor of 1,048,576 on 1 and"
            + " %d threads: %.2f×, %.2f×",
        threads,
        slabOne,
        slabThreads);
  }

  private void clipping(PrintStream out) {
    Result r = get("ClippingBenchmark", null, LARGEST, threads);
    if (r == null) {
      return;
    }
    int n = LARGEST;
    out.println();
    out.printf("### Clipping and the guard, %,d elements, %d threads%n%n", n, threads);
    out.println("| variant | ns/elem | vs AdamW | GB/s |");
    out.println("|---|--:|--:|--:|");
    out.printf("| AdamW | %s | 1.00× | %.1f |%n", cell(r, "adamW", n), 28 / (r.ns("adamW") / n));
    out.printf(
        "| AdamW, clipped by the 2-norm | %s | %.2f× | %.1f |%n",
        cell(r, "clipped", n), r.ratio("clipped", "adamW"), 32 / (r.ns("clipped") / n));
    out.printf(
        "| AdamW, clipped and guarded | %s | %.2f× | %.1f |%n",
        cell(r, "clippedGuarded", n),
        r.ratio("clippedGuarded", "adamW"),
        32 / (r.ns("clippedGuarded") / n));
    out.printf(
        "| the gradient norm alone | %s | | %.1f |%n", cell(r, "norm", n), 4 / (r.ns("norm") / n));
    out.printf(
        "| read-only limit (a sum) | %s | | %.1f |%n",
        cell(r, "readLimit", n), 4 / (r.ns("readLimit") / n));
    double overhead = r.ratio("clipped", "adamW");
    out.printf(
        "%nThe norm reads the gradients at %.0f %% of the read-only limit; clipped steps count 32"
            + " bytes per element (28 and the norm's read).%n",
        100 * r.ratio("readLimit", "norm"));
    target(
        overhead <= 1.2,
        "AdamW clipped by norm ≤ 1.2× AdamW alone at %,d elements: %.2f×",
        n,
        overhead);
  }

  /**
   * 0 B per step. JMH's GC profiler counts its own allocation too, at a steady rate: a few bytes
   * per call in proportion to the call's time. The check is where that share is small, against less
   * than one object per call: a kernel whose vectors were boxed would allocate kilobytes.
   */
  private void checkAllocation() {
    double most = 0;
    for (Map.Entry<Key, Result> e : results.entrySet()) {
      Key k = e.getKey();
      boolean small =
          (k.benchmark().equals("RuleBenchmark") || k.benchmark().equals("ThreadsBenchmark"))
              && k.size() <= ALLOCATION_CHECKED;
      if (small) {
        most = Math.max(most, e.getValue().bytesPerCall());
      } else if (k.benchmark().equals("ManyTensorsBenchmark")) {
        // its own count, every thread's allocation around the steps, over the ten steps of a call
        most =
            Math.max(
                most,
                e.getValue().median(it -> it.get("stepBytes"))
                    / (2 * ManyTensorsBenchmark.LAYOUTS));
      }
    }
    target(
        most < ONE_OBJECT,
        "0 B allocated per step, i.e. under one object (%.0f B) per call (every rule's variants at"
            + " ≤ %,d elements and the parallel step there, -prof gc; the steps over many tensors,"
            + " every thread's allocation counter): at most %.1f B/call",
        ONE_OBJECT,
        ALLOCATION_CHECKED,
        most);
  }

  private void target(boolean met, String format, Object... args) {
    targets.add((met ? "✓ " : "✗ ") + String.format(format, args));
  }

  /** ns per element of a counter, marked where the iterations were not steady. */
  private static String cell(Result r, String counter, int size) {
    return String.format("%.3f%s", r.ns(counter) / size, r.spread(counter) > STEADY ? "\\*" : "");
  }
}
