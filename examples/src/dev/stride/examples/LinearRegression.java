package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
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
 * With x uniform in [−1, 1] its curvature is 2·E[x²] ≈ 2/3 along w and 2 along b: a rate above
 * 2/2 = 1 makes b overshoot further each step, and one far below 1/2 crawls along w.
 */
public final class LinearRegression {
  /** The line the data come from. */
  public static final double TRUE_W = 3;
  public static final double TRUE_B = 2;
  /** A too-small, a good and a too-large rate (see the class comment for why these). */
  public static final double[] RATES = {0.02, 0.5, 1.1};
  public static final int STEPS = 100;
  /** 200 points with noise of standard deviation 0.1: the least-squares fit is within 0.01 of the line. */
  static final Data DATA = Data.generate(200, 0.1, 42);
  /** A run whose loss exceeds this many times its first is diverging: it stops there. */
  static final double EXPLODED = 1e4;

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
   * One run: the rate, the parameters it ended with, and the loss after each step, from step 0
   * (before the first); a run that diverged stopped early, with fewer than {@code STEPS + 1} losses.
   */
  public record Run(double lr, float w, float b, double[] losses) {
    public boolean diverged() {
      return losses.length <= STEPS;
    }

    public double finalLoss() {
      return losses[losses.length - 1];
    }
  }

  private LinearRegression() {}

  /** Trains from w = b = 0 for {@link #STEPS} steps at {@code lr}, or until the loss explodes. */
  public static Run train(Data data, double lr) {
    try (Arena arena = Arena.ofConfined(); Sgd sgd = new Sgd(SgdOptions.of(lr))) {
      MemorySegment w = arena.allocate(JAVA_FLOAT);
      MemorySegment b = arena.allocate(JAVA_FLOAT);
      MemorySegment wGrad = arena.allocate(JAVA_FLOAT);
      MemorySegment bGrad = arena.allocate(JAVA_FLOAT);
      sgd.add(w, wGrad).add(b, bGrad);
      double[] losses = new double[STEPS + 1];
      for (int step = 0; step <= STEPS; step++) {
        double loss = lossAndGrad(data, w, b, wGrad, bGrad);
        if (step > 0 && !(loss <= EXPLODED * losses[0])) {
          return new Run(lr, w.get(JAVA_FLOAT, 0), b.get(JAVA_FLOAT, 0), Arrays.copyOf(losses, step));
        }
        losses[step] = loss;
        if (step < STEPS) {
          sgd.step();
        }
      }
      return new Run(lr, w.get(JAVA_FLOAT, 0), b.get(JAVA_FLOAT, 0), losses);
    }
  }

  /** The mean squared error at (w, b); writes its gradient to wGrad and bGrad. */
  private static double lossAndGrad(Data data, MemorySegment w, MemorySegment b, MemorySegment wGrad,
      MemorySegment bGrad) {
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

  /** Trains on {@link #DATA} at each of {@link #RATES} and reports where each run ended. */
  static Run[] run(Log log) {
    Run[] runs = Arrays.stream(RATES).mapToObj(lr -> train(DATA, lr)).toArray(Run[]::new);
    for (Run run : runs) {
      log.println(run.diverged()
          ? String.format("  lr %-5s diverged: loss above %.0e × its first after %d steps", run.lr(),
              EXPLODED, run.losses().length - 1)
          : String.format("  lr %-5s w = %.4f, b = %.4f, loss %.5f after %d steps", run.lr(), run.w(),
              run.b(), run.finalLoss(), STEPS));
    }
    return runs;
  }
}
