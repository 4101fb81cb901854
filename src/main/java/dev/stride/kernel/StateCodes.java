package dev.stride.kernel;

import java.util.Arrays;

/**
 * The numbers low-precision state is made of, as the references compute them (FORMAT.md,
 * "lowbit.json"): the four code maps, torchao's and bitsandbytes' rules for the code of a value,
 * float8_e4m3fn as c10 converts it, and bfloat16 rounded to nearest even or stochastically. Every
 * operation is one float32 operation, in the references' order.
 */
public final class StateCodes {
  /** torchao's floor under a block's scale: an all-zero block gets this scale, not 0. */
  static final float SCALE_FLOOR = 1e-12f;

  /** The largest finite float8_e4m3fn. */
  static final float E4M3_MAX = 448;

  /** torchao's and bitsandbytes' {@code create_dynamic_map(signed=True)}: 256 values. */
  public static final float[] DYNAMIC8_SIGNED = dynamicMap(true, 7, 8);

  /** {@code create_dynamic_map(signed=False)}: 256 values from 0 to 1. */
  public static final float[] DYNAMIC8_UNSIGNED = dynamicMap(false, 7, 8);

  /** torchao's 4-bit signed map, {@code create_dynamic_map(True, 3, 4)}: 16 values. */
  public static final float[] DYNAMIC4_SIGNED = dynamicMap(true, 3, 4);

  /** torchao's 4-bit unsigned map, {@code linspace(0, 1, 17)[1:]}: k/16 for k = 1…16, no zero. */
  public static final float[] LINEAR4_UNSIGNED = Arrays.copyOfRange(linspace(0, 1, 17), 1, 17);

  /** The value of every float8_e4m3fn bit pattern (NaN for 0x7F and 0xFF). */
  static final float[] E4M3_VALUES = e4m3Values();

  private StateCodes() {}

  /**
   * {@code torch.linspace(start, end, steps)} in float32 as PyTorch 2.x's CPU kernel computes it:
   * {@code step = (end − start)/(steps − 1)}; element i is {@code start + step·i} in the first half
   * and {@code end − step·(steps − 1 − i)} in the second. (torch 1.13's vectorised linspace rounds
   * otherwise and gives maps an ulp off.)
   */
  static float[] linspace(float start, float end, int steps) {
    float step = (end - start) / (steps - 1);
    float[] out = new float[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
    }
    return out;
  }

  /**
   * {@code create_dynamic_map(signed, maxExponentBits, totalBits)}: for each exponent i, the
   * midpoints of {@code linspace(0.1, 1, k)} scaled by the float32 of 10^(i − (E − 1)), both signs
   * if signed; then 0 and 1; ascending.
   */
  static float[] dynamicMap(boolean signed, int maxExponentBits, int totalBits) {
    int nonSignBits = totalBits - 1;
    float[] data = new float[1 << totalBits];
    int n = 0;
    for (int i = 0; i < maxExponentBits; i++) {
      int k = (1 << (i + nonSignBits - maxExponentBits + (signed ? 0 : 1))) + 1;
      float[] b = linspace(0.1f, 1f, k);
      float scale = (float) Math.pow(10, -(maxExponentBits - 1) + i);
      for (int j = 0; j + 1 < k; j++) {
        float mean = (b[j] + b[j + 1]) / 2f;
        data[n++] = scale * mean;
        if (signed) {
          data[n++] = -scale * mean;
        }
      }
    }
    data[n++] = 0;
    data[n++] = 1;
    if (n != data.length) {
      throw new IllegalStateException("a dynamic map of " + totalBits + " bits has " + n);
    }
    Arrays.sort(data);
    return data;
  }

  /**
   * torchao's {@code quantize_8bit_with_qmap}/{@code quantize_4bit_with_qmap}: the largest c with
   * {@code map[c] <= x} (0 if none) by its branchless binary search, then c + 1 if the float32
   * residual is at least half the gap above (ties up). NaN gives 0.
   */
  static int torchaoCode(float x, float[] map) {
    int size = map.length;
    int c = x >= map[size / 2] ? size / 2 : 0;
    for (int h = size / 4; h >= 1; h /= 2) {
      if (x >= map[c + h]) {
        c += h;
      }
    }
    int up = Math.min(c + 1, size - 1);
    return x - map[c] >= (map[up] - map[c]) * 0.5f ? up : c;
  }

