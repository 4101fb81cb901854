package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.plot.LineChart;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Fitting {@code y = w·x + b} to points of {@code y = 3x + 2 + noise} by full-batch gradient
 * descent with {@link Sgd}, at a rate too small, a good one and one too large. The mean squared
 * error {@code L = mean((w·x + b − y)²)} has the gradient, worked out by hand,
 *
 * <pre>
 *   ∂L/∂w = 2·mean((w·x + b − y)·x),   ∂L/∂b = 2·mean(w·x + b − y)
 * </pre>
 *
 * With x uniform in [−1, 1] the loss curves 2·E[x²] ≈ 2/3 along w and 2 along b, so a step at rate
 * η scales the error in w by {@code 1 − 2η/3} and in b by {@code 1 − 2η}. Full batch, so the three
 * runs differ by their rate alone.
 */
public final class LinearRegression {
  /** The line the data come from. */
  public static final double TRUE_W = 3;

  public static final double TRUE_B = 2;
  public static final int STEPS = 100;

  /** A run whose loss exceeds this many times its first is diverging: it stops there. */
  static final double EXPLODED = 100;

  /**
   * 200 points, noise of standard deviation 0.1: the least-squares line is within 0.01 of the true
   * one.
   */
  static final Data DATA = Data.generate(200, 0.1, 42);

  /** The three rates the example compares. */
  public enum Rate {
    /** w's error shrinks by 1.3 % a step: a quarter of it is left after 100 steps. */
    TOO_SMALL(0.02, "too small"),
    /** b's error is gone after one step, w's shrinks by a third a step. */
    RIGHT(0.5, "right"),
    /** b's error grows 1.2-fold a step, changing sign each time. */
    TOO_LARGE(1.1, "too large");

    private final double lr;
    private final String verdict;

    Rate(double lr, String verdict) {
      this.lr = lr;
      this.verdict = verdict;
    }

    public double lr() {
      return lr;
    }

    /** The legend's label, e.g. {@code lr 0.5 (right)}. */
    String label() {
      return "lr " + lr + " (" + verdict + ")";
    }
  }

  /** Noisy points of the line, the same for the same seed. */
  public record Data(float[] x, float[] y) {
    public static Data generate(int n, double noise, long seed) {
      Random random = new Random(seed);
      float[] x = new float[n];
      float[] y = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (2 * random.nextDouble() - 1);
        y[i] = (float) (TRUE_W * x[i] + TRUE_B + noise * random.nextGaussian());
      }
      return new Data(x, y);
    }
  }

  /**
   * One run: its rate, the parameters it ended with, and the loss after each step, from step 0
   * (before the first); a run that diverged stopped early, with fewer than {@code STEPS + 1}
   * losses.
   */
  public record Run(Rate rate, float w, float b, double[] losses) {
    public boolean diverged() {
      return losses.length <= STEPS;
    }

    public double finalLoss() {
      return losses[losses.length - 1];
    }
  }

  private LinearRegression() {}

  /** Trains from w = b = 0 for {@link #STEPS} steps at {@code rate}, or until the loss explodes. */
  public static Run train(Data data, Rate rate) {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(rate.lr()))) {
      MemorySegment w = arena.allocate(JAVA_FLOAT);
      MemorySegment b = arena.allocate(JAVA_FLOAT);
      MemorySegment wGrad = arena.allocate(JAVA_FLOAT);
      MemorySegment bGrad = arena.allocate(JAVA_FLOAT);
      sgd.add(w, wGrad).add(b, bGrad);
      double[] losses = new double[STEPS + 1];
      for (int step = 0; step <= STEPS; step++) {
        double loss = lossAndGrad(data, w, b, wGrad, bGrad);
        if (step > 0 && !(loss <= EXPLODED * losses[0])) {
          return new Run(
              rate, w.get(JAVA_FLOAT, 0), b.get(JAVA_FLOAT, 0), Arrays.copyOf(losses, step));
        }
        losses[step] = loss;
        if (step < STEPS) {
          sgd.step();
        }
      }
      return new Run(rate, w.get(JAVA_FLOAT, 0), b.get(JAVA_FLOAT, 0), losses);
    }
  }

  /** The mean squared error at (w, b); writes its gradient to wGrad and bGrad. */
  private static double lossAndGrad(
      Data data, MemorySegment w, MemorySegment b, MemorySegment wGrad, MemorySegment bGrad) {
    float wv = w.get(JAVA_FLOAT, 0);
    float bv = b.get(JAVA_FLOAT, 0);
    int n = data.x().length;
    double loss = 0;
    double dw = 0;
    double db = 0;
    for (int i = 0; i < n; i++) {
      double error = wv * data.x()[i] + bv - data.y()[i];
      loss += error * error;
      dw += 2 * error * data.x()[i];
      db += 2 * error;
    }
    wGrad.set(JAVA_FLOAT, 0, (float) (dw / n));
    bGrad.set(JAVA_FLOAT, 0, (float) (db / n));
    return loss / n;
  }

  /** Trains on {@link #DATA} at each {@link Rate} and reports where each run ended. */
  public static List<Run> run(Log log) {
    List<Run> runs = Arrays.stream(Rate.values()).map(rate -> train(DATA, rate)).toList();
    for (Run run : runs) {
      log.println(
          run.diverged()
              ? String.format(
                  Locale.ROOT,
                  "  %-22s diverged: loss above %.0f × its first after %d steps",
                  run.rate().label(),
                  EXPLODED,
                  run.losses().length - 1)
              : String.format(
                  Locale.ROOT,
                  "  %-22s w = %.4f, b = %.4f, loss %.5f after %d steps",
                  run.rate().label(),
                  run.w(),
                  run.b(),
                  run.finalLoss(),
                  STEPS));
    }
    return runs;
  }

  /**
   * The loss of each run against the step, on a log scale; a diverged run's line ends where it
   * stopped. Writes {@code prefix.png}, {@code .svg} and {@code .csv}.
   */
  public static List<Path> chart(List<Run> runs, Path prefix) {
    double[] steps = new double[STEPS + 1];
    Arrays.setAll(steps, i -> i);
    LineChart.Builder chart =
        LineChart.builder("step", steps)
            .title("Linear regression with SGD: loss at three learning rates")
            .yLabel("mean squared error")
            .logY(true);
    for (Run run : runs) {
      double[] loss = Arrays.copyOf(run.losses(), STEPS + 1);
      Arrays.fill(loss, run.losses().length, STEPS + 1, Double.NaN);
      chart.series(run.rate().label(), loss);
    }
    return chart.build().write(prefix);
  }
}
