package dev.stride.schedule;

import dev.stride.internal.Args;

/** The same value at every step: {@code η(t) = value}. */
public record Constant(double value) implements Schedule {
  public Constant {
    Args.finite("value", value);
  }

  @Override
  public double valueAt(long step) {
    Args.step(step);
    return value;
  }
}
