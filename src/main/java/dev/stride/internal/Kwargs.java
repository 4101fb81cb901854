package dev.stride.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch keyword arguments (a constructor's, or a {@code param_groups} entry's) read by name, with
 * the rule's default for an absent or null one. Refuses names the rule does not know, so a
 * hyperparameter is never silently ignored; PyTorch's implementation switches, which choose how it
 * computes and not what, are accepted and ignored. Internal: not part of Stride's API.
 */
public final class Kwargs {
  /**
   * Choose PyTorch's implementation, not its arithmetic; {@code params} lists a group's tensors.
   */
  public static final Set<String> IGNORED =
      Set.of("foreach", "differentiable", "capturable", "fused", "params", "initial_lr");

  private final String optimizer;
  private final Map<String, ?> kwargs;

  /**
   * @throws IllegalArgumentException naming the first argument {@code optimizer} does not take
   */
  public Kwargs(String optimizer, Map<String, ?> kwargs, Set<String> known) {
    this.optimizer = optimizer;
    this.kwargs = kwargs;
    for (String name : kwargs.keySet()) {
      if (!known.contains(name) && !IGNORED.contains(name)) {
        throw new IllegalArgumentException(
            optimizer
                + " takes no argument "
                + name
                + " (got "
                + kwargs.get(name)
                + "); it takes "
                + new java.util.TreeSet<>(known));
      }
    }
  }

  public double number(String name, double absent) {
    Object v = kwargs.get(name);
    if (v == null) {
      return absent;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Boolean b) { // Python's bool is an int
      return b ? 1 : 0;
    }
    throw new IllegalArgumentException(
        optimizer + " argument " + name + " must be a number, got " + v);
  }

  /** A whole number such as a step count; 10.0 reads as 10, 10.5 is refused. */
  public long integer(String name, long absent) {
    double v = number(name, absent);
    if (v != Math.rint(v) || Math.abs(v) > 1L << 53) {
      throw new IllegalArgumentException(
          optimizer + " argument " + name + " must be a whole number, got " + kwargs.get(name));
    }
    return (long) v;
  }

  public boolean bool(String name, boolean absent) {
    Object v = kwargs.get(name);
    if (v == null) {
      return absent;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        optimizer + " argument " + name + " must be a boolean, got " + v);
  }

  /** A pair such as {@code betas}, as a list of two numbers. */
  public double[] pair(String name, double first, double second) {
    Object v = kwargs.get(name);
    if (v == null) {
      return new double[] {first, second};
    }
    if (v instanceof List<?> l
        && l.size() == 2
        && l.get(0) instanceof Number a
        && l.get(1) instanceof Number b) {
      return new double[] {a.doubleValue(), b.doubleValue()};
    }
    throw new IllegalArgumentException(
        optimizer + " argument " + name + " must be a list of two numbers, got " + v);
  }

  /**
   * A pair whose items may each be None, such as torch Adafactor's {@code eps}, {@code (None,
   * 1e-3)}: NaN stands for a None item.
   */
  public double[] pairOfOptionals(String name, double first, double second) {
    Object v = kwargs.get(name);
    if (v == null) {
      return new double[] {first, second};
    }
    if (v instanceof List<?> l
        && l.size() == 2
        && (l.get(0) == null || l.get(0) instanceof Number)
        && (l.get(1) == null || l.get(1) instanceof Number)) {
      return new double[] {optional(l.get(0)), optional(l.get(1))};
    }
    throw new IllegalArgumentException(
        optimizer + " argument " + name + " must be a list of two numbers or Nones, got " + v);
  }

  private static double optional(Object item) {
    return item == null ? Double.NaN : ((Number) item).doubleValue();
  }

  /** Whether the argument is given (and not null). */
  public boolean has(String name) {
    return kwargs.get(name) != null;
  }
}
