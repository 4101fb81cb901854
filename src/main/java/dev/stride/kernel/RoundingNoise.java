package dev.stride.kernel;

/**
 * The random bits of stochastic rounding, counter-based: element i of a parameter's step draws
 * {@link #bits}(key, i), a hash of the step's {@link #key} and i. Nothing is kept between draws, so
 * any thread can draw any element, a chunk draws the same bits whichever thread takes it, and a
 * checkpoint (which restores each parameter's step) resumes them to the bit.
 *
 * <p>The hash: two rounds of MurmurHash3's 32-bit finalizer, each keyed by one half of the 64-bit
 * key, over the element index's low and high words; the top 16 bits are the draw. Each round is a
 * bijection of 32 bits that mixes every input bit into every output bit, so the draws of one key
 * over consecutive elements are uniform and show no lattice (checked by {@code RoundingNoiseTest}).
 * The vector kernels compute the same operations lane by lane.
 */
public final class RoundingNoise {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  static final int WEYL = 0x9E3779B9;
  static final int HIGH_WORD = 0x85EBCA77;

  private RoundingNoise() {}

  /** The key of a parameter's step: from its index in the optimizer and the step, from 1. */
  public static long key(long parameter, long step) {
    return mix64(mix64(parameter + GOLDEN) ^ step);
  }

  /** Element {@code index}'s 16 random bits under {@code key}, in [0, 65535]. */
  public static int bits(long key, long index) {
    return draw((int) key, (int) (key >>> 32), (int) index, (int) (index >>> 32));
  }

  /** {@link #bits} of the index words {@code low} and {@code high}. */
  static int draw(int key0, int key1, int low, int high) {
    int h = fmix32(low * WEYL + key0);
    h = fmix32(h ^ high * HIGH_WORD ^ key1);
    return h >>> 16;
  }

  /** MurmurHash3's 32-bit finalizer. */
  static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  /** SplitMix64's finalizer. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
