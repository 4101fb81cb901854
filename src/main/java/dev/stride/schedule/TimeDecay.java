package dev.stride.schedule;

import dev.stride.internal.Args;

/**
 * The decays of Keras and TensorFlow that depend on {@code p = t / decaySteps}, or on {@code p = ⌊t
 * / decaySteps⌋} with {@code staircase}:
 *
 * <ul>
 *   <li>{@link Kind#EXPONENTIAL}: {@code η(t) = η0 · rate^p} (with {@code decaySteps = 1},
 *       PyTorch's {@code ExponentialLR}: {@code η0 · γ^t});
 *   <li>{@link Kind#NATURAL_EXPONENTIAL}: {@code η(t) = η0 · e^(−rate · p)};
 *   <li>{@link Kind#INVERSE_TIME}: {@code η(t) = η0 / (1 + rate · p)}.
 * </ul>
 */
public record TimeDecay(Kind kind, double initial, double rate, long decaySteps, boolean staircase)
    implements Schedule {

  public enum Kind {
    EXPONENTIAL,
    NATURAL_EXPONENTIAL,
    INVERSE_TIME
  }

  public TimeDecay {
    java.util.Objects.requireNonNull(kind, "kind");
    Args.nonNegative("initial", initial);
    if (kind == Kind.EXPONENTIAL) {
      Args.positive("rate", rate);
    } else {
      Args.nonNegative("rate", rate);
    }
    Args.positive("decaySteps", decaySteps);
  }

  @Override
  public double valueAt(long step) {
    Args.step(step);
    double p = staircase ? (double) (step / decaySteps) : (double) step / decaySteps;
    return switch (kind) {
      case EXPONENTIAL -> initial * Math.pow(rate, p);
      case NATURAL_EXPONENTIAL -> initial * Math.exp(-rate * p);
      case INVERSE_TIME -> initial / (1 + rate * p);
    };
  }
}
