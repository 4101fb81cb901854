package dev.stride.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link RangeTest} recorded, one point per step taken: the rate, the loss the step returned
 * and the smoothed loss, then why it stopped and the rates its {@link Heuristic}s suggest.
 */
public final class RangeTestResult {
  /** Why the sweep ended. */
  public enum Stop {
    /** It reached the maximum rate. */
    COMPLETED,
    /** The smoothed loss exceeded the divergence factor times the best one. */
    DIVERGED,
    /** The loss was NaN or infinite. */
    NOT_FINITE
  }

  /**
   * Points cut from the end of the curve before reading suggestions: a diverging run has turned.
   */
  static final int TRIM_END = 5;

  private final double[] lrs;
  private final double[] losses;
  private final double[] smoothed;
  private final int plannedSteps;
  private final Stop stop;
  private final List<Suggestion> suggestions;

  RangeTestResult(double[] lrs, double[] losses, double[] smoothed, int plannedSteps, Stop stop) {
    this.lrs = lrs;
    this.losses = losses;
    this.smoothed = smoothed;
    this.plannedSteps = plannedSteps;
    this.stop = stop;
    this.suggestions = suggest();
  }

  /** The readable part is {@code [plannedSteps / 10, size − 5)}: see {@link Heuristic}. */
  private List<Suggestion> suggest() {
    int from = plannedSteps / 10;
    int to = lrs.length - TRIM_END;
    List<Suggestion> found = new ArrayList<>();
    if (to - from >= 2) {
      for (Heuristic heuristic : Heuristic.values()) {
        found.add(heuristic.pick(lrs, smoothed, from, to));
      }
    }
    return List.copyOf(found);
  }

  /** The number of steps taken: points on the curve. */
  public int size() {
    return lrs.length;
  }

  /** The steps the sweep planned; {@link #size()} is fewer if it stopped early. */
  public int plannedSteps() {
    return plannedSteps;
  }

  /** The rate of each step taken. */
  public double[] lrs() {
    return lrs.clone();
  }

  /** The loss each step returned; the last may be NaN or infinite when {@link #stop()} says so. */
  public double[] losses() {
    return losses.clone();
  }

  /** The debiased exponential moving average of the losses. */
  public double[] smoothedLosses() {
    return smoothed.clone();
  }

  /** Why the sweep ended: at the maximum rate, or at the step that diverged or was not finite. */
  public Stop stop() {
    return stop;
  }

  /**
   * One suggestion per {@link Heuristic}, in their order; empty when the sweep stopped too early to
   * read any: fewer than two points between the first tenth of the planned steps and the last five
   * taken.
   */
  public List<Suggestion> suggestions() {
    return suggestions;
  }

  /** The suggestion of {@code heuristic}, if the curve was long enough to read one. */
  public Optional<Suggestion> suggestion(Heuristic heuristic) {
    return suggestions.stream().filter(s -> s.heuristic() == heuristic).findFirst();
  }

  @Override
  public String toString() {
    return "RangeTestResult["
        + lrs.length
        + " of "
        + plannedSteps
        + " steps, "
        + stop
        + ", suggestions "
        + suggestions
        + "]";
  }
}
