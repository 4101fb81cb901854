package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * Polynomial decay from {@code η0} to {@code end} over {@code decaySteps} steps (Keras's {@code
 * PolynomialDecay}; with {@code end = 0} and no cycle, PyTorch's {@code PolynomialLR}): {@code η(t)
 * = (η0 − end) · (1 − min(t, T) / T)^power + end} with {@code T = decaySteps}. With {@code cycle}
 * the decay restarts instead of holding: {@code T = decaySteps · max(1, ⌈t / decaySteps⌉)} and
 * {@code t} is not capped.
 */
public record Polynomial(double initial, double end, long decaySteps, double power, boolean cycle)
    implements Schedule {
  public Polynomial {
    Args.nonNegative("initial", initial);
    Args.nonNegative("end", end);
    Args.positive("decaySteps", decaySteps);
    Args.nonNegative("power", power);
  }

  @Override
  public double valueAt(long step) {
    Args.step(step);
    long t;
    long period;
    if (cycle) {
      t = step;
      period = decaySteps * Math.max(1, Math.ceilDiv(step, decaySteps));
    } else {
      t = Math.min(step, decaySteps);
      period = decaySteps;
    }
    return (initial - end) * Math.pow(1.0 - (double) t / period, power) + end;
  }
}