  /**
   * bitsandbytes' {@code quantize_2D}, stated simply: with j the number of map values below x, 0 if
   * j = 0, 255 if j = 256, else j if x is above the float32 midpoint of map[j − 1] and map[j], j −
   * 1 if below, the even one of the two if on it. NaN gives 0.
   */
  static int bnbCode(float x, float[] map) {
    if (Float.isNaN(x)) {
      return 0;
    }
    int j = 0; // a binary search for the count of values below x
    for (int h = map.length / 2; h >= 1; h /= 2) {
      if (map[j + h - 1] < x) {
        j += h;
      }
    }
    if (map[j] < x) {
      j++;
    }
    if (j == 0 || j == map.length) {
      return Math.min(j, map.length - 1);
    }
    float mid = (map[j - 1] + map[j]) * 0.5f;
    if (x > mid) {
      return j;
    }
    if (x < mid) {
      return j - 1;
    }
    return (j & 1) == 0 ? j : j - 1;
  }

  /**
   * bitsandbytes' sign fix of a first-moment code: where the code's map value has another sign bit
   * than {@code y}, the next code up if y &gt; 0, else the next down, modulo 256.
   */
  static int bnbSignFix(int code, float y) {
    boolean negativeCode = code < 127; // DYNAMIC8_SIGNED: 127 negatives, then +0 at index 127
    if (negativeCode != (Float.floatToRawIntBits(y) < 0)) {
      return (y > 0 ? code + 1 : code - 1) & 0xFF;
    }
    return code;
  }

  /**
   * float32 to float8_e4m3fn, as c10's {@code fp8e4m3fn_from_fp32_value}: round to nearest even;
   * |x| ≥ 480, infinities and NaN give the NaN pattern 0x7F (with x's sign); subnormals by adding
   * 2^14 in float32.
   */
  static int e4m3(float x) {
    int u = Float.floatToRawIntBits(x);
    int sign = u & 0x80000000;
    int a = u ^ sign;
    int result;
    if (Integer.compareUnsigned(a, 1087 << 20) >= 0) {
      result = 0x7F;
    } else if (a < 121 << 23) {
      result = Float.floatToRawIntBits(Float.intBitsToFloat(a) + 16384f) - (141 << 23);
    } else {
      int mantissaOdd = (a >>> 20) & 1;
      result = (a + ((7 - 127) << 23) + 0x7FFFF + mantissaOdd) >>> 20;
    }
    return (result & 0xFF) | (sign >>> 24);
  }

  private static float[] e4m3Values() {
    float[] values = new float[256];
    for (int c = 0; c < 256; c++) {
      float sign = (c & 0x80) != 0 ? -1 : 1;
      int e = (c >>> 3) & 0xF;
      int m = c & 7;
      if (e == 15 && m == 7) {
        values[c] = Float.NaN;
      } else if (e == 0) {
        values[c] = sign * m * 0x1p-9f;
      } else {
        values[c] = sign * (1 + m / 8f) * Math.scalb(1f, e - 7);
      }
    }
    return values;
  }

  /** A bfloat16 (its 16 bits) as the float32 it equals. */
  static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  /**
   * float32 to bfloat16, rounded to nearest even (torch's cast): {@code (u + 0x7FFF + ((u >> 16) &
   * 1)) >> 16}; NaN stays NaN (0x7FC0, as c10 gives it).
   */
  static short bf16Nearest(float x) {
    if (Float.isNaN(x)) {
      return 0x7FC0;
    }
    int u = Float.floatToRawIntBits(x);
    return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
  }

  /**
   * float32 to bfloat16, rounded stochastically as torchao's {@code _fp32_to_bf16_sr}: away from
   * zero when {@code noise} (16 random bits) is below the 16 bits truncation drops, so with
   * probability frac/65536, else toward zero. The bit arithmetic is torchao's, NaN included.
   */
  static short bf16Stochastic(float x, int noise) {
    int u = Float.floatToRawIntBits(x);
    int truncated = u & 0xFFFF0000;
    return (short) ((noise < (u & 0xFFFF) ? truncated + 0x10000 : truncated) >>> 16);
  }
}
