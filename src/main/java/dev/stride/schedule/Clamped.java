package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.Objects;

/** A schedule held within bounds: {@code η(t) = min(max(s(t), min), max)}. */
public record Clamped(Schedule schedule, double min, double max) implements Schedule {
  public Clamped {
    Objects.requireNonNull(schedule, "schedule");
    Args.finite("min", min);
    Args.finite("max", max);
    Args.atLeast("max", max, "min", min);
  }

  @Override
  public double valueAt(long step) {
    return Math.min(Math.max(schedule.valueAt(step), min), max);
  }
}
