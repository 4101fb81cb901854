package dev.stride.schedule;

import dev.stride.internal.Args;

/** Inverse square-root decay: {@code η(t) = η0 / √(1 + k·t)}. */
public record InverseSqrt(double initial, double k) implements Schedule {
  public InverseSqrt {
    Args.nonNegative("initial", initial);
    Args.nonNegative("k", k);
  }

  @Override
  public double valueAt(long step) {
    return initial / Math.sqrt(1 + k * Args.step(step));
  }
}
