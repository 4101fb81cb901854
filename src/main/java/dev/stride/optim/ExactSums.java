package dev.stride.optim;

/**
 * Sums (and maxima) of the per-chunk results of a step's reductions, the same to the bit whatever
 * the order and grouping of their terms: for any number of threads, for any cut of a slab into
 * shards, and whatever order an all-reduce adds the ranks' parts in. One sum per slot.
 *
 * <p>A sum is taken exactly as a fixed-point number: with 2<sup>E</sup> ≤ m &lt; 2<sup>E+1</sup>
 * for m the largest |term| of the slot (over every rank), each term is cut into three {@value
 * #LIMB_BITS}-bit integers, its bits from 2<sup>E</sup> down to 2<sup>E−77</sup> (what lies below,
 * less than 2<sup>−77</sup>·m per term, is dropped), and the integers are added as longs, which is
 * exact and associative; the total is rounded to a double once. It holds for up to 2<sup>27</sup>
 * terms per slot (2.2·10<sup>12</sup> elements in chunks of 16,384), so that every integer sum
 * stays below 2<sup>53</sup> and an all-reduce of doubles carries it exactly. A non-finite term
 * makes the sum NaN or infinite as a double sum would: NaN if a term is NaN or both infinities
 * occur, else that infinity. A maximum (of terms ≥ 0) is the largest term, NaN if one is.
 *
 * <p>Per reduction: {@link #begin}; {@link #observe} every term; {@link #shareLargest} (one
 * all-reduce of 4 doubles per shared slot); {@link #add} every term again; {@link #shareSums} (one
 * all-reduce of 3 doubles per shared slot); then {@link #sum} or {@link #max}. The shared slots are
 * the first ones; the others are this rank's alone. Maxima need no second half.
 */
final class ExactSums {
  static final int LIMB_BITS = 26;
  private static final long LIMB_MASK = (1L << LIMB_BITS) - 1;
  private static final int NAN = 1;
  private static final int POSITIVE_INFINITY = 2;
  private static final int NEGATIVE_INFINITY = 4;

  private int slots;

  /** Per slot: the largest |finite term|. */
  private double[] largest = new double[0];

  /** Per slot: which non-finite terms occurred ({@link #NAN}, …). */
  private int[] specials = new int[0];

  /** Per slot: E + 1, the scale of the first limb, once {@link #shareLargest} has set it. */
  private int[] scale = new int[0];

  /** Per slot: three limbs, the first the most significant. */
  private long[] limbs = new long[0];

  /**
   * Arrays of exactly the lengths the all-reduces were called with, reused: a step's reductions
   * have a few lengths, and an all-reduce takes a whole array.
   */
  private final java.util.List<double[]> buffers = new java.util.ArrayList<>();

  /** Starts a reduction over {@code slots} slots, all zero. */
  void begin(int slots) {
    this.slots = slots;
    if (largest.length < slots) {
      largest = new double[slots];
      specials = new int[slots];
      scale = new int[slots];
      limbs = new long[3 * slots];
    }
    java.util.Arrays.fill(largest, 0, slots, 0);
    java.util.Arrays.fill(specials, 0, slots, 0);
    java.util.Arrays.fill(limbs, 0, 3 * slots, 0);
  }

