package dev.stride.tuning;

import dev.stride.internal.Args;
import dev.stride.schedule.Schedule;
import dev.stride.schedule.Schedules;
import java.util.Objects;

/**
 * Carrying a learning rate tuned at one batch size over to another. With {@code k = batch /
 * baseBatch}:
 *
 * <pre>
 *   linear rule (SGD; Goyal et al., 2017)      η' = k · η
 *   square-root rule (Adam and other adaptive)  η' = √k · η
 * </pre>
 *
 * As schedules, a gradual warmup of w steps may lead in: the rate starts at the unscaled {@code
 * η(0)} and rises linearly to {@code k·η(0)} (or {@code √k·η(0)}) at step w, after which the scaled
 * schedule runs from its own step 0, as {@link Schedules#linearWarmup} does.
 */
public final class BatchSizeScaling {
  private BatchSizeScaling() {}

  /** {@code k · lr}. */
  public static double linear(double lr, long baseBatch, long batch) {
    return Args.nonNegative("lr", lr) * ratio(baseBatch, batch);
  }

  /** {@code √k · lr}. */
  public static double sqrt(double lr, long baseBatch, long batch) {
    return Args.nonNegative("lr", lr) * Math.sqrt(ratio(baseBatch, batch));
  }

  /**
   * {@code k · schedule}, after a gradual warmup of {@code warmupSteps} (0 for none) from its rate
   * at step 0.
   */
  public static Schedule linear(Schedule schedule, long baseBatch, long batch, long warmupSteps) {
    return scaled(schedule, ratio(baseBatch, batch), warmupSteps);
  }

  /**
   * {@code √k · schedule}, after a gradual warmup of {@code warmupSteps} (0 for none) from its rate
   * at step 0.
   */
  public static Schedule sqrt(Schedule schedule, long baseBatch, long batch, long warmupSteps) {
    return scaled(schedule, Math.sqrt(ratio(baseBatch, batch)), warmupSteps);
  }

  private static Schedule scaled(Schedule schedule, double factor, long warmupSteps) {
    Objects.requireNonNull(schedule, "schedule");
    Schedule scaled = schedule.times(Schedules.constant(factor));
    return Args.nonNegative("warmupSteps", warmupSteps) == 0
        ? scaled
        : Schedules.linearWarmup(warmupSteps, 1 / factor, scaled);
  }

  private static double ratio(long baseBatch, long batch) {
    return (double) Args.positive("batch", batch) / Args.positive("baseBatch", baseBatch);
  }
}
