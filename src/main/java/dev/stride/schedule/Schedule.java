package dev.stride.schedule;

import java.util.List;

/**
 * A hyperparameter as a pure function of the step: the learning rate (or momentum, β1, weight
 * decay) in force at step {@code t = 0, 1, 2, …}, computed directly from {@code t}, so a resumed
 * run needs no replay and a million steps accumulate no rounding.
 *
 * <p>The forms are made by {@link Schedules}; each form's Javadoc gives its formula. The one
 * exception to purity is {@link ReduceLrOnPlateau}, whose value follows the metrics it is shown.
 */
@FunctionalInterface
public interface Schedule {

  /**
   * The value in force at step {@code step}.
   *
   * @throws IllegalArgumentException if {@code step} is negative
   */
  double valueAt(long step);

  /** This schedule held within {@code [min, max]}; see {@link Clamped}. */
  default Schedule clamp(double min, double max) {
    return new Clamped(this, min, max);
  }

  /** This schedule times {@code factor}, step by step; see {@link Chained}. */
  default Schedule times(Schedule factor) {
    return new Chained(List.of(this, factor));
  }
}
