package dev.stride.kernel;

/**
 * A quantized format's code of a non-NaN x as one table look-up, which a vector kernel can gather:
 * the same code as the format's rule ({@link StateFormat#codeOf}), which is a binary search and a
 * comparison per element.
 *
 * <p>Every rule here is a monotone step function of x: torchao's (the largest map value ≤ x is
 * monotone, and for a fixed one the rounded residual is), bitsandbytes' midpoints with ties to even
 * and its sign fix (which only moves a negative x's code from the zero code to the one below), and
 * rounding to float8. Floats in the order of their values have keys in integer order ({@code bits ^
 * ((bits >> 31) >>> 1)}: −0 just below +0), so the code is the number of thresholds at or below the
 * key. The keys are cut into buckets of 2<sup>16</sup>; each entry holds the code at its bucket's
 * start and where in the bucket the code steps up by one, if it does. The build checks that no
 * bucket holds two steps, so the look-up is exact wherever the rule is monotone; {@code
 * CodeTableTest} compares it with the rule at and around every step.
 *
 * <p>Keys below {@link #low} in magnitude share the code of ±low (each sign its own):
 * 2<sup>−24</sup> for the maps, whose smallest step is near 1.6·10<sup>−7</sup>, and
 * 2<sup>−11</sup> for float8, below half its smallest subnormal. Keys beyond {@link #high} (|x| ≤ 1
 * for the maps, ≤ 448 for float8 after scaling; NaN's keys) share the code of ±high. A float8 table
 * covers magnitudes; the sign is the code's top bit.
 */
final class CodeTable {
  static final int SHIFT = 16;
  static final int OFFSET_MASK = (1 << SHIFT) - 1;

  /** An entry's field for "no step in this bucket": past every offset. */
  private static final int NO_STEP = 1 << SHIFT;

  private static final int CODE_SHIFT = SHIFT + 1;

  /** Keys of both signs (the maps), or magnitudes with the sign as the code's top bit (float8). */
  final boolean signed;

  /** The smallest magnitude key looked up: smaller ones read as it. */
  final int low;

  /** The largest magnitude key looked up: larger ones (and NaN's) read as it. */
  final int high;

  /** Buckets of negative keys, first in {@link #entries}; 0 for a magnitude table. */
  final int negativeBuckets;

  /**
   * Per bucket: the code at its start, shifted up by 17, or'ed with its step's offset; then the
   * entries of NaN x, from {@link #nanEntry} on, which never step.
   */
  final int[] entries;

  /**
   * The first entry for NaN x: {@link StateFormat#nanCode}, which only bitsandbytes' signed map
   * reads y for: its entries are y's sign bit set or y NaN, y &gt; 0, and y = +0, in that order.
   */
  final int nanEntry;

  private final StateFormat format;

  private CodeTable(StateFormat format, boolean signed, float low, float high) {
    this.format = format;
    this.signed = signed;
    this.low = Float.floatToRawIntBits(low);
    this.high = Float.floatToRawIntBits(high);
    int buckets = (this.high - this.low) >> SHIFT;
    this.negativeBuckets = signed ? buckets + 1 : 0;
    this.nanEntry = negativeBuckets + buckets + 1;
    float[] nanY = format == StateFormat.BNB8_SIGNED ? new float[] {-0f, 1f, 0f} : new float[] {0f};
    this.entries = new int[nanEntry + nanY.length];
    for (int e = 0; e < nanEntry; e++) {
      entries[e] = entry((e - negativeBuckets) << SHIFT);
    }
    for (int k = 0; k < nanY.length; k++) {
      entries[nanEntry + k] = format.nanCode(nanY[k]) << CODE_SHIFT | NO_STEP;
    }
  }

  /** The table of a quantized format. */
  static CodeTable of(StateFormat format) {
    return format == StateFormat.FP8
        ? new CodeTable(format, false, 0x1p-11f, 512f)
        : new CodeTable(format, true, 0x1p-24f, 1f);
  }

  /** The entry of the bucket starting at index {@code t}. */
  private int entry(int t) {
    int first = codeAt(t);
    int last = codeAt(t + OFFSET_MASK);
    if (last == first) {
      return first << CODE_SHIFT | NO_STEP;
    }
    if (last != first + 1) {
      throw new IllegalStateException(
          format + ": codes " + first + " to " + last + " in one bucket at " + valueAt(t));
    }
    int below = t; // codeAt(below) == first, codeAt(above) == last
    int above = t + OFFSET_MASK;
    while (above - below > 1) {
      int mid = below + (above - below) / 2;
      if (codeAt(mid) == first) {
        below = mid;
      } else {
        above = mid;
      }
    }
    return first << CODE_SHIFT | (above - t);
  }

  /** The rule's code at index {@code t}, magnitude only for a float8 table. */
  private int codeAt(int t) {
    int code = format.codeOf(valueAt(t));
    return signed ? code : code & 0x7F;
  }

  /** The float at index {@code t}: the inverse of {@link #index}'s key transform. */
  float valueAt(int t) {
    if (!signed) {
      return Float.intBitsToFloat(t + low);
    }
    int key = t >= 0 ? t + low : t - low;
    return Float.intBitsToFloat(key >= 0 ? key : key ^ 0x7FFFFFFF);
  }

  /**
   * The index of x's key among the table's: its distance from ±{@link #low}, clamped to {@link
   * #high}; shifted right by {@link #SHIFT} plus {@link #negativeBuckets} it is x's bucket.
   */
  int index(float x) {
    int bits = Float.floatToRawIntBits(x);
    int range = high - low;
    if (!signed) {
      return Math.min(Math.max((bits & 0x7FFFFFFF) - low, 0), range);
    }
    int key = bits ^ ((bits >> 31) >>> 1);
    int t = key >= 0 ? Math.max(key - low, 0) : Math.min(key + low, -1);
    return Math.min(Math.max(t, -range - 1), range);
  }

  /** x's code by the table, as the vector kernels compute it; x not NaN for the maps. */
  int code(float x) {
    int t = index(x);
    int e = entries[(t >> SHIFT) + negativeBuckets];
    int code = (e >>> CODE_SHIFT) + ((t & OFFSET_MASK) >= (e & (NO_STEP | OFFSET_MASK)) ? 1 : 0);
    return signed ? code : code | (Float.floatToRawIntBits(x) >>> 31) << 7;
  }
}
