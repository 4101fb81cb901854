package dev.stride.tuning;

import dev.stride.internal.Args;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.OptimizerSnapshot;
import dev.stride.optim.ParamGroup;
import java.util.Arrays;
import java.util.Objects;

/**
 * The learning-rate range test: train one batch per step at rates rising from a minimum to a
 * maximum, watch the loss, and read a starting rate off the curve. Afterwards the optimizer's
 * parameters and state are put back to the bit, so the model is not left trained at a rate of 10.
 *
 * <p>Over N steps, step i ∈ [0, N) trains at
 *
 * <pre>
 *   exponential  η_i = η_min · (η_max / η_min)^(i / (N − 1))
 *   linear       η_i = η_min + (η_max − η_min) · i / (N − 1)
 * </pre>
 *
 * and the loss ℓ_i it returns is smoothed by a debiased exponential moving average:
 *
 * <pre>
 *   a_i = β · a_(i−1) + (1 − β) · ℓ_i,   a_(−1) = 0
 *   s_i = a_i / (1 − β^(i+1))
 * </pre>
 *
 * The sweep stops after a step whose s_i is not finite or exceeds k times the lowest s_j before it
 * (the divergence rule assumes a positive loss). Immutable; {@link #exponential} and {@link
 * #linear} make one with β = 0.98 and k = 4.
 */
public final class RangeTest {
  /** One training step at a given rate: it trains one batch and returns its loss. */
  @FunctionalInterface
  public interface TrainingStep {
    double train(double lr);
  }

  private final double minLr;
  private final double maxLr;
  private final int steps;
  private final boolean exponential;
  private final double smoothing;
  private final double divergenceFactor;

  private RangeTest(
      double minLr,
      double maxLr,
      int steps,
      boolean exponential,
      double smoothing,
      double divergenceFactor) {
    this.minLr = Args.positive("minLr", minLr);
    this.maxLr = Args.positive("maxLr", maxLr);
    if (!(maxLr > minLr)) {
      throw new IllegalArgumentException("maxLr must be > minLr (" + minLr + "), got " + maxLr);
    }
    if (steps < 2) {
      throw new IllegalArgumentException("steps must be >= 2, got " + steps);
    }
    this.steps = steps;
    this.exponential = exponential;
    this.smoothing = Args.unitInterval("smoothing", smoothing);
    if (!(divergenceFactor > 1)) {
      throw new IllegalArgumentException("divergenceFactor must be > 1, got " + divergenceFactor);
    }
    this.divergenceFactor = divergenceFactor;
  }

  /**
   * Rates spaced evenly in log scale from {@code minLr} to {@code maxLr}, over {@code steps} steps.
   */
  public static RangeTest exponential(double minLr, double maxLr, int steps) {
    return new RangeTest(minLr, maxLr, steps, true, 0.98, 4);
  }

  /** Rates spaced evenly from {@code minLr} to {@code maxLr}, over {@code steps} steps. */
  public static RangeTest linear(double minLr, double maxLr, int steps) {
    return new RangeTest(minLr, maxLr, steps, false, 0.98, 4);
  }

  /** With smoothing coefficient β in [0, 1); 0 leaves the loss as it is. */
  public RangeTest withSmoothing(double beta) {
    return new RangeTest(minLr, maxLr, steps, exponential, beta, divergenceFactor);
  }

  /** Stopping when the smoothed loss exceeds {@code k} > 1 times the lowest so far. */
  public RangeTest withDivergenceFactor(double k) {
    return new RangeTest(minLr, maxLr, steps, exponential, smoothing, k);
  }

  /** The rate of step {@code i}. */
  public double rateAt(int i) {
    if (i < 0 || i >= steps) {
      throw new IllegalArgumentException("i must be in [0, " + steps + "), got " + i);
    }
    if (i == steps - 1) {
      return maxLr; // exactly, not as rounded by the power
    }
    double fraction = (double) i / (steps - 1);
    return exponential
        ? minLr * Math.pow(maxLr / minLr, fraction)
        : minLr + (maxLr - minLr) * fraction;
  }

  /**
   * Runs the sweep. Before each step it sets every group's learning rate to the step's rate, then
   * calls {@code step} with that rate; {@code step} trains one batch (typically forward, backward,
   * {@link Optimizer#step()}) and returns the loss. Afterwards, also when {@code step} throws, it
   * puts back the parameters, state, step counts and hyperparameters the optimizer had before.
   *
   * @throws IllegalStateException as {@link Optimizer#snapshot()} does
   */
  public <H extends Hyperparameters<H>> RangeTestResult run(
      Optimizer<H> optimizer, TrainingStep step) {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(step, "step");
    try (OptimizerSnapshot<H> before = optimizer.snapshot()) {
      RangeTestResult result;
      try {
        result = sweep(optimizer, step);
      } catch (RuntimeException | Error e) {
        try {
          before.restore();
        } catch (RuntimeException restoring) {
          e.addSuppressed(restoring);
        }
        throw e;
      }
      before.restore();
      return result;
    }
  }

  private <H extends Hyperparameters<H>> RangeTestResult sweep(
      Optimizer<H> optimizer, TrainingStep step) {
    double[] lrs = new double[steps];
    double[] losses = new double[steps];
    double[] smoothed = new double[steps];
    double average = 0;
    double best = Double.POSITIVE_INFINITY;
    RangeTestResult.Stop stop = RangeTestResult.Stop.COMPLETED;
    int taken = 0;
    while (taken < steps) {
      double lr = rateAt(taken);
      for (ParamGroup<H> group : optimizer.groups()) {
        group.setLr(lr);
      }
      double loss = step.train(lr);
      average = smoothing * average + (1 - smoothing) * loss;
      double s = average / (1 - Math.pow(smoothing, taken + 1));
      lrs[taken] = lr;
      losses[taken] = loss;
      smoothed[taken] = s;
      taken++;
      if (!Double.isFinite(s)) {
        stop = RangeTestResult.Stop.NOT_FINITE;
        break;
      }
      if (s > divergenceFactor * best) {
        stop = RangeTestResult.Stop.DIVERGED;
        break;
      }
      best = Math.min(best, s);
    }
    return new RangeTestResult(
        Arrays.copyOf(lrs, taken),
        Arrays.copyOf(losses, taken),
        Arrays.copyOf(smoothed, taken),
        steps,
        stop);
  }
}
