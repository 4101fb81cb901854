package dev.stride.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The main job: runs the benchmarks with the GC profiler and prints Markdown tables of medians over
 * the measured iterations, then the issues' targets, each met or missed.
 *
 * <pre>
 *   --quick (default)   1 fork, 8 warm-up and 5 measured iterations per run, the rule table at
 *                       16K and 16M elements and the parallel step for the rules with a target
 *                       on all cores: about ten minutes
 *   --full              3 forks, 10 warm-up and 10 measured iterations, each 3x longer, six
 *                       sizes, every rule on all cores
 *   --smoke             1 fork, 2 warm-up and 2 measured iterations: that every part runs
 *   --sizes 16384,…     the rule table at these sizes;  --rules adam,sgd_momentum  only these rules
 *   --threads N         the parallel runs on N threads (default: the machine's cores)
 *   --only rules,threads,model,many,clipping,averaging,checkpoints,djl,lowbit   only these parts
 * </pre>
 *
 * The weight averaging ({@link AveragingBenchmark}, at the rule table's sizes), checkpoint ({@link
 * CheckpointBenchmark}) and DJL ({@link DjlBenchmark}) parts print sections of their own after the
 * tables.
 *
 * <p>JMH's own output goes to {@code target/bench/jmh-PART.log}.
 */
public final class BenchmarkTable {
  static final List<Integer> ALL_SIZES = List.of(1024, 16384, 100003, 262144, 4194304, 16777216);
  static final List<Integer> QUICK_SIZES = List.of(16384, 16777216);

  /** The parallel step's sizes, where it is held against C. */
  static final List<Integer> THREAD_SIZES =
      List.of(16384, 65536, 262144, 1048576, 4194304, 16777216);

  private static final List<String> PARTS =
      List.of(
          "rules",
          "threads",
          "model",
          "many",
          "clipping",
          "averaging",
          "checkpoints",
          "djl",
          "lowbit");
  private static final Path LOG_DIR = Path.of("target", "bench");

  private record Mode(String name, int forks, int warmups, int measurements, double timeScale) {}

  private static final Mode QUICK = new Mode("quick", 1, 8, 5, 1);
  private static final Mode FULL = new Mode("full", 3, 10, 10, 3);

  /** Whether every part runs, in seconds: its numbers are not steady enough to mean anything. */
  private static final Mode SMOKE = new Mode("smoke", 1, 2, 2, 1);

