package dev.stride.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * DJL's trainer on its PyTorch engine with three optimizers in turn ({@link InTurn}), on one model
 * cut ({@link DjlTrainers.Cut}): DJL's {@code Optimizer.adam()}, {@code StrideOptimizer} AdamW, and
 * an optimizer that does nothing (what DJL's trainer costs around any update: its parameter
 * server's copy of every gradient, its array wrappers). {@link #step}: {@code trainer.step()}
 * alone, the gradients computed once before; {@link #batch}: a whole training batch, forward,
 * backward and update. Each call's time and the bytes it allocated on the calling thread, and the
 * bytes of the Stride step inside Stride's trainer step. {@code threads} is what the runner sets
 * both Stride's step and DJL's intra-op threads to ({@code -Dai.djl.pytorch.num_threads}, per JVM).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules",
      "jdk.incubator.vector",
      "--enable-native-access=ALL-UNNAMED",
      "-Dai.djl.offline=true",
      "-DOPT_OUT_TRACKING=true",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class DjlBenchmark {
  /** The batch of the whole-batch runs. */
  static final int BATCH = 64;

  /** Nanoseconds and bytes per optimizer in one iteration, and calls. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Calls {
    public long djlAdam;
    public long strideAdamW;
    public long none;
    public long djlAdamBytes;
    public long strideAdamWBytes;
    public long noneBytes;
    public long strideStepBytes;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      djlAdam = strideAdamW = none = calls = 0;
      djlAdamBytes = strideAdamWBytes = noneBytes = strideStepBytes = 0;
    }

    void add(DjlTrainers t, long nanos, long bytes) {
      switch (t.kind) {
        case DJL_ADAM -> {
          djlAdam += nanos;
          djlAdamBytes += bytes;
        }
        case STRIDE_ADAMW -> {
          strideAdamW += nanos;
          strideAdamWBytes += bytes;
          strideStepBytes += t.strideStepBytes;
        }
        case NONE -> {
          none += nanos;
          noneBytes += bytes;
        }
      }
    }
  }

  /** A {@link DjlTrainers.Cut}. */
  @Param("M16_FEW")
  public String cut;

  @Param("2")
  public int threads;

  private final List<DjlTrainers> trainers = new ArrayList<>();
  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    for (DjlTrainers.Kind kind : DjlTrainers.Kind.values()) {
      trainers.add(new DjlTrainers(DjlTrainers.Cut.valueOf(cut), kind, threads, BATCH));
    }
  }

  @Benchmark
  public void step(Calls calls) {
    inTurn(calls, t -> t.trainer.step());
  }

  @Benchmark
  public void batch(Calls calls) {
    inTurn(calls, DjlTrainers::trainBatch);
  }

  private void inTurn(Calls calls, java.util.function.Consumer<DjlTrainers> work) {
    for (int position = 0; position < trainers.size(); position++) {
      DjlTrainers t = trainers.get(InTurn.variant(call, position, trainers.size()));
      long[] nanos = new long[1];
      long bytes = DjlTrainers.bytes(() -> nanos[0] = InTurn.nanos(() -> work.accept(t)));
      calls.add(t, nanos[0], bytes);
    }
    call++;
    calls.calls++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trainers.forEach(DjlTrainers::close);
  }

  /** The Markdown section of {@link BenchmarkTable}, with the targets. */
  static void report(Collection<RunResult> runs, PrintStream out) {
    List<String> targets = new ArrayList<>();
    out.println("### DJL: trainer.step() with DJL's Adam and with StrideOptimizer AdamW");
    out.println();
    out.println(
        "Load average at the end: " + loadAverage() + " (other processes share the cores).");
    out.println();
    out.println(
        "| parameters | tensors | threads | DJL's Adam ms | StrideOptimizer ms | no update ms"
            + " | Stride's speed-up | of the update alone | B per step: DJL's Adam | Stride |"
            + " no update | Stride's step |");
    out.println("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    List<RunResult> batches = new ArrayList<>();
    java.util.Map<String, InTurnMedians> steps = new java.util.HashMap<>();
    for (RunResult r : sorted(runs)) {
      if (r.getParams().getBenchmark().endsWith(".batch")) {
        batches.add(r);
        continue;
      }
      DjlTrainers.Cut cut = DjlTrainers.Cut.valueOf(r.getParams().getParam("cut"));
      int threads = Integer.parseInt(r.getParams().getParam("threads"));
      InTurnMedians m = InTurnMedians.of(r);
      steps.put(cut + " " + threads, m);
      double speedUp = m.ratio("djlAdam", "strideAdamW");
      out.printf(
          Locale.ROOT,
          "| %,d | %d | %d | %.2f | %.2f | %.2f | %.1f× | %.1f× | %,.0f | %,.0f | %,.0f | %,.0f"
              + " |%n",
          cut.parameters(),
          cut.tensors(),
          threads,
          m.ns("djlAdam") / 1e6,
          m.ns("strideAdamW") / 1e6,
          m.ns("none") / 1e6,
          speedUp,
          updateAlone(r),
          bytes(r, "djlAdamBytes"),
          bytes(r, "strideAdamWBytes"),
          bytes(r, "noneBytes"),
          bytes(r, "strideStepBytes"));
      if (threads > 1 && (cut == DjlTrainers.Cut.M16_FEW || cut == DjlTrainers.Cut.M1_FEW)) {
        double target = cut == DjlTrainers.Cut.M16_FEW ? 10 : 3;
        targets.add(
            String.format(
                Locale.ROOT,
                "- StrideOptimizer AdamW ≥ %.0f× DJL's Adam at %,d parameters on %d threads: %.1f×,"
                    + " %s",
                target,
                cut.parameters(),
                threads,
                speedUp,
                speedUp >= target ? "met" : "missed"));
      }
      if (cut.parameters() > 10_000_000 && threads > 1) {
        double stepBytes = bytes(r, "strideStepBytes");
        targets.add(
            String.format(
                Locale.ROOT,
                "- 0 B allocated by Stride's step at %,d parameters, %d tensors: %,.0f B, %s",
                cut.parameters(),
                cut.tensors(),
                stepBytes,
                stepBytes == 0 ? "met" : "missed"));
      }
    }
    out.println();
    out.println(
        "The three optimizers' trainers are stepped in turn in one fork, gradients computed once"
            + " before; Stride's speed-up is the median over iterations of DJL's time over"
            + " Stride's; of the update alone: both less the trainer with no update (DJL's"
            + " parameter server copies every gradient and wraps every array before any optimizer"
            + " sees them). B per step: bytes allocated on the trainer's thread in a"
            + " trainer.step(), and by the Stride step within Stride's.");
    for (RunResult r : batches) {
      InTurnMedians m = InTurnMedians.of(r);
      DjlTrainers.Cut cut = DjlTrainers.Cut.valueOf(r.getParams().getParam("cut"));
      double djl = m.ns("djlAdam");
      double stride = m.ns("strideAdamW");
      double none = m.ns("none");
      out.println();
      out.printf(
          Locale.ROOT,
          "A whole batch of %d (forward, backward, update), %,d parameters in %d tensors, %s"
              + " threads: DJL's Adam %.1f ms, StrideOptimizer %.1f ms, no update %.1f ms: %.2f×"
              + " faster; the update's share of DJL's batch %.0f %%, of Stride's %.0f %%.%n",
          BATCH,
          cut.parameters(),
          cut.tensors(),
          r.getParams().getParam("threads"),
          djl / 1e6,
          stride / 1e6,
          none / 1e6,
          m.ratio("djlAdam", "strideAdamW"),
          100 * (djl - none) / djl,
          100 * (stride - none) / stride);
      InTurnMedians step = steps.get(cut + " " + r.getParams().getParam("threads"));
      if (step != null) {
        // what the step benchmark says Stride's update saves, taken off DJL's batch
        double saved = step.ns("djlAdam") - step.ns("strideAdamW");
        double expected = djl / (djl - saved);
        double measured = m.ratio("djlAdam", "strideAdamW");
        targets.add(
            String.format(
                Locale.ROOT,
                "- the whole batch faster by the update's share: %.2f×, where the step alone saves"
                    + " %.1f ms of DJL's %.1f ms batch (%.2f×), %s",
                measured,
                saved / 1e6,
                djl / 1e6,
                expected,
                measured >= 0.9 * expected ? "met" : "missed"));
      }
    }
    out.println();
    targets.forEach(out::println);
  }

  /** The median over iterations of DJL's update time over Stride's, each less the no-update's. */
  private static double updateAlone(RunResult r) {
    org.openjdk.jmh.util.ListStatistics ratios = new org.openjdk.jmh.util.ListStatistics();
    for (var fork : r.getBenchmarkResults()) {
      for (var iteration : fork.getIterationResults()) {
        var c = iteration.getSecondaryResults();
        double none = c.get("none").getScore();
        ratios.addValue(
            (c.get("djlAdam").getScore() - none) / (c.get("strideAdamW").getScore() - none));
      }
    }
    return ratios.getPercentile(50);
  }

  /**
   * The median over iterations of {@code counter}'s bytes per call, iterations of none included
   * ({@link InTurnMedians} leaves out counters at 0, as absent).
   */
  private static double bytes(RunResult r, String counter) {
    org.openjdk.jmh.util.ListStatistics perCall = new org.openjdk.jmh.util.ListStatistics();
    for (var fork : r.getBenchmarkResults()) {
      for (var iteration : fork.getIterationResults()) {
        var counters = iteration.getSecondaryResults();
        var value = counters.get(counter);
        perCall.addValue(value == null ? 0 : value.getScore() / counters.get("calls").getScore());
      }
    }
    return perCall.getPercentile(50);
  }

  private static String loadAverage() {
    try {
      String[] fields =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return fields[0] + ", " + fields[1] + ", " + fields[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** By benchmark, then parameters, then threads. */
  private static List<RunResult> sorted(Collection<RunResult> runs) {
    List<RunResult> list = new ArrayList<>(runs);
    list.sort(
        java.util.Comparator.<RunResult, String>comparing(r -> r.getParams().getBenchmark())
            .reversed()
            .thenComparing(r -> DjlTrainers.Cut.valueOf(r.getParams().getParam("cut")).ordinal())
            .thenComparing(r -> Integer.parseInt(r.getParams().getParam("threads"))));
    return list;
  }
}