  /** Takes the term's magnitude into account; every term is observed before any is added. */
  void observe(int slot, double term) {
    if (Double.isFinite(term)) {
      largest[slot] = Math.max(largest[slot], Math.abs(term));
    } else {
      specials[slot] |= Double.isNaN(term) ? NAN : term > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
  }

  /**
   * Makes the first {@code shared} slots' largest terms and non-finite terms every rank's, through
   * {@code allReduce}'s maximum; sets every slot's scale.
   */
  void shareLargest(AllReduce allReduce, int shared) {
    if (shared > 0) {
      double[] maxima = buffer(4 * shared);
      for (int s = 0; s < shared; s++) {
        maxima[4 * s] = largest[s];
        maxima[4 * s + 1] = (specials[s] & NAN) != 0 ? 1 : 0;
        maxima[4 * s + 2] = (specials[s] & POSITIVE_INFINITY) != 0 ? 1 : 0;
        maxima[4 * s + 3] = (specials[s] & NEGATIVE_INFINITY) != 0 ? 1 : 0;
      }
      allReduce.max(maxima);
      for (int s = 0; s < shared; s++) {
        largest[s] = maxima[4 * s];
        specials[s] =
            (maxima[4 * s + 1] != 0 ? NAN : 0)
                | (maxima[4 * s + 2] != 0 ? POSITIVE_INFINITY : 0)
                | (maxima[4 * s + 3] != 0 ? NEGATIVE_INFINITY : 0);
      }
    }
    for (int s = 0; s < slots; s++) {
      scale[s] = largest[s] == 0 ? 0 : Math.getExponent(largest[s]) + 1;
    }
  }

  /** Adds a finite term's limbs; non-finite terms were counted by {@link #observe}. */
  void add(int slot, double term) {
    if (!Double.isFinite(term) || largest[slot] == 0) {
      return;
    }
    // |x| < 2^26: each step takes the integer part and moves the fraction up by 26 bits, exactly
    double x = Math.scalb(term, LIMB_BITS - scale[slot]);
    long high = (long) x;
    double middleBits = Math.scalb(x - high, LIMB_BITS);
    long middle = (long) middleBits;
    long low = (long) Math.scalb(middleBits - middle, LIMB_BITS);
    limbs[3 * slot] += high;
    limbs[3 * slot + 1] += middle;
    limbs[3 * slot + 2] += low;
  }

  /** Makes the first {@code shared} slots' sums every rank's, through {@code allReduce}'s sum. */
  void shareSums(AllReduce allReduce, int shared) {
    if (shared == 0) {
      return;
    }
    double[] sums = buffer(3 * shared);
    for (int i = 0; i < 3 * shared; i++) {
      sums[i] = limbs[i]; // below 2^53: exact
    }
    allReduce.sum(sums);
    for (int i = 0; i < 3 * shared; i++) {
      limbs[i] = (long) sums[i];
    }
  }

  /** The slot's sum, rounded once to a double. */
  double sum(int slot) {
    int s = specials[slot];
    if ((s & NAN) != 0 || s == (POSITIVE_INFINITY | NEGATIVE_INFINITY)) {
      return Double.NaN;
    }
    if (s != 0) {
      return s == POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    long high = limbs[3 * slot];
    long middle = limbs[3 * slot + 1];
    long low = limbs[3 * slot + 2];
    middle += low >> LIMB_BITS; // carries, so that middle and low are in [0, 2^26)
    low &= LIMB_MASK;
    high += middle >> LIMB_BITS;
    middle &= LIMB_MASK;
    // high·2^52 is exact, middle·2^26 + low < 2^52 too: one rounding
    double value = Math.scalb((double) high, 2 * LIMB_BITS) + (double) (middle << LIMB_BITS | low);
    return Math.scalb(value, scale[slot] - 3 * LIMB_BITS);
  }

  /** The slot's largest term (of terms ≥ 0): NaN if one is NaN, ∞ if one is. */
  double max(int slot) {
    int s = specials[slot];
    return (s & NAN) != 0
        ? Double.NaN
        : (s & POSITIVE_INFINITY) != 0 ? Double.POSITIVE_INFINITY : largest[slot];
  }

  /** Whether every term of the slot was finite. */
  boolean allFinite(int slot) {
    return specials[slot] == 0;
  }

  private double[] buffer(int length) {
    for (int i = 0; i < buffers.size(); i++) {
      if (buffers.get(i).length == length) {
        return buffers.get(i);
      }
    }
    double[] b = new double[length];
    buffers.add(b);
    return b;
  }
}
