package dev.stride.schedule;

import dev.stride.internal.Args;
import java.util.Arrays;

/**
 * A value per interval: {@code η(t) = values[i]} where {@code i} is the number of boundaries {@code
 * ≤ t}. A boundary belongs to the interval on its right: the new value is in force at the boundary
 * step itself, as in PyTorch's {@code MultiStepLR}. (Keras's {@code PiecewiseConstantDecay} puts a
 * boundary on its left; pass its boundaries plus one for the same trajectory.)
 */
public final class PiecewiseConstant implements Schedule {
  private final long[] boundaries;
  private final double[] values;

  /**
   * @param boundaries non-negative and strictly increasing
   * @param values one more than the boundaries: the value before the first boundary, then the value
   *     from each boundary on
   */
  public PiecewiseConstant(long[] boundaries, double[] values) {
    this.boundaries = Args.increasingSteps("boundaries", boundaries);
    if (values.length != boundaries.length + 1) {
      throw new IllegalArgumentException(
          "values must hold one more entry than boundaries ("
              + boundaries.length
              + "), got "
              + values.length
              + ": "
              + Arrays.toString(values));
    }
    for (double v : values) {
      Args.finite("values", v);
    }
    this.values = values.clone();
  }

  @Override
  public double valueAt(long step) {
    return values[countAtOrBelow(boundaries, Args.step(step))];
  }

  /** How many of the increasing {@code steps} are {@code ≤ t}: Python's {@code bisect_right}. */
  static int countAtOrBelow(long[] steps, long t) {
    int i = Arrays.binarySearch(steps, t);
    return i >= 0 ? i + 1 : -i - 1;
  }

  public long[] boundaries() {
    return boundaries.clone();
  }

  public double[] values() {
    return values.clone();
  }

  @Override
  public String toString() {
    return "PiecewiseConstant[boundaries="
        + Arrays.toString(boundaries)
        + ", values="
        + Arrays.toString(values)
        + "]";
  }
}
