package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * A linear change of factor over {@code totalSteps} steps, then held (PyTorch's {@code LinearLR}):
 * {@code η(t) = η0 · (startFactor + (endFactor − startFactor) · min(t, T) / T)} with {@code T =
 * totalSteps}.
 */
public record Linear(double initial, double startFactor, double endFactor, long totalSteps)
    implements Schedule {
  public Linear {
    Args.nonNegative("initial", initial);
    Args.nonNegative("startFactor", startFactor);
    Args.nonNegative("endFactor", endFactor);
    Args.positive("totalSteps", totalSteps);
  }

  @Override
  public double valueAt(long step) {
    double done = (double) Math.min(totalSteps, Args.step(step)) / totalSteps;
    return initial * (startFactor + (endFactor - startFactor) * done);
  }
}
