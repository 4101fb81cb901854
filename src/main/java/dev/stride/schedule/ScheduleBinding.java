package dev.stride.schedule;

import dev.stride.internal.Args;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.ParamGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Drives an optimizer's hyperparameters from schedules: before each step it sets each bound group's
 * learning rate, momentum ({@link Hyperparameters#momentum()}: SGD's momentum, Adam's β1, …; a rule
 * without one refuses it) and weight decay to the schedules' values at that step. Since the
 * schedules are functions of the step, resuming a run is {@link #resumeAt(long)} with the step to
 * continue from; nothing is replayed.
 *
 * <pre>{@code
 * OneCycle cycle = Schedules.oneCycle(0.1, 10_000).build();
 * ScheduleBinding<SgdOptions> scheduled = ScheduleBinding.of(sgd)
 *     .lr(cycle)
 *     .momentum(cycle.momentum().orElseThrow());
 * for (...) { ...backward...; scheduled.step(); sgd.zeroGrad(); }
 * }</pre>
 *
 * <p>A {@link ReduceLrOnPlateau} is bound like any schedule; show it the metric after each step.
 * Not thread-safe, as the optimizer is not.
 *
 * @param <H> the optimizer's hyperparameters
 */
public final class ScheduleBinding<H extends Hyperparameters<H>> {

  /** The schedules of one group, or of every group; {@code null} leaves a hyperparameter alone. */
  private record Bound(Schedule lr, Schedule momentum, Schedule weightDecay) {
    static final Bound NONE = new Bound(null, null, null);

    Bound over(Bound fallback) {
      return new Bound(
          lr != null ? lr : fallback.lr,
          momentum != null ? momentum : fallback.momentum,
          weightDecay != null ? weightDecay : fallback.weightDecay);
    }
  }

  private final Optimizer<H> optimizer;
  private Bound everyGroup = Bound.NONE;
  private final Map<Integer, Bound> perGroup = new HashMap<>();
  private long nextStep;

  private ScheduleBinding(Optimizer<H> optimizer) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
  }

  /** A binding with no schedules yet, whose first step is step 0. */
  public static <H extends Hyperparameters<H>> ScheduleBinding<H> of(Optimizer<H> optimizer) {
    return new ScheduleBinding<>(optimizer);
  }

  /** Schedules every group's learning rate (a group's own schedule, if bound, takes precedence). */
  public ScheduleBinding<H> lr(Schedule schedule) {
    everyGroup =
        new Bound(Objects.requireNonNull(schedule, "schedule"), null, null).over(everyGroup);
    return this;
  }

  /** Schedules every group's momentum: SGD's momentum, Adam's and AdamW's β1. */
  public ScheduleBinding<H> momentum(Schedule schedule) {
    everyGroup =
        new Bound(null, Objects.requireNonNull(schedule, "schedule"), null).over(everyGroup);
    return this;
  }

  /** Schedules every group's weight decay. */
  public ScheduleBinding<H> weightDecay(Schedule schedule) {
    everyGroup =
        new Bound(null, null, Objects.requireNonNull(schedule, "schedule")).over(everyGroup);
    return this;
  }

  /** Schedules one group's learning rate. */
  public ScheduleBinding<H> lr(int group, Schedule schedule) {
    return bind(group, new Bound(Objects.requireNonNull(schedule, "schedule"), null, null));
  }

  /** Schedules one group's momentum (SGD) or β1 (Adam, AdamW). */
  public ScheduleBinding<H> momentum(int group, Schedule schedule) {
    return bind(group, new Bound(null, Objects.requireNonNull(schedule, "schedule"), null));
  }

  /** Schedules one group's weight decay. */
  public ScheduleBinding<H> weightDecay(int group, Schedule schedule) {
    return bind(group, new Bound(null, null, Objects.requireNonNull(schedule, "schedule")));
  }

  private ScheduleBinding<H> bind(int group, Bound bound) {
    int groups = optimizer.groups().size();
    if (group < 0 || group >= groups) {
      throw new IllegalArgumentException("group must be in [0, " + groups + "), got " + group);
    }
    perGroup.merge(group, bound, Bound::over);
    return this;
  }

  /**
   * Sets every bound group's hyperparameters to the schedules' values at {@code step}; every
   * group's values are checked before any group's are set.
   *
   * @throws IllegalArgumentException if a value is one the optimizer refuses (a negative rate, a β1
   *     of 1 or more, …), naming it; every group keeps its hyperparameters
   */
  public void apply(long step) {
    Args.step(step);
    List<ParamGroup<H>> groups = optimizer.groups();
    List<H> next = new ArrayList<>(groups.size());
    for (ParamGroup<H> group : groups) {
      Bound bound = perGroup.getOrDefault(group.index(), Bound.NONE).over(everyGroup);
      H h = group.hyperparameters();
      if (bound.lr != null) {
        h = h.withLr(bound.lr.valueAt(step));
      }
      if (bound.momentum != null) {
        h = h.withMomentum(bound.momentum.valueAt(step));
      }
      if (bound.weightDecay != null) {
        h = h.withWeightDecay(bound.weightDecay.valueAt(step));
      }
      next.add(h);
    }
    for (int i = 0; i < groups.size(); i++) {
      groups.get(i).setHyperparameters(next.get(i));
    }
  }

  /**
   * Applies the schedules at the next step, steps the optimizer, and moves on a step. If the
   * optimizer's step throws or is skipped (a non-finite gradient under {@code setSkipNonFinite}),
   * the next step stays where it was.
   *
   * @return whether the optimizer stepped
   */
  public boolean step() {
    return step(optimizer::step);
  }

  /**
   * As {@link #step()}, with another step of the optimizer: a {@code LossScaler}'s, {@code
   * binding.step(scaler::step)}.
   *
   * @param optimizerStep steps the bound optimizer and says whether it did
   */
  public boolean step(BooleanSupplier optimizerStep) {
    apply(nextStep);
    boolean stepped = optimizerStep.getAsBoolean();
    if (stepped) {
      nextStep++;
    }
    return stepped;
  }

  /** The step whose values the next {@link #step()} applies. */
  public long nextStep() {
    return nextStep;
  }

  /** Continues a run: the next {@link #step()} applies the values of {@code step}. */
  public void resumeAt(long step) {
    nextStep = Args.step(step);
  }

  public Optimizer<H> optimizer() {
    return optimizer;
  }
}
