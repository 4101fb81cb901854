package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The generator of stochastic rounding on its own: deterministic, a function of its key and the
 * element alone (so of nothing a thread could change), uniform in its 16 bits, without a pattern
 * between neighbouring elements, steps or parameters; and its vector form draws the same bits,
 * across the 2<sup>32</sup> boundary of the element index too.
 */
class RoundingNoiseTest {
  private static final int DRAWS = 1 << 20;

  /**
   * χ² of {@code counts} against a uniform expectation, in units of its standard deviation: under
   * the hypothesis, (χ² − k) / √(2k) is about normal, so a good generator stays within ±5.
   */
  private static double chiSquareSigmas(long[] counts, long total) {
    double expected = (double) total / counts.length;
    double chi2 = 0;
    for (long c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    int dof = counts.length - 1;
    return (chi2 - dof) / Math.sqrt(2.0 * dof);
  }

  @Test
  void drawsAreUniformInEveryByte() {
    long key = RoundingNoise.key(3, 17);
    long[] high = new long[256];
    long[] low = new long[256];
    long[] all = new long[1 << 16];
    for (int i = 0; i < DRAWS; i++) {
      int r = RoundingNoise.bits(key, i);
      assertTrue(r >= 0 && r < 1 << 16, "16 bits: " + r);
      high[r >>> 8]++;
      low[r & 0xFF]++;
      all[r]++;
    }
    assertTrue(Math.abs(chiSquareSigmas(high, DRAWS)) < 5, "high byte");
    assertTrue(Math.abs(chiSquareSigmas(low, DRAWS)) < 5, "low byte");
    assertTrue(Math.abs(chiSquareSigmas(all, DRAWS)) < 5, "all 16 bits");
  }

  /**
   * Pairs of draws are uniform on a 16 × 16 grid of their top 4 bits: neighbouring elements, the
   * same element at consecutive steps, and of consecutive parameters show no relation.
   */
  @Test
  void neighboursStepsAndParametersAreIndependent() {
    long[] elements = new long[256];
    long[] steps = new long[256];
    long[] parameters = new long[256];
    int pairs = DRAWS / 4;
    for (int i = 0; i < pairs; i++) {
      long key = RoundingNoise.key(5, 100);
      elements[RoundingNoise.bits(key, i) >>> 12 << 4 | RoundingNoise.bits(key, i + 1) >>> 12]++;
      steps[
          RoundingNoise.bits(RoundingNoise.key(5, 100 + i), 7) >>> 12 << 4
              | RoundingNoise.bits(RoundingNoise.key(5, 101 + i), 7) >>> 12]++;
      parameters[
          RoundingNoise.bits(RoundingNoise.key(i, 9), 7) >>> 12 << 4
              | RoundingNoise.bits(RoundingNoise.key(i + 1, 9), 7) >>> 12]++;
    }
    assertTrue(Math.abs(chiSquareSigmas(elements, pairs)) < 5, "neighbouring elements");
    assertTrue(Math.abs(chiSquareSigmas(steps, pairs)) < 5, "consecutive steps");
    assertTrue(Math.abs(chiSquareSigmas(parameters, pairs)) < 5, "consecutive parameters");
  }

  /** The same key and element give the same bits whenever and wherever they are drawn. */
  @Test
  void drawsAreDeterministic() {
    for (long i : new long[] {0, 1, 12345, (1L << 32) - 1, 1L << 32, Long.MAX_VALUE}) {
      assertEquals(
          RoundingNoise.bits(RoundingNoise.key(2, 9), i),
          RoundingNoise.bits(RoundingNoise.key(2, 9), i));
    }
    assertEquals(RoundingNoise.key(4, 8), RoundingNoise.key(4, 8));
    assertTrue(
        RoundingNoise.key(4, 8) != RoundingNoise.key(8, 4),
        "parameter and step are not interchangeable");
  }

  /** Rounding with these bits is unbiased: the mean of many roundings of x is x. */
  @Test
  void stochasticRoundingIsUnbiased() {
    float x = 1.00390625f + 0.3f * 0x1p-7f; // 30 % of the way between two bfloat16 values
    double sum = 0;
    long key = RoundingNoise.key(1, 1);
    for (int i = 0; i < DRAWS; i++) {
      sum += StateCodes.bf16ToFloat(StateCodes.bf16Stochastic(x, RoundingNoise.bits(key, i)));
    }
    double mean = sum / DRAWS;
    double ulp = 0x1p-7;
    // the standard error of the mean is ulp·√(p(1 − p)/n) ≈ 4.5e-4·ulp
    assertEquals(x, mean, 5 * ulp * Math.sqrt(0.21 / DRAWS), "the mean of the roundings");
  }

  /** The vector kernels' draws, lane by lane, across the 2^32 boundary of the element index. */
  @Test
  void vectorDrawsTheSameBits() {
    long key = RoundingNoise.key(6, 66);
    int lanes = StateCodesVector.LANES;
    int[] lane = new int[lanes];
    for (long start : new long[] {0, 13, (1L << 32) - 3, (1L << 32) - lanes, 1L << 40}) {
      StateCodesVector.noise(key, start).intoArray(lane, 0);
      for (int l = 0; l < lanes; l++) {
        assertEquals(RoundingNoise.bits(key, start + l), lane[l], "element " + (start + l));
      }
    }
  }
}
