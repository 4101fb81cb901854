package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.ParamGroup;
import dev.stride.plot.LineChart;
import dev.stride.plot.RangeTestPlot;
import dev.stride.schedule.Schedule;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.tuning.Heuristic;
import dev.stride.tuning.RangeTest;
import dev.stride.tuning.RangeTestResult;
import dev.stride.tuning.Suggestion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * An MLP that learns to tell two spirals apart, trained with {@link AdamW} on minibatches under
 * a linear warmup then cosine decay, whose peak rate a learning-rate {@link RangeTest} chooses:
 *
 * <ol>
 *   <li>generate the training and test points ({@link Spirals}) and a 2 → w → w → 2 ReLU network
 *       ({@link Mlp}), everything off-heap;
 *   <li>register the weights with AdamW's weight decay and the biases in a second group without it;
 *   <li>sweep the rate from 1e-4 to 1 over 1000 minibatches, read the valley suggestion off the
 *       loss curve; the sweep leaves the network and AdamW's state as they were;
 *   <li>train for the given epochs, the schedule peaking at the suggested rate, and measure the
 *       accuracy on the training points and on test points the network has not seen.
 * </ol>
 */
public final class SpiralClassifier {
  /** Arms' turns around the origin: 1.5 puts three arm crossings on a ray from the centre. */
  static final double TURNS = 1.5;
  /**
   * Four decades over 1000 minibatches: this network sits on a plateau for a couple of hundred
   * steps whatever the rate, so over the usual 100 the curve stays flat and its suggestions are noise.
   */
  static final int SWEEP_STEPS = 1000;
  static final RangeTest RANGE_TEST = RangeTest.exponential(1e-4, 1, SWEEP_STEPS);
  static final Heuristic HEURISTIC = Heuristic.VALLEY;
  /** The warmup's share of the steps, and the fraction of the peak rate it starts from. */
  static final double WARMUP_FRACTION = 0.05;
  static final double WARMUP_START = 0.1;

  /**
   * What to train: {@code pointsPerClass} training points per arm (and as many test points) with
   * Gaussian noise of standard deviation {@code noise}, two hidden layers of {@code width}, and
   * {@code epochs} passes in minibatches of {@code batchSize}; {@code seed} fixes the data, the
   * initial weights and the batches' order.
   */
  public record Config(int pointsPerClass, double noise, int width, int batchSize, int epochs, long seed) {
    public static final Config DEFAULT = new Config(400, 0.04, 64, 32, 60, 7);
  }

  /**
   * The loss and the learning rate of every training step, the steps in an epoch, and the steps of
   * warmup before the peak rate.
   */
  public record Curves(double[] losses, double[] lrs, int stepsPerEpoch, long warmupSteps) {}

  /**
   * What came out: the range test and the suggestion taken from it, the training curves, and the
   * share of training and of test points classified right at the end.
   */
  public record Result(RangeTestResult rangeTest, Suggestion peak, Curves curves, double trainAccuracy,
      double testAccuracy) {}

  /** The network, its loss and its optimizer: what one training step uses. */
  private record Model(Mlp mlp, SoftmaxCrossEntropy loss, AdamW adamw, int maxRows) {
    /** Zeroes the gradients, then takes the next batch forward and backward; returns its loss. */
    double lossAndGradients(Minibatches batches) {
      int rows = batches.next();
      adamw.zeroGrad();
      double l = loss.lossAndGrad(mlp.forward(batches.points(), rows), batches.labels(), rows);
      mlp.backward(loss.grad(), rows);
      return l;
    }

    /** The share of {@code data} classified right, taken in batches of {@code maxRows}. */
    double accuracy(Spirals data) {
      int correct = 0;
      for (int start = 0; start < data.size(); start += maxRows) {
        int rows = Math.min(maxRows, data.size() - start);
        MemorySegment points = data.points().asSlice(JAVA_FLOAT.scale(0, (long) start * Spirals.FEATURES));
        MemorySegment labels = data.labels().asSlice(JAVA_INT.scale(0, start));
        correct += mlp.countCorrect(points, labels, rows);
      }
      return (double) correct / data.size();
    }
  }

  private SpiralClassifier() {}

