package dev.stride.schedule;

import dev.stride.internal.Args;
import dev.stride.training.Mode;
import java.util.Objects;

/**
 * Reduces the value when a metric stops improving (PyTorch's {@code ReduceLROnPlateau}). Unlike the
 * other forms its value depends on the metrics shown to {@link #observe}, not on the step; {@link
 * #valueAt} returns the value those metrics have brought it to, so it can be a part of a {@link
 * Sequential} (warm up, then reduce on plateau) or a factor of a {@link Chained}.
 *
 * <p>After each metric: a metric better than the best by more than the threshold (mode {@code MIN}:
 * {@code m < best·(1 − threshold)} relative, {@code m < best − threshold} absolute; {@code MAX}:
 * {@code m > best·(1 + threshold)}, {@code m > best + threshold}) becomes the best and clears the
 * count of bad steps, any other adds one; during a cooldown the count stays 0. When the count
 * exceeds {@code patience} the value becomes {@code max(value · factor, minValue)}, unless that
 * changes it by {@code eps} or less, and a cooldown of {@code cooldown} metrics begins.
 *
 * <p>Its {@link State} can be read and restored, to checkpoint a run. Not thread-safe.
 */
public final class ReduceLrOnPlateau implements Schedule {

  public enum ThresholdMode {
    RELATIVE,
    ABSOLUTE
  }

  /**
   * Everything that changes as metrics arrive: the value in force, the best metric so far, the
   * metrics without improvement since then, the metrics left in the cooldown, and how many metrics
   * have been observed.
   *
   * @throws IllegalArgumentException if a count or the value is negative, naming it: a state read
   *     from a checkpoint is checked when made, before anything is restored
   */
  public record State(
      double value, double best, long badSteps, long cooldownLeft, long observations) {
    public State {
      Args.nonNegative("state.value", value);
      Args.nonNegative("state.badSteps", badSteps);
      Args.nonNegative("state.cooldownLeft", cooldownLeft);
      Args.nonNegative("state.observations", observations);
    }
  }

  private final Mode mode;
  private final double factor;
  private final long patience;
  private final double threshold;
  private final ThresholdMode thresholdMode;
  private final long cooldown;
  private final double minValue;
  private final double eps;
  private State state;

  private ReduceLrOnPlateau(Builder b) {
    Args.nonNegative("initial", b.initial);
    mode = Objects.requireNonNull(b.mode, "mode");
    if (!(b.factor > 0 && b.factor < 1)) {
      throw new IllegalArgumentException("factor must be in (0, 1), got " + b.factor);
    }
    factor = b.factor;
    patience = Args.nonNegative("patience", b.patience);
    threshold = Args.nonNegative("threshold", b.threshold);
    thresholdMode = Objects.requireNonNull(b.thresholdMode, "thresholdMode");
    cooldown = Args.nonNegative("cooldown", b.cooldown);
    minValue = Args.nonNegative("minValue", b.minValue);
    eps = Args.nonNegative("eps", b.eps);
    state = new State(b.initial, worst(), 0, 0, 0);
  }

  /**
   * Starts at {@code initial}; PyTorch's defaults otherwise (mode min, factor 0.1, patience 10, …).
   */
  public static Builder builder(double initial) {
    return new Builder(initial);
  }

  /** The value the metrics observed so far have brought it to; the step does not matter. */
  @Override
  public double valueAt(long step) {
    Args.step(step);
    return state.value;
  }

  /** Takes the metric measured after a step. */
  public void observe(double metric) {
    double best = state.best;
    long bad = state.badSteps;
    long cooldownLeft = state.cooldownLeft;
    double value = state.value;
    if (isBetter(metric, best)) {
      best = metric;
      bad = 0;
    } else {
      bad++;
    }
    if (cooldownLeft > 0) {
      cooldownLeft--;
      bad = 0;
    }
    if (bad > patience) {
      double reduced = Math.max(value * factor, minValue);
      if (value - reduced > eps) {
        value = reduced;
      }
      cooldownLeft = cooldown;
      bad = 0;
    }
    state = new State(value, best, bad, cooldownLeft, state.observations + 1);
  }

  private boolean isBetter(double metric, double best) {
    return switch (mode) {
      case MIN ->
          thresholdMode == ThresholdMode.RELATIVE
              ? metric < best * (1 - threshold)
              : metric < best - threshold;
      case MAX ->
          thresholdMode == ThresholdMode.RELATIVE
              ? metric > best * (threshold + 1)
              : metric > best + threshold;
    };
  }

  private double worst() {
    return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  public State state() {
    return state;
  }

  /**
   * Continues from a state read with {@link #state()}, from this or an identically built instance.
   */
  public void restore(State state) {
    this.state = Objects.requireNonNull(state, "state");
  }

  @Override
  public String toString() {
    return "ReduceLrOnPlateau["
        + mode
        + ", factor "
        + factor
        + ", patience "
        + patience
        + ", "
        + thresholdMode
        + " threshold "
        + threshold
        + ", cooldown "
        + cooldown
        + ", min "
        + minValue
        + ", eps "
        + eps
        + ", "
        + state
        + "]";
  }

  /** Options with PyTorch's defaults. */
  public static final class Builder {
    private final double initial;
    private Mode mode = Mode.MIN;
    private double factor = 0.1;
    private long patience = 10;
    private double threshold = 1e-4;
    private ThresholdMode thresholdMode = ThresholdMode.RELATIVE;
    private long cooldown;
    private double minValue;
    private double eps = 1e-8;

    private Builder(double initial) {
      this.initial = initial;
    }

    /**
     * Whether a lower ({@code MIN}, a loss) or a higher ({@code MAX}, an accuracy) metric is
     * better.
     */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** The reduction: {@code value · factor}, with {@code 0 < factor < 1} (default 0.1). */
    public Builder factor(double factor) {
      this.factor = factor;
      return this;
    }

    /** Metrics without improvement tolerated before a reduction (default 10). */
    public Builder patience(long patience) {
      this.patience = patience;
      return this;
    }

    /** What counts as an improvement (default relative 10^-4). */
    public Builder threshold(double threshold, ThresholdMode thresholdMode) {
      this.threshold = threshold;
      this.thresholdMode = thresholdMode;
      return this;
    }

    /** Metrics ignored after a reduction (default 0). */
    public Builder cooldown(long cooldown) {
      this.cooldown = cooldown;
      return this;
    }

    /** The floor (default 0). */
    public Builder minValue(double minValue) {
      this.minValue = minValue;
      return this;
    }

    /** Reductions of {@code eps} or less are skipped (default 10^-8). */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    public ReduceLrOnPlateau build() {
      return new ReduceLrOnPlateau(this);
    }
  }
}
