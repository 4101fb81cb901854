package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-cycle policy (Smith's super-convergence; PyTorch's {@code OneCycleLR}) over {@code
 * totalSteps} steps, with {@code η_start = maxLr / divFactor} and {@code η_end = η_start /
 * finalDivFactor}.
 *
 * <p>Two phases (the default, fastai's): from {@code η_start} up to {@code maxLr} until step {@code
 * e1 = pctStart·N − 1}, then down to {@code η_end} at step {@code N − 1}. Three phases (the
 * paper's): up until {@code e1}, back to {@code η_start} at {@code e2 = 2·pctStart·N − 2}, then
 * down to {@code η_end} at {@code N − 1}. Within a phase from step {@code a} (value {@code v_a}) to
 * step {@code b} (value {@code v_b}), with {@code p = (t − a) / (b − a)}:
 *
 * <ul>
 *   <li>{@link Anneal#COS}: {@code η(t) = v_b + (v_a − v_b) · (1 + cos(π·p)) / 2};
 *   <li>{@link Anneal#LINEAR}: {@code η(t) = v_a + (v_b − v_a) · p}.
 * </ul>
 *
 * <p>The momentum (SGD's, or Adam's β1), where cycled, runs the other way through the same phases:
 * {@code maxMomentum → baseMomentum → maxMomentum} (three phases: then held at {@code
 * maxMomentum}). After step {@code N − 1} both hold their final values (PyTorch refuses to step
 * further).
 */
public final class OneCycle implements Schedule {

  public enum Anneal {
    COS,
    LINEAR
  }

  private final double maxLr;
  private final long totalSteps;
  private final double pctStart;
  private final Anneal anneal;
  private final boolean cycleMomentum;
  private final double baseMomentum;
  private final double maxMomentum;
  private final double divFactor;
  private final double finalDivFactor;
  private final boolean threePhase;

  /** The steps where the phases end; a phase starts where the one before ended (the first at 0). */
  private final double[] phaseEnds;

  private OneCycle(Builder b) {
    maxLr = Args.nonNegative("maxLr", b.maxLr);
    totalSteps = Args.positive("totalSteps", b.totalSteps);
    pctStart = Args.fraction("pctStart", b.pctStart);
    anneal = Objects.requireNonNull(b.anneal, "anneal");
    cycleMomentum = b.cycleMomentum;
    baseMomentum = Args.nonNegative("baseMomentum", b.baseMomentum);
    maxMomentum = Args.nonNegative("maxMomentum", b.maxMomentum);
    divFactor = Args.positive("divFactor", b.divFactor);
    finalDivFactor = Args.positive("finalDivFactor", b.finalDivFactor);
    threePhase = b.threePhase;
    // PyTorch's arithmetic, so the phase boundaries fall on the same doubles.
    double warmEnd = pctStart * totalSteps - 1;
    if (warmEnd == 0) {
      throw new IllegalArgumentException(
          "pctStart * totalSteps must not be 1 (a rising phase of no"
              + " steps), got pctStart "
              + pctStart
              + " and totalSteps "
              + totalSteps);
    }
    phaseEnds =
        threePhase
            ? new double[] {warmEnd, 2 * pctStart * totalSteps - 2, totalSteps - 1}
            : new double[] {warmEnd, totalSteps - 1};
  }

  /**
   * A cycle peaking at {@code maxLr} over {@code totalSteps} steps, PyTorch's defaults otherwise.
   */
  public static Builder builder(double maxLr, long totalSteps) {
    return new Builder(maxLr, totalSteps);
  }

  /** PyTorch's other way to give the length: {@code epochs · stepsPerEpoch} steps. */
  public static Builder builder(double maxLr, long epochs, long stepsPerEpoch) {
    Args.positive("epochs", epochs);
    Args.positive("stepsPerEpoch", stepsPerEpoch);
    return new Builder(maxLr, Math.multiplyExact(epochs, stepsPerEpoch));
  }

  @Override
  public double valueAt(long step) {
    double start = maxLr / divFactor;
    double end = start / finalDivFactor;
    double[] values =
        threePhase ? new double[] {start, maxLr, start, end} : new double[] {start, maxLr, end};
    return interpolate(step, values);
  }

  /** The momentum (or β1) cycled against the rate, if this schedule cycles it. */
  public Optional<Schedule> momentum() {
    if (!cycleMomentum) {
      return Optional.empty();
    }
    double[] values =
        threePhase
            ? new double[] {maxMomentum, baseMomentum, maxMomentum, maxMomentum}
            : new double[] {maxMomentum, baseMomentum, maxMomentum};
    return Optional.of(step -> interpolate(step, values));
  }

  /** Anneals between {@code values[i]} and {@code values[i + 1]} in phase {@code i}. */
  private double interpolate(long step, double[] values) {
    long t = Math.min(Args.step(step), totalSteps - 1);
    double phaseStart = 0;
    int last = phaseEnds.length - 1;
    for (int i = 0; i <= last; i++) {
      if (t <= phaseEnds[i] || i == last) {
        double p = (t - phaseStart) / (phaseEnds[i] - phaseStart);
        return switch (anneal) {
          case COS ->
              values[i + 1] + (values[i] - values[i + 1]) / 2.0 * (Math.cos(Math.PI * p) + 1);
          case LINEAR -> (values[i + 1] - values[i]) * p + values[i];
        };
      }
      phaseStart = phaseEnds[i];
    }
    throw new AssertionError("the last phase takes every step");
  }

  public long totalSteps() {
    return totalSteps;
  }

  @Override
  public String toString() {
    return "OneCycle[max "
        + maxLr
        + ", "
        + totalSteps
        + " steps, pctStart "
        + pctStart
        + ", "
        + anneal
        + (threePhase ? ", three phases" : "")
        + ", div "
        + divFactor
        + "/"
        + finalDivFactor
        + (cycleMomentum ? ", momentum " + maxMomentum + ".." + baseMomentum : "")
        + "]";
  }

  /** Options with PyTorch's defaults. */
  public static final class Builder {
    private final double maxLr;
    private final long totalSteps;
    private double pctStart = 0.3;
    private Anneal anneal = Anneal.COS;
    private boolean cycleMomentum = true;
    private double baseMomentum = 0.85;
    private double maxMomentum = 0.95;
    private double divFactor = 25;
    private double finalDivFactor = 1e4;
    private boolean threePhase;

    private Builder(double maxLr, long totalSteps) {
      this.maxLr = maxLr;
      this.totalSteps = totalSteps;
    }

    /** The fraction of the steps spent rising (default 0.3). */
    public Builder pctStart(double pctStart) {
      this.pctStart = pctStart;
      return this;
    }

    public Builder anneal(Anneal anneal) {
      this.anneal = anneal;
      return this;
    }

    /** Cycles the momentum between {@code maxMomentum} (at the ends) and {@code baseMomentum}. */
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

    /** {@code η_start = maxLr / divFactor} (default 25). */
    public Builder divFactor(double divFactor) {
      this.divFactor = divFactor;
      return this;
    }

    /** {@code η_end = η_start / finalDivFactor} (default 10^4). */
    public Builder finalDivFactor(double finalDivFactor) {
      this.finalDivFactor = finalDivFactor;
      return this;
    }

    public Builder threePhase(boolean threePhase) {
      this.threePhase = threePhase;
      return this;
    }

    public OneCycle build() {
      return new OneCycle(this);
    }
  }
}
