package dev.stride.golden;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.IntFunction;

/**
 * The optimizer tolerance of {@code golden/FORMAT.md}: for every row k and element i, with D the
 * largest distance a reference trajectory moves from its start, {@code |got - expected| <=
 * 1e-6·max(1, D) + 1e-5·|expected|}.
 */
public final class GoldenTolerance {
  private GoldenTolerance() {}

  /** D: the largest finite {@code |expected[k][i] - init[i]|}. */
  public static double displacement(float[] init, float[][] expected) {
    double d = 0;
    for (float[] row : expected) {
      for (int i = 0; i < init.length; i++) {
        double distance = Math.abs((double) row[i] - init[i]);
        if (Double.isFinite(distance)) { // a NaN or infinite one would make every tolerance so
          d = Math.max(d, distance);
        }
      }
    }
    return d;
  }

  /**
   * Fails with {@code what} and the element furthest outside its tolerance, as a multiple of it,
   * unless every element of {@code got} is within tolerance of {@code expected}.
   *
   * @param row names row k in the failure message ("step 3")
   */
  public static void assertWithin(
      String what, float[][] expected, float[][] got, double d, IntFunction<String> row) {
    double absolute = 1e-6 * Math.max(1, d);
    double worst = 0;
    String worstAt = null;
    for (int k = 0; k < got.length; k++) {
      for (int i = 0; i < expected[k].length; i++) {
        double exp = expected[k][i];
        double tol = absolute + 1e-5 * Math.abs(exp);
        // equal infinities or two NaNs agree; their difference would not
        boolean same = got[k][i] == exp || (Double.isNaN(exp) && Float.isNaN(got[k][i]));
        double err = same ? 0 : Math.abs((double) got[k][i] - exp);
        double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / tol;
        if (ratio > worst) {
          worst = ratio;
          worstAt =
              String.format(
                  "%s, element %d: got %s, reference %s, error %.3g, tolerance %.3g" + " (%.3gx)",
                  row.apply(k), i, got[k][i], expected[k][i], err, tol, ratio);
        }
      }
    }
    if (worst > 1) {
      fail(what + " leaves the reference's tolerance; worst at " + worstAt);
    }
  }
}
