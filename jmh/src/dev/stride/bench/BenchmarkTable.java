package dev.stride.bench;

import dev.stride.bench.UpdateRuleBenchmark.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;
import java.util.HashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.ListStatistics;
import org.openjdk.jmh.util.Statistics;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The main job: runs {@link UpdateRuleBenchmark}, {@link MemoryBoundBenchmark},
 * {@link OptimizerStepBenchmark} and, out of cache, {@link PairedRatioBenchmark} with the GC profiler and prints one Markdown table of medians
 * over the measured iterations, then the targets, each passed or missed.
 *
 * <pre>
 *   --quick (default)   1 fork, 8 warm-up and 5 measured iterations per row: about five minutes
 *   --full              3 forks, 10 warm-up and 10 measured iterations per row, each 3x longer
 *   --sizes 1024,16384  only these sizes;  --rules adam,sgd_momentum  only these rules
 *   --no-extras         without the weight-averaging and checkpoint sections
 * </pre>
 *
 * After the table: {@link AveragingBenchmark} at the sizes of {@link #AVERAGING_SIZES} that are
 * run, and {@link CheckpointBenchmark}, each as a section of its own.
 *
 * JMH's own output goes to {@code target/bench/jmh-SIZE.log}, one file per size.
 */
public final class BenchmarkTable {
  static final List<Integer> SIZES = List.of(1024, 16384, 100003, 262144, 4194304, 16777216);
  static final int OPTIMIZER_SIZE = 16384;
  /** The sizes weight averaging is measured at: in cache, in L3, in DRAM. */
  static final List<Integer> AVERAGING_SIZES = List.of(16384, 262144, 16777216);
  /** From this size on, vector/float[] is also measured in turn in one fork: see {@link PairedRatioBenchmark}. */
  static final int PAIRED_FROM = 4194304;
  private static final Path LOG_DIR = Path.of("target", "bench");

  private record Mode(String name, int forks, int warmups, int measurements, double timeScale) {}

  private static final Mode QUICK = new Mode("quick", 1, 8, 5, 1);
  private static final Mode FULL = new Mode("full", 3, 10, 10, 3);

  public static void main(String[] args) throws RunnerException, IOException {
    Mode mode = QUICK;
    List<Integer> sizes = SIZES;
    List<Rule> rules = List.of(Rule.values());
    boolean extras = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> mode = QUICK;
        case "--full" -> mode = FULL;
        case "--sizes" -> sizes = parse(args[++i], Integer::valueOf);
        case "--rules" -> rules = parse(args[++i], s -> Rule.valueOf(s.toUpperCase(Locale.ROOT)));
        case "--no-extras" -> extras = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; expected --quick, --full, --sizes N,N.., --rules NAME,NAME.. or --no-extras");
      }
    }
    Files.createDirectories(LOG_DIR);
    long start = System.nanoTime();
    Map<Report.Key, Report.Row> rows = new HashMap<>();
    Map<Report.Key, Report.Paired> paired = new HashMap<>();
    for (int size : sizes) {
      System.out.printf("size %,d ...%n", size);
      ChainedOptionsBuilder options = options(mode, size)
          .include("(UpdateRuleBenchmark|MemoryBoundBenchmark)\\.")
          .param("rule", rules.stream().map(Enum::name).toArray(String[]::new));
      if (size == OPTIMIZER_SIZE) {
        options.include("OptimizerStepBenchmark\\.");
      }
      if (size >= PAIRED_FROM) {
        options.include("PairedRatioBenchmark\\.");
      }
      collect(new Runner(options.build()).run(), rows, paired);
    }
    if (sizes.contains(Report.LARGEST) && rules.contains(Rule.ADAM)) {
      System.out.println("Adam at the largest size over page-aligned buffers ...");
      collect(new Runner(options(mode, Report.LARGEST)
          .include("UpdateRuleBenchmark\\.vector$")
          .param("rule", Rule.ADAM.name())
          .param("layout", SegmentBuffers.Layout.PAGE_ALIGNED.name())
          .output(LOG_DIR.resolve("jmh-page-aligned.log").toString())
          .build()).run(), rows, paired);
    }
    Collection<RunResult> averaging = List.of();
    Collection<RunResult> checkpoints = List.of();
    if (extras) {
      String[] averagingSizes = sizes.stream().filter(AVERAGING_SIZES::contains).map(String::valueOf)
          .toArray(String[]::new);
      if (averagingSizes.length > 0) {
        System.out.println("weight averaging ...");
        averaging = new Runner(new OptionsBuilder().include("AveragingBenchmark\\.")
            .param("size", averagingSizes)
            .forks(mode.forks)
            .warmupIterations(mode.warmups)
            .warmupTime(TimeValue.milliseconds(Math.round(mode.timeScale * 250)))
            .measurementIterations(mode.measurements)
            .measurementTime(TimeValue.milliseconds(Math.round(mode.timeScale * 300)))
            .shouldFailOnError(true)
            .output(LOG_DIR.resolve("jmh-averaging.log").toString()).build()).run();
      }
      System.out.println("checkpoints ...");
      checkpoints = new Runner(new OptionsBuilder().include("CheckpointBenchmark\\.")
          .forks(mode.forks).shouldFailOnError(true)
          .output(LOG_DIR.resolve("jmh-checkpoints.log").toString()).build()).run();
    }
    System.out.printf("%nran in %.1f min; JMH's output is in %s%n%n",
        (System.nanoTime() - start) / 60e9, LOG_DIR.resolve("jmh-SIZE.log"));
    System.out.println(machine(mode));
    System.out.println();
    new Report(rows, paired, sizes, rules).print(System.out);
    if (extras) {
      System.out.println();
      AveragingBenchmark.report(averaging, System.out);
      System.out.println();
      CheckpointBenchmark.report(checkpoints, System.out);
    }
  }

  private static ChainedOptionsBuilder options(Mode mode, int size) {
    // Until C2's code for a kernel is installed every vector is a boxed object (calls 100x
    // slower). C2 starts on it about 0.7 s into a fork and takes about 0.5 s more here (seconds
    // while other builds load the machine), at any size: hence 2 s of warm-up. At 4M and more a
    // call itself takes 2-100 ms.
    long warmupMs = Math.round(mode.timeScale * 250);
    long measureMs = Math.round(mode.timeScale * (size >= 4194304 ? 300 : 100));
    return new OptionsBuilder()
        .param("size", Integer.toString(size))
        .forks(mode.forks)
        .warmupIterations(mode.warmups)
        .warmupTime(TimeValue.milliseconds(warmupMs))
        .measurementIterations(mode.measurements)
        .measurementTime(TimeValue.milliseconds(measureMs))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .output(LOG_DIR.resolve("jmh-" + size + ".log").toString());
  }

  private static void collect(Collection<RunResult> results, Map<Report.Key, Report.Row> rows,
      Map<Report.Key, Report.Paired> paired) {
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String rule = r.getParams().getParam("rule");
      // "UpdateRuleBenchmark.vector": the name without the package
      String name = benchmark.substring(BenchmarkTable.class.getPackageName().length() + 1);
      if (SegmentBuffers.Layout.PAGE_ALIGNED.name().equals(r.getParams().getParam("layout"))) {
        name += Report.PAGE_ALIGNED;
      }
      Report.Key key = new Report.Key(name, rule == null ? null : Rule.valueOf(rule),
          Integer.parseInt(r.getParams().getParam("size")));
      double bytes = Double.NaN;
      for (String counter : r.getSecondaryResults().keySet()) {
        if (counter.endsWith("gc.alloc.rate.norm")) {
          bytes = r.getSecondaryResults().get(counter).getStatistics().getPercentile(50);
        }
      }
      if (name.startsWith("PairedRatioBenchmark")) {
        paired.put(key, pairedRatio(r));
        continue;
      }
      Statistics time = r.getPrimaryResult().getStatistics();
      rows.put(key, new Report.Row(time.getPercentile(50), time.getMax() / time.getMin(), bytes));
    }
  }

  /** float[] time over vector time in each measured iteration: their median and spread. */
  private static Report.Paired pairedRatio(RunResult r) {
    ListStatistics ratios = new ListStatistics();
    for (BenchmarkResult fork : r.getBenchmarkResults()) {
      for (IterationResult iteration : fork.getIterationResults()) {
        var counters = iteration.getSecondaryResults();
        ratios.addValue(counters.get("floatArray").getScore() / counters.get("vector").getScore());
      }
    }
    return new Report.Paired(ratios.getPercentile(50), ratios.getMax() / ratios.getMin());
  }


  private static <T> List<T> parse(String list, Function<String, T> f) {
    return Stream.of(list.split(",")).map(String::trim).map(f)
        .collect(Collectors.toList());
  }

  private static String machine(Mode mode) {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
    } catch (IOException e) {
      // not Linux: the CPU stays unnamed
    }
    return String.format("%s, %s, %d cores; %s %s; JMH 1.37 %s mode, medians of %d × %d iterations",
        LocalDate.now(), cpu, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        mode.name, mode.forks, mode.measurements);
  }
}
