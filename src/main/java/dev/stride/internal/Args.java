package dev.stride.internal;

/**
 * Argument checks whose messages name the argument and the value, shared by the optimizers and the
 * schedules. Internal: not part of Stride's API.
 */
public final class Args {
  private Args() {}

  public static double positive(String name, double value) {
    if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
    }
    return value;
  }

  public static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
    return value;
  }

  public static double nonNegative(String name, double value) {
    if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
    return value;
  }

  public static long nonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
    return value;
  }

  public static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, got " + value);
    }
    return value;
  }

  /** A decay coefficient in [0, 1), such as Adam's betas. */
  public static double unitInterval(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
    return value;
  }

  /** A coefficient in (0, 1), such as Schedule-Free SGD's momentum. */
  public static double openUnitInterval(String name, double value) {
    if (!(value > 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
    }
    return value;
  }

  /** A fraction in (0, 1]. */
  public static double positiveFraction(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
    }
    return value;
  }

  /** A fraction in [0, 1]. */
  public static double fraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** A value that must be 0, such as the momentum of a rule that has none; {@code why} says why. */
  public static double zero(String name, double value, String why) {
    if (value != 0) {
      throw new IllegalArgumentException(name + " must be 0: " + why + "; got " + value);
    }
    return value;
  }

  public static void atLeast(String name, double value, String boundName, double bound) {
    if (!(value >= bound)) {
      throw new IllegalArgumentException(
          name + " must be >= " + boundName + " (" + bound + "), got " + value);
    }
  }

  /** Non-negative and strictly increasing, as milestones and boundaries must be. */
  public static long[] increasingSteps(String name, long[] steps) {
    if (steps.length == 0) {
      throw new IllegalArgumentException(name + " must not be empty, got []");
    }
    for (int i = 0; i < steps.length; i++) {
      if (steps[i] < 0 || (i > 0 && steps[i] <= steps[i - 1])) {
        throw new IllegalArgumentException(
            name
                + " must be >= 0 and strictly increasing, got "
                + java.util.Arrays.toString(steps));
      }
    }
    return steps.clone();
  }

  public static long step(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    return step;
  }
}
