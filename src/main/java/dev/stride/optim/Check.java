package dev.stride.optim;

/** Argument checks whose messages name the argument and the value, as PyTorch's do. */
final class Check {
  private Check() {}

  static double nonNegative(String name, double value) {
    if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
    return value;
  }

  /** A decay coefficient in [0, 1): a β of Adam, SGD's dampening excepted. */
  static double unitInterval(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
    return value;
  }
}
