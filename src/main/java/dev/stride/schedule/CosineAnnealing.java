package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * Cosine annealing from {@code η0} to {@code ηmin} over {@code tMax} steps (PyTorch's {@code
 * CosineAnnealingLR}): {@code η(t) = ηmin + (η0 − ηmin) · (1 + cos(π·t / tMax)) / 2}.
 *
 * <p>Past {@code tMax} the formula goes on, as PyTorch's does: the value climbs back to {@code η0}
 * at {@code 2·tMax} and the cosine repeats with period {@code 2·tMax}. For a schedule that rests at
 * {@code ηmin}, put a {@link Constant} after it in a {@link Sequential}; for restarts at the top,
 * use {@link CosineWarmRestarts}.
 */
public record CosineAnnealing(double initial, double min, long tMax) implements Schedule {
  public CosineAnnealing {
    Args.nonNegative("initial", initial);
    Args.nonNegative("min", min);
    Args.positive("tMax", tMax);
  }

  @Override
  public double valueAt(long step) {
    // Periodic in 2·tMax: reducing first keeps π·t exact for any t (no drift at 10^6 steps).
    long t = Args.step(step) % (2 * tMax);
    return min + (initial - min) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
  }
}
