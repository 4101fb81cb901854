package dev.stride.tuning;

/**
 * A way to read a suggested learning rate off a range test's smoothed loss curve. Each looks only
 * at the part of the curve a {@link RangeTestResult} calls readable: past the first tenth of the
 * planned steps, while the average is still settling, and before the last five points, where a
 * diverging run has already turned.
 */
public enum Heuristic {
  /** The rate at which the smoothed loss falls fastest against log rate (most negative slope). */
  STEEPEST("steepest") {
    @Override
    Suggestion pick(double[] lrs, double[] smoothed, int from, int to) {
      int steepest = from;
      double least = Double.POSITIVE_INFINITY;
      for (int i = from; i < to; i++) {
        // central differences inside, one-sided at the ends of the readable part
        int a = Math.max(i - 1, from);
        int b = Math.min(i + 1, to - 1);
        double slope = (smoothed[b] - smoothed[a]) / (Math.log(lrs[b]) - Math.log(lrs[a]));
        if (slope < least) {
          least = slope;
          steepest = i;
        }
      }
      return new Suggestion(this, lrs[steepest], steepest);
    }
  },
  /**
   * The middle of the valley: the longest run of points, in rate order, each lower than the one
   * before (not necessarily adjacent), taken as where the loss comes down; the rate halfway along
   * it in steps.
   */
  VALLEY("valley") {
    @Override
    Suggestion pick(double[] lrs, double[] smoothed, int from, int to) {
      // length[i]: the longest run of falling points that ends at i; first[i]: where it starts
      int[] length = new int[to];
      int[] first = new int[to];
      int end = from;
      for (int i = from; i < to; i++) {
        length[i] = 1;
        first[i] = i;
        for (int j = from; j < i; j++) {
          if (smoothed[j] > smoothed[i] && length[j] + 1 > length[i]) {
            length[i] = length[j] + 1;
            first[i] = first[j];
          }
        }
        if (length[i] > length[end]) {
          end = i;
        }
      }
      int middle = (first[end] + end) / 2;
      return new Suggestion(this, lrs[middle], middle);
    }
  },
  /** The rate of the lowest smoothed loss, divided by 10. */
  MINIMUM_OVER_10("minimum / 10") {
    @Override
    Suggestion pick(double[] lrs, double[] smoothed, int from, int to) {
      int minimum = from;
      for (int i = from; i < to; i++) {
        if (smoothed[i] < smoothed[minimum]) {
          minimum = i;
        }
      }
      return new Suggestion(this, lrs[minimum] / 10, minimum);
    }
  };

  private final String label;

  Heuristic(String label) {
    this.label = label;
  }

  /** Reads the suggestion off {@code smoothed[from, to)}, at least two finite points. */
  abstract Suggestion pick(double[] lrs, double[] smoothed, int from, int to);

  /** A short name for legends and tables. */
  public String label() {
    return label;
  }
}
