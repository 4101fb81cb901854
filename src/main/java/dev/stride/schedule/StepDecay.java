package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * Decay by {@code gamma} every {@code stepSize} steps (PyTorch's {@code StepLR}): {@code η(t) = η0
 * · γ^⌊t / stepSize⌋}.
 */
public record StepDecay(double initial, long stepSize, double gamma) implements Schedule {
  public StepDecay {
    Args.nonNegative("initial", initial);
    Args.positive("stepSize", stepSize);
    Args.positive("gamma", gamma);
  }

  @Override
  public double valueAt(long step) {
    return initial * Math.pow(gamma, Args.step(step) / stepSize);
  }
}