  /** Runs the four stages of the class comment, reporting to {@code log}. */
  public static Result train(Config config, Log log) {
    try (Arena arena = Arena.ofConfined();
        AdamW adamw = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      // one seed for each random stream, all drawn from the configured one
      Random seeds = new Random(config.seed());
      int perClass = config.pointsPerClass();
      Spirals train = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      Spirals test = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      int batch = config.batchSize();
      Mlp mlp = new Mlp(arena, batch, new Random(seeds.nextLong()),
          Spirals.FEATURES, config.width(), config.width(), Spirals.CLASSES);
      Model model = new Model(mlp, new SoftmaxCrossEntropy(arena, Spirals.CLASSES, batch), adamw, batch);
      // Decaying the weights limits the network's slopes, which regularizes; decaying the biases would
      // only pull its boundaries toward the origin.
      ParamGroup<AdamOptions> biases = adamw.addGroup(AdamOptions.ADAMW_DEFAULTS.withWeightDecay(0));
      for (Dense layer : mlp.denseLayers()) {
        adamw.add(layer.weight(), layer.weightGrad());
        biases.add(layer.bias(), layer.biasGrad());
      }

      // Both phases see the batches in the same order: training does not depend on the sweep's length.
      long batchSeed = seeds.nextLong();
      Minibatches sweepBatches = new Minibatches(arena, train, batch, batchSeed);
      RangeTestResult sweep;
      try (ProgressBar bar = log.progress("  range test", SWEEP_STEPS)) {
        int[] taken = {0};
        sweep = RANGE_TEST.run(adamw, lr -> {
          double l = model.lossAndGradients(sweepBatches);
          adamw.step();
          bar.update(++taken[0], String.format(Locale.ROOT, "lr %.2e  loss %.4f", lr, l));
          return l;
        });
      }
      Suggestion peak = sweep.suggestion(HEURISTIC).orElseThrow(() -> new IllegalStateException(
          "the range test stopped too early to suggest a rate: " + sweep));
      log.println(String.format(Locale.ROOT,
          "  range test: %d of %d steps (%s), suggestions %s; peak rate %.3g (%s)", sweep.size(),
          sweep.plannedSteps(), sweep.stop(), describe(sweep), peak.lr(), HEURISTIC.label()));

      Minibatches batches = new Minibatches(arena, train, batch, batchSeed);
      Curves curves = fit(model, batches, config.epochs(), peak.lr(), log);
      Result result = new Result(sweep, peak, curves, model.accuracy(train), model.accuracy(test));
      log.println(String.format(Locale.ROOT,
          "  accuracy: %.1f %% on the %d training points, %.1f %% on %d test points",
          100 * result.trainAccuracy(), train.size(), 100 * result.testAccuracy(), test.size()));
      return result;
    }
  }

  /** Trains for {@code epochs} under warmup then cosine decay peaking at {@code peak}. */
  private static Curves fit(Model model, Minibatches batches, int epochs, double peak, Log log) {
    int perEpoch = batches.batchesPerEpoch();
    int steps = epochs * perEpoch;
    long warmup = Math.max(1, Math.round(WARMUP_FRACTION * steps));
    Schedule schedule =
        Schedules.linearWarmup(warmup, WARMUP_START, Schedules.cosine(peak, 0, steps - warmup));
    ScheduleBinding<AdamOptions> scheduled = ScheduleBinding.of(model.adamw()).lr(schedule);
    double[] losses = new double[steps];
    double[] lrs = new double[steps];
    try (ProgressBar bar = log.progress("  training", steps)) {
      double epochLoss = 0;
      for (int step = 0; step < steps; step++) {
        lrs[step] = schedule.valueAt(step);
        losses[step] = model.lossAndGradients(batches);
        scheduled.step(); // sets the rate to lrs[step], then steps AdamW
        int inEpoch = step % perEpoch;
        epochLoss = (inEpoch == 0 ? 0 : epochLoss) + losses[step];
        bar.update(step + 1, String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  lr %.2e",
            step / perEpoch + 1, epochs, epochLoss / (inEpoch + 1), lrs[step]));
      }
    }
    return new Curves(losses, lrs, perEpoch, warmup);
  }

  /**
   * Writes, in {@code dir}, the range test ({@code spiral-range-test}), the training loss
   * ({@code spiral-loss}) and the schedule ({@code spiral-lr}), each as PNG, SVG and CSV.
   */
  public static List<Path> charts(Result result, Path dir) {
    Curves curves = result.curves();
    double[] steps = new double[curves.losses().length];
    Arrays.setAll(steps, i -> i);
    String warmupEnds = "warmup ends";
    List<Path> written =
        new ArrayList<>(RangeTestPlot.render(result.rangeTest(), dir.resolve("spiral-range-test")));
    written.addAll(LineChart.builder("step", steps)
        .title(String.format(Locale.ROOT, "Two spirals, AdamW: training loss (test accuracy %.1f %%)",
            100 * result.testAccuracy()))
        .yLabel("cross-entropy")
        .logY(true)
        .series("minibatch loss", curves.losses())
        .series("mean over the last epoch", trailingMean(curves.losses(), curves.stepsPerEpoch()))
        .marker(curves.warmupSteps(), warmupEnds)
        .build().write(dir.resolve("spiral-loss")));
    written.addAll(LineChart.builder("step", steps)
        .title(String.format(Locale.ROOT, "Warmup then cosine to the range test's %s, %.2g",
            result.peak().heuristic().label(), result.peak().lr()))
        .yLabel("learning rate")
        .series("learning rate", curves.lrs())
        .marker(curves.warmupSteps(), warmupEnds)
        .build().write(dir.resolve("spiral-lr")));
    return written;
  }

  /** The mean of each value and the {@code window − 1} before it (fewer at the start). */
  private static double[] trailingMean(double[] values, int window) {
    double[] means = new double[values.length];
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += values[i] - (i >= window ? values[i - window] : 0);
      means[i] = sum / Math.min(i + 1, window);
    }
    return means;
  }

  private static String describe(RangeTestResult sweep) {
    StringBuilder text = new StringBuilder();
    for (Suggestion s : sweep.suggestions()) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.3g", s.heuristic().label(), s.lr()));
    }
    return text.toString();
  }
}
