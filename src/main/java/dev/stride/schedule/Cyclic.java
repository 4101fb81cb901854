package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.Objects;
import java.util.Optional;

/**
 * A cyclical rate (Smith's CLR; PyTorch's {@code CyclicLR}) between {@code baseLr} and {@code
 * maxLr}: {@code stepsUp} steps rising, {@code stepsDown} falling, period {@code P = stepsUp +
 * stepsDown}. At step {@code t}, with cycle {@code c = ⌊t / P⌋ + 1} and position {@code u = t mod
 * P}, the rise {@code x = u / stepsUp} while {@code u ≤ stepsUp} and {@code x = (P − u) /
 * stepsDown} after, so
 *
 * <p>{@code η(t) = baseLr + (maxLr − baseLr) · x · s}
 *
 * <p>with the amplitude scale {@code s} of the {@link Mode}: {@code 1} (triangular), {@code 1 /
 * 2^(c−1)} (triangular2) or {@code γ^t} (exp_range). The momentum, where cycled, moves the other
 * way: {@code μ(t) = maxMomentum − (maxMomentum − baseMomentum) · x · s}.
 */
public final class Cyclic implements Schedule {

  public enum Mode {
    TRIANGULAR,
    TRIANGULAR2,
    EXP_RANGE
  }

  private final double baseLr;
  private final double maxLr;
  private final long stepsUp;
  private final long stepsDown;
  private final Mode mode;
  private final double gamma;
  private final boolean cycleMomentum;
  private final double baseMomentum;
  private final double maxMomentum;

  private Cyclic(Builder b) {
    baseLr = Args.nonNegative("baseLr", b.baseLr);
    maxLr = Args.nonNegative("maxLr", b.maxLr);
    Args.atLeast("maxLr", maxLr, "baseLr", baseLr);
    stepsUp = Args.positive("stepsUp", b.stepsUp);
    stepsDown = Args.positive("stepsDown", b.stepsDown == 0 ? b.stepsUp : b.stepsDown);
    mode = Objects.requireNonNull(b.mode, "mode");
    gamma = Args.positive("gamma", b.gamma);
    cycleMomentum = b.cycleMomentum;
    baseMomentum = Args.nonNegative("baseMomentum", b.baseMomentum);
    maxMomentum = Args.nonNegative("maxMomentum", b.maxMomentum);
    if (cycleMomentum) {
      Args.atLeast("maxMomentum", maxMomentum, "baseMomentum", baseMomentum);
    }
  }

  /**
   * A triangular cycle between {@code baseLr} and {@code maxLr} rising over {@code stepsUp} steps;
   * PyTorch's defaults otherwise (falling over as many, momentum cycled from 0.9 down to 0.8).
   */
  public static Builder builder(double baseLr, double maxLr, long stepsUp) {
    return new Builder(baseLr, maxLr, stepsUp);
  }

  @Override
  public double valueAt(long step) {
    return baseLr + (maxLr - baseLr) * height(step);
  }

  /** The momentum (or β1) cycled against the rate, if this schedule cycles it. */
  public Optional<Schedule> momentum() {
    return cycleMomentum
        ? Optional.of(step -> maxMomentum - (maxMomentum - baseMomentum) * height(step))
        : Optional.empty();
  }

  /** {@code x · s}: the fraction of the amplitude in force at {@code step}. */
  private double height(long step) {
    long period = stepsUp + stepsDown;
    long cycle = Args.step(step) / period + 1;
    long u = step % period;
    double x = u <= stepsUp ? (double) u / stepsUp : (double) (period - u) / stepsDown;
    double scale =
        switch (mode) {
          case TRIANGULAR -> 1;
          case TRIANGULAR2 -> 1 / Math.pow(2, cycle - 1);
          case EXP_RANGE -> Math.pow(gamma, step);
        };
    return x * scale;
  }

  @Override
  public String toString() {
    return "Cyclic["
        + mode
        + " "
        + baseLr
        + ".."
        + maxLr
        + ", up "
        + stepsUp
        + ", down "
        + stepsDown
        + (mode == Mode.EXP_RANGE ? ", gamma " + gamma : "")
        + (cycleMomentum ? ", momentum " + maxMomentum + ".." + baseMomentum : "")
        + "]";
  }

  /** Options with PyTorch's defaults. */
  public static final class Builder {
    private final double baseLr;
    private final double maxLr;
    private final long stepsUp;
    private long stepsDown;
    private Mode mode = Mode.TRIANGULAR;
    private double gamma = 1;
    private boolean cycleMomentum = true;
    private double baseMomentum = 0.8;
    private double maxMomentum = 0.9;

    private Builder(double baseLr, double maxLr, long stepsUp) {
      this.baseLr = baseLr;
      this.maxLr = maxLr;
      this.stepsUp = stepsUp;
    }

    /** Steps of the falling half; by default as many as rising. */
    public Builder stepsDown(long stepsDown) {
      Args.positive("stepsDown", stepsDown);
      this.stepsDown = stepsDown;
      return this;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** {@link Mode#EXP_RANGE} with amplitude scale {@code gamma^t}. */
    public Builder expRange(double gamma) {
      this.mode = Mode.EXP_RANGE;
      this.gamma = gamma;
      return this;
    }

    /**
     * Cycles the momentum between {@code maxMomentum} (at {@code baseLr}) and {@code baseMomentum}.
     */
    public Builder momentum(double baseMomentum, double maxMomentum) {
      this.cycleMomentum = true;
      this.baseMomentum = baseMomentum;
      this.maxMomentum = maxMomentum;
      return this;
    }

    /** Leaves the momentum alone. */
    public Builder noMomentum() {
      this.cycleMomentum = false;
      return this;
    }

    public Cyclic build() {
      return new Cyclic(this);
    }
  }
}
