package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * How one state buffer's elements are stored, and the scalar reference of reading and writing them:
 * float32, bfloat16, or codes with one float32 scale per block of elements, as torchao's {@code
 * OptimState8bit}, {@code OptimState4bit} and {@code OptimStateFp8} and bitsandbytes' block-wise
 * 8-bit state keep them (FORMAT.md, "lowbit.json").
 *
 * <ul>
 *   <li>{@link #Q8_SIGNED}, {@link #Q8_UNSIGNED}: torchao 8-bit, one code a byte, an index into
 *       {@link StateCodes#DYNAMIC8_SIGNED} or {@link StateCodes#DYNAMIC8_UNSIGNED}; scale = the
 *       block's largest |y|, at least 1e-12; the code is the map value below x = y/scale, or the
 *       one above when the residual is at least half the gap (ties up).
 *   <li>{@link #Q4_SIGNED}, {@link #Q4_UNSIGNED}: torchao 4-bit, two codes a byte (byte j =
 *       code[2j] &lt;&lt; 4 | code[2j+1]), maps {@link StateCodes#DYNAMIC4_SIGNED} and {@link
 *       StateCodes#LINEAR4_UNSIGNED} (which has no zero), the same rule.
 *   <li>{@link #FP8}: torchao FP8, one float8_e4m3fn a byte; scale = the block's largest |y| (at
 *       least 1e-12) / 448; the code is x = y/scale rounded to e4m3 as c10 rounds it.
 *   <li>{@link #BNB8_SIGNED}, {@link #BNB8_UNSIGNED}: bitsandbytes 8-bit, the same maps, blocks of
 *       256 of which the last may be partial, scale = the block's largest |y| (no floor), the
 *       nearest code by midpoints with ties to the even code; the signed one fixes a code whose map
 *       value has the other sign than y.
 * </ul>
 *
 * A new buffer of any format is all zero bytes: zeros, or codes 0 with scales 0, which read as ±0.
 */
public enum StateFormat {
  F32(32, null),
  BF16(16, null),
  Q8_SIGNED(8, StateCodes.DYNAMIC8_SIGNED),
  Q8_UNSIGNED(8, StateCodes.DYNAMIC8_UNSIGNED),
  Q4_SIGNED(4, StateCodes.DYNAMIC4_SIGNED),
  Q4_UNSIGNED(4, StateCodes.LINEAR4_UNSIGNED),
  FP8(8, StateCodes.E4M3_VALUES),
  BNB8_SIGNED(8, StateCodes.DYNAMIC8_SIGNED),
  BNB8_UNSIGNED(8, StateCodes.DYNAMIC8_UNSIGNED);

  /** bitsandbytes' block size (csrc/ops.cu, BLOCKSIZE_2STATE). */
  public static final int BNB_BLOCK = 256;

  private final int bits;

  /** The value each code stands for, before its block's scale; null for the plain formats. */
  final float[] values;

  StateFormat(int bits, float[] values) {
    this.bits = bits;
    this.values = values;
  }

  /** Bits per element: 32, 16, 8 or 4. */
  public int bits() {
    return bits;
  }

  /** Whether elements are codes with a scale per block. */
  public boolean quantized() {
    return values != null;
  }

  /** Whether the last block may be partial (bitsandbytes) rather than the count a multiple. */
  public boolean partialBlocks() {
    return this == BNB8_SIGNED || this == BNB8_UNSIGNED;
  }

  /** Bytes of values or codes for {@code count} elements. */
  public long valueBytes(long count) {
    return (count * bits + 7) / 8;
  }

  /** How many block scales {@code count} elements have in blocks of {@code block}: 0 if plain. */
  public long scaleCount(long count, int block) {
    if (!quantized()) {
      return 0;
    }
    return partialBlocks() ? (count + block - 1) / block : count / block;
  }

  /** The signed format of this one's kind: the first moment's, whose values take either sign. */
  public StateFormat signed() {
    return switch (this) {
      case Q8_UNSIGNED -> Q8_SIGNED;
      case Q4_UNSIGNED -> Q4_SIGNED;
      case BNB8_UNSIGNED -> BNB8_SIGNED;
      default -> this;
    };
  }

  /** The format of this one's kind for values that are never negative (second moments). */
  public StateFormat unsigned() {
    return switch (this) {
      case Q8_SIGNED -> Q8_UNSIGNED;
      case Q4_SIGNED -> Q4_UNSIGNED;
      case BNB8_SIGNED -> BNB8_UNSIGNED;
      default -> this;
    };
  }

  /** A copy of the value of every code, before the block's scale; null for plain formats. */
  public float[] codeValues() {
    return values == null ? null : values.clone();
  }

  /** The map's value for {@code code} (float8's value for FP8), before the block's scale. */
  float value(int code) {
    return values[code];
  }

  /** Element {@code i} of a plain buffer. */
  float load(MemorySegment buffer, long i) {
    return this == F32
        ? buffer.getAtIndex(JAVA_FLOAT, i)
        : StateCodes.bf16ToFloat(buffer.getAtIndex(JAVA_SHORT, i));
  }

  /**
   * Stores {@code y} as element {@code i} of a plain buffer (bfloat16: rounded to nearest even).
   */
  void store(MemorySegment buffer, long i, float y) {
    if (this == F32) {
      buffer.setAtIndex(JAVA_FLOAT, i, y);
    } else {
      buffer.setAtIndex(JAVA_SHORT, i, StateCodes.bf16Nearest(y));
    }
  }

  /** Element {@code i}'s code. */
  int code(MemorySegment codes, long i) {
    int b = codes.get(JAVA_BYTE, bits == 4 ? i >>> 1 : i) & 0xFF;
    return bits == 4 ? ((i & 1) == 0 ? b >>> 4 : b & 0xF) : b;
  }

  /** Sets element {@code i}'s code; a 4-bit code keeps its byte's other half. */
  void setCode(MemorySegment codes, long i, int code) {
    if (bits == 4) {
      long at = i >>> 1;
      int b = codes.get(JAVA_BYTE, at) & 0xFF;
      b = (i & 1) == 0 ? (b & 0x0F) | code << 4 : (b & 0xF0) | code;
      codes.set(JAVA_BYTE, at, (byte) b);
    } else {
      codes.set(JAVA_BYTE, i, (byte) code);
    }
  }

  /** A block's scale from the largest |y| in it (NaN if any y is NaN). */
  float scale(float absMax) {
    return switch (this) {
      case FP8 -> Math.max(absMax, StateCodes.SCALE_FLOOR) / StateCodes.E4M3_MAX;
      case BNB8_SIGNED, BNB8_UNSIGNED -> absMax;
      default -> Math.max(absMax, StateCodes.SCALE_FLOOR);
    };
  }

  /**
   * The code that stores {@code y} in a block of {@code scale}, with {@code x = y / scale} the
   * value the code approximates: the format's rule, as the reference computes it. Where x is NaN
   * the code is {@link #nanCode}.
   */
  int encode(float y, float scale) {
    float x = y / scale;
    if (Float.isNaN(x)) {
      return nanCode(y);
    }
    return switch (this) {
      case Q8_SIGNED, Q8_UNSIGNED, Q4_SIGNED, Q4_UNSIGNED -> StateCodes.torchaoCode(x, values);
      case FP8 -> StateCodes.e4m3(x);
      case BNB8_SIGNED -> StateCodes.bnbSignFix(StateCodes.bnbCode(x, values), y);
      case BNB8_UNSIGNED -> StateCodes.bnbCode(x, values);
      default -> throw new IllegalStateException(this + " is not quantized");
    };
  }

  /**
   * The code of a NaN x = y / scale. The references' rules give 0 (every comparison fails), then
   * bitsandbytes' sign fix moves it by y's sign (an all-zero block, whose scale 0 makes 0/0, gets
   * 255 where y = +0); float8 has its NaN pattern 0x7F. Where y is itself NaN its sign bit is the
   * hardware's whim, which two compilations of one step need not share: such a y gets 0 (0x7F for
   * float8) whatever its sign.
   */
  int nanCode(float y) {
    if (this == FP8) {
      return 0x7F;
    }
    return this == BNB8_SIGNED && !Float.isNaN(y) ? StateCodes.bnbSignFix(0, y) : 0;
  }

  /**
   * The code {@link #encode} gives a non-NaN x, as a function of x alone: what the vector kernels'
   * {@link CodeTable} is built from. Only the bitsandbytes sign fix reads y, whose sign is x's
   * wherever x is not NaN (y / scale with scale &gt; 0 keeps the sign, zeros included).
   */
  int codeOf(float x) {
    return this == BNB8_SIGNED
        ? StateCodes.bnbSignFix(StateCodes.bnbCode(x, values), x)
        : encode(x, 1f);
  }
}