  public static void main(String[] args) throws RunnerException, IOException {
    Mode mode = QUICK;
    List<Integer> sizes = null;
    List<Rule> rules = List.of(Rule.values());
    int threads = Runtime.getRuntime().availableProcessors();
    List<String> parts = PARTS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> mode = QUICK;
        case "--full" -> mode = FULL;
        case "--smoke" -> mode = SMOKE;
        case "--sizes" -> sizes = parse(args[++i], Integer::valueOf);
        case "--rules" -> rules = parse(args[++i], s -> Rule.valueOf(s.toUpperCase(Locale.ROOT)));
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--only" -> parts = parse(args[++i], String::trim);
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; expected --quick, --full, --smoke, --sizes N,N.., --rules NAME,NAME..,"
                    + " --threads N"
                    + " or --only "
                    + String.join(",", PARTS));
      }
    }
    if (sizes == null) {
      sizes = mode == FULL ? ALL_SIZES : QUICK_SIZES;
    }
    Files.createDirectories(LOG_DIR);
    long start = System.nanoTime();
    yardstick = Yardstick.build(LOG_DIR.resolveSibling("yardstick"));
    System.out.println(yardstick.describe());
    Map<Report.Key, Report.Result> results = new HashMap<>();
    String[] ruleNames = rules.stream().map(Enum::name).toArray(String[]::new);
    String t = Integer.toString(threads);
    if (parts.contains("rules")) {
      for (int size : sizes) {
        System.out.printf("rules at %,d elements ...%n", size);
        collect(
            run(
                options(mode, "rules-" + size, size >= 4194304 ? 300 : 100)
                    .include("RuleBenchmark\\.")
                    .param("rule", ruleNames)
                    .param("size", Integer.toString(size))),
            results);
      }
    }
    if (parts.contains("threads")) {
      // the steps held against C at the parallel step's sizes (quick mode: Adam at all but 4M,
      // AdamW and SGD momentum at 16K, 256K and 16M); the other rules with a target on all cores
      // at 16M (full mode: every rule)
      boolean full = mode == FULL;
      for (List<Rule> group : List.of(List.of(Rule.ADAM), List.of(Rule.ADAMW, Rule.SGD_MOMENTUM))) {
        String[] against = names(rules.stream().filter(group::contains));
        if (against.length == 0) {
          continue;
        }
        List<Integer> at =
            full
                ? THREAD_SIZES
                : group.contains(Rule.ADAM)
                    ? List.of(16384, 65536, 262144, 1048576, 16777216)
                    : List.of(16384, 262144, 16777216);
        System.out.printf(
            "%s at %s elements on 1 and %d threads, against C ...%n",
            String.join(", ", against), at, threads);
        collect(
            run(
                options(mode, "threads-" + against[0].toLowerCase(Locale.ROOT), 300)
                    .include("ThreadsBenchmark\\.")
                    .param("rule", against)
                    .param("size", at.stream().map(String::valueOf).toArray(String[]::new))
                    .param("threads", t)),
            results);
      }
      String[] parallel =
          names(
              rules.stream()
                  .filter(r -> r != Rule.ADAM && r != Rule.ADAMW && r != Rule.SGD_MOMENTUM)
                  .filter(r -> full || r.parallelTarget()));
      if (parallel.length > 0) {
        System.out.printf(
            "rules at %,d elements on 1 and %d threads ...%n", Report.LARGEST, threads);
        collect(
            run(
                options(mode, "threads", 300)
                    .include("ThreadsBenchmark\\.")
                    .param("rule", parallel)
                    .param("size", Integer.toString(Report.LARGEST))
                    .param("threads", t)),
            results);
      }
    }
    if (parts.contains("model")) {
      System.out.printf("GPT-2 small on 1 and %d threads ...%n", threads);
      collect(
          run(options(mode, "model", 1000).include("ModelBenchmark\\.").param("threads", t)),
          results);
    }
    if (parts.contains("many")) {
      System.out.printf("many small tensors on 1 and %d threads ...%n", threads);
      collect(
          run(options(mode, "many", 200).include("ManyTensorsBenchmark\\.").param("threads", t)),
          results);
    }
    if (parts.contains("clipping")) {
      System.out.printf("clipping on %d threads ...%n", threads);
      collect(
          run(options(mode, "clipping", 300).include("ClippingBenchmark\\.").param("threads", t)),
          results);
    }
    Collection<RunResult> averaging = List.of();
    if (parts.contains("averaging")) {
      System.out.println("weight averaging ...");
      averaging =
          run(
              options(mode, "averaging", 300)
                  .include("AveragingBenchmark\\.")
                  .param("size", sizes.stream().map(String::valueOf).toArray(String[]::new)));
    }
    Collection<RunResult> lowBit = List.of();
    if (parts.contains("lowbit")) {
      System.out.printf("AdamW's state precisions on 1 and %d threads ...%n", threads);
      lowBit =
          run(
              options(mode, "lowbit", 1000)
                  .include("LowPrecisionBenchmark\\.")
                  .param("threads", t));
    }
    Collection<RunResult> checkpoints = List.of();
    if (parts.contains("checkpoints")) {
      System.out.println("checkpoints ...");
      // the benchmark's own iteration times: a call takes a fraction of a second
      checkpoints =
          run(
              new OptionsBuilder()
                  .include("CheckpointBenchmark\\.")
                  .forks(mode.forks)
                  .shouldFailOnError(true)
                  .output(LOG_DIR.resolve("jmh-checkpoints.log").toString()));
    }
    Collection<RunResult> djl = new java.util.ArrayList<>();
    if (parts.contains("djl")) {
      djl = djl(mode, threads);
    }
    System.out.printf(
        "%nran in %.1f min; JMH's output is in %s%n%n",
        (System.nanoTime() - start) / 60e9, LOG_DIR.resolve("jmh-PART.log"));
    System.out.println(machine(mode));
    System.out.println(yardstick.describe());
    if (!results.isEmpty()) {
      System.out.println();
      new Report(results, sizes, rules, threads, yardstick.describe()).print(System.out);
    }
    if (!averaging.isEmpty()) {
      System.out.println();
      AveragingBenchmark.report(averaging, System.out);
    }
    if (!checkpoints.isEmpty()) {
      System.out.println();
      CheckpointBenchmark.report(checkpoints, System.out);
    }
    if (!djl.isEmpty()) {
      System.out.println();
      DjlBenchmark.report(djl, System.out);
    }
    if (!lowBit.isEmpty()) {
      System.out.println();
      LowPrecisionBenchmark.report(lowBit, threads, System.out);
    }
  }

  /**
   * DJL's trainer with DJL's Adam and StrideOptimizer ({@link DjlBenchmark}), one fork per model
   * cut and thread count, since DJL's intra-op threads are set per JVM: 1M and 16M parameters, few
   * tensors and hundreds, on all cores (and 1 thread: quick mode 1M and 16M in few tensors), 100M
   * (quick mode: few tensors, all cores; 2 calls measured, each takes seconds), and a whole batch
   * of the 16M model: about a minute and a half in quick mode (BENCHMARKS.md).
   */
  private static Collection<RunResult> djl(Mode mode, int threads) throws RunnerException {
    boolean full = mode == FULL;
    Collection<RunResult> runs = new java.util.ArrayList<>();
    for (int t : threads > 1 ? List.of(threads, 1) : List.of(1)) {
      String[] cuts =
          t == threads || full
              ? new String[] {"M1_FEW", "M1_MANY", "M16_FEW", "M16_MANY"}
              : new String[] {"M1_FEW", "M16_FEW"};
      System.out.printf("DJL's trainer, 1M and 16M parameters, on %d threads ...%n", t);
      runs.addAll(
          run(
              djlOptions(mode, "djl-step-" + t, t, full ? 5 : 2, full ? 10 : 4, 400)
                  .include("DjlBenchmark\\.step$")
                  .param("cut", cuts)));
    }
    System.out.printf("DJL's trainer, 100M parameters, on %d threads ...%n", threads);
    runs.addAll(
        run(
            djlOptions(mode, "djl-step-100m", threads, 1, full ? 5 : 2, 1)
                .include("DjlBenchmark\\.step$")
                .param(
                    "cut",
                    full ? new String[] {"M100_FEW", "M100_MANY"} : new String[] {"M100_FEW"})));
    System.out.printf(
        "DJL's trainer, whole batches of the 16M model, on %d threads ...%n", threads);
    runs.addAll(
        run(
            djlOptions(mode, "djl-batch", threads, full ? 3 : 1, full ? 10 : 3, 400)
                .include("DjlBenchmark\\.batch$")
                .param("cut", "M16_FEW")));
    return runs;
  }

  private static ChainedOptionsBuilder djlOptions(
      Mode mode, String part, int threads, int warmups, int measurements, long measureMs) {
    return new OptionsBuilder()
        .forks(mode.forks)
        .warmupIterations(warmups)
        .warmupTime(TimeValue.milliseconds(measureMs))
        .measurementIterations(measurements)
        .measurementTime(TimeValue.milliseconds(measureMs))
        .param("threads", Integer.toString(threads))
        .jvmArgsAppend(
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-Dai.djl.offline=true",
            "-DOPT_OUT_TRACKING=true",
            "-Dai.djl.pytorch.num_threads=" + threads,
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-Xmx2g")
        .shouldFailOnError(true)
        .output(LOG_DIR.resolve("jmh-" + part + ".log").toString());
  }

  /** The C yardstick the forks load, or why there is none. */
  private static Yardstick.Build yardstick;

  private static String[] names(Stream<Rule> rules) {
    return rules.map(Enum::name).toArray(String[]::new);
  }

  private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
    return new Runner(options.build()).run();
  }

  private static ChainedOptionsBuilder options(Mode mode, String part, long measureMs) {
    // Until C2's code for a kernel is installed every vector is a boxed object (calls 100x
    // slower). C2 starts on it about 0.7 s into a fork and takes about 0.5 s more here (seconds
    // while other builds load the machine): hence 2 s of warm-up.
    return new OptionsBuilder()
        .forks(mode.forks)
        .warmupIterations(mode.warmups)
        .warmupTime(TimeValue.milliseconds(Math.round(mode.timeScale * Math.max(250, measureMs))))
        .measurementIterations(mode.measurements)
        .measurementTime(TimeValue.milliseconds(Math.round(mode.timeScale * measureMs)))
        .addProfiler(GCProfiler.class)
        // replaces the benchmarks' own @Fork arguments: the module, C's native access, C's build
        .jvmArgsAppend(
            "--add-modules",
            "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED",
            "-D"
                + Yardstick.LIBRARY_PROPERTY
                + "="
                + (yardstick.library() == null ? "" : yardstick.library()),
            "-D" + Yardstick.WAIT_POLICY_PROPERTY + "=" + Yardstick.waitPolicy())
        .shouldFailOnError(true)
        .output(LOG_DIR.resolve("jmh-" + part + ".log").toString());
  }

  /** Each run's counters per measured iteration, as nanoseconds per call. */
  private static void collect(Collection<RunResult> runs, Map<Report.Key, Report.Result> results) {
    for (RunResult r : runs) {
      var params = r.getParams();
      String benchmark = params.getBenchmark();
      String name =
          benchmark.substring(
              benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1,
              benchmark.lastIndexOf('.'));
      String rule = params.getParam("rule");
      String size = params.getParam("size");
      String threads = params.getParam("threads");
      Report.Key key =
          new Report.Key(
              name,
              rule == null ? null : Rule.valueOf(rule),
              size == null ? 0 : Integer.parseInt(size),
              threads == null ? 0 : Integer.parseInt(threads));
      List<Map<String, Double>> iterations = new java.util.ArrayList<>();
      double bytes = Double.NaN;
      for (BenchmarkResult fork : r.getBenchmarkResults()) {
        for (IterationResult iteration : fork.getIterationResults()) {
          Map<String, Result> counters = iteration.getSecondaryResults();
          double calls = counters.get("calls").getScore();
          Map<String, Double> perCall = new HashMap<>();
          counters.forEach(
              (counter, value) -> {
                if (!counter.equals("calls")
                    && !counter.startsWith("·gc")
                    && !counter.startsWith("gc.")) {
                  perCall.put(counter, value.getScore() / calls);
                }
              });
          iterations.add(perCall);
        }
      }
      for (String counter : r.getSecondaryResults().keySet()) {
        if (counter.endsWith("gc.alloc.rate.norm")) {
          bytes = r.getSecondaryResults().get(counter).getStatistics().getPercentile(50);
        }
      }
      results.put(key, new Report.Result(iterations, bytes));
    }
  }

  private static <T> List<T> parse(String list, Function<String, T> f) {
    return Stream.of(list.split(",")).map(String::trim).map(f).collect(Collectors.toList());
  }

  private static String machine(Mode mode) {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    } catch (IOException e) {
      // not Linux: the CPU stays unnamed
    }
    return String.format(
        "%s, %s, %d cores; %s %s; JMH 1.37 %s mode, medians of %d × %d iterations",
        LocalDate.now(),
        cpu,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        mode.name,
        mode.forks,
        mode.measurements);
  }
}
