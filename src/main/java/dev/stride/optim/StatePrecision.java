package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.StateFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * How a parameter group keeps its rule's state: float32 (the default), bfloat16, or block-wise
 * quantized as torchao's and bitsandbytes' low-memory Adam keep it. Set per group with {@link
 * ParamGroup#setStatePrecision} before the group's first step; a checkpoint records it and refuses
 * to load into another.
 *
 * <ul>
 *   <li>{@link #FP32}: the rule's own float32 state, bit-identical to a group that never heard of
 *       precision.
 *   <li>{@link #BF16}: every state buffer bfloat16, rounded to nearest even; updated in float32 as
 *       torchao's {@code _AdamW} updates its bfloat16 state.
 *   <li>{@link #torchao8bit()}, {@link #torchao4bit()}, {@link #torchaoFp8()}: torchao's {@code
 *       AdamW8bit}, {@code AdamW4bit} and {@code AdamWFp8} (and their Adam forms): codes of 8 or 4
 *       bits into a dynamic map, or float8 e4m3, with one float32 scale per block of {@link
 *       #blockSize()} elements (256, 128, 256 by default). A tensor below {@link
 *       #minQuantizedSize()} elements (torchao's 4096), or whose size is not a multiple of the
 *       block, keeps plain state as torchao does: float32, or bfloat16 for a bfloat16 parameter.
 *   <li>{@link #bitsandbytes8bit()}: bitsandbytes' block-wise {@code Adam8bit}/{@code AdamW8bit}:
 *       8-bit codes in blocks of 256 of which the last may be partial, from {@code min_8bit_size}
 *       ({@link #minQuantizedSize()}, 4096) elements on, float32 below; its arithmetic (weight
 *       decay after the step, for Adam too; ε scaled by √(1 − β2^t); no amsgrad).
 * </ul>
 *
 * Which buffers a precision applies to is the rule's to say: Adam's and AdamW's moments; the rules
 * that keep no moments a reduced precision could hold (and the state that is the model itself, such
 * as Schedule-Free's z) stay float32 and refuse any other precision.
 *
 * @param format what the state is stored as
 * @param blockSize elements per block scale (quantized formats only; bitsandbytes' is 256)
 * @param minQuantizedSize the element count from which a tensor's state is quantized
 */
public record StatePrecision(Format format, int blockSize, long minQuantizedSize) {

  /** What a group's state is stored as. */
  public enum Format {
    FP32("float32"),
    BF16("bfloat16"),
    TORCHAO_8BIT("torchao 8-bit"),
    TORCHAO_4BIT("torchao 4-bit"),
    TORCHAO_FP8("torchao FP8"),
    BITSANDBYTES_8BIT("bitsandbytes 8-bit");

    private final String label;

    Format(String label) {
      this.label = label;
    }

    /** {@code "torchao 8-bit"}: what messages and reports call it. */
    public String label() {
      return label;
    }

    /** Whether the state is codes with block scales. */
    public boolean quantized() {
      return this != FP32 && this != BF16;
    }
  }

  /** torchao's threshold (and bitsandbytes' default {@code min_8bit_size}). */
  public static final long DEFAULT_MIN_QUANTIZED_SIZE = 4096;

  /** The rule's float32 state: the default. */
  public static final StatePrecision FP32 = new StatePrecision(Format.FP32, 0, 0);

  /** bfloat16 state, rounded to nearest even. */
  public static final StatePrecision BF16 = new StatePrecision(Format.BF16, 0, 0);

  public StatePrecision {
    Objects.requireNonNull(format, "format");
    if (format.quantized()) {
      Args.positive("blockSize", blockSize);
      Args.nonNegative("minQuantizedSize", minQuantizedSize);
      if (format == Format.TORCHAO_4BIT && blockSize % 2 != 0) {
        throw new IllegalArgumentException(
            "blockSize of torchao 4-bit state must be even (two codes a byte), got " + blockSize);
      }
      if (format == Format.BITSANDBYTES_8BIT && blockSize != StateFormat.BNB_BLOCK) {
        throw new IllegalArgumentException(
            "blockSize of bitsandbytes 8-bit state is "
                + StateFormat.BNB_BLOCK
                + " (its kernel's), got "
                + blockSize);
      }
    } else if (blockSize != 0 || minQuantizedSize != 0) {
      throw new IllegalArgumentException(
          format.label()
              + " state has no blocks: blockSize and minQuantizedSize must be 0, got "
              + blockSize
              + " and "
              + minQuantizedSize);
    }
  }

  /** torchao's {@code AdamW8bit}: blocks of 256, quantized from 4096 elements. */
  public static StatePrecision torchao8bit() {
    return new StatePrecision(Format.TORCHAO_8BIT, 256, DEFAULT_MIN_QUANTIZED_SIZE);
  }

  /** torchao's {@code AdamW4bit}: blocks of 128, quantized from 4096 elements. */
  public static StatePrecision torchao4bit() {
    return new StatePrecision(Format.TORCHAO_4BIT, 128, DEFAULT_MIN_QUANTIZED_SIZE);
  }

  /** torchao's {@code AdamWFp8}: float8 e4m3 in blocks of 256, from 4096 elements. */
  public static StatePrecision torchaoFp8() {
    return new StatePrecision(Format.TORCHAO_FP8, 256, DEFAULT_MIN_QUANTIZED_SIZE);
  }

  /** bitsandbytes' block-wise {@code AdamW8bit}: blocks of 256, from {@code min_8bit_size}. */
  public static StatePrecision bitsandbytes8bit() {
    return new StatePrecision(
        Format.BITSANDBYTES_8BIT, StateFormat.BNB_BLOCK, DEFAULT_MIN_QUANTIZED_SIZE);
  }

  /**
   * The same precision in blocks of {@code blockSize} (torchao's {@code block_size}).
   *
   * @throws IllegalArgumentException for a plain format, or a size the format refuses
   */
  public StatePrecision withBlockSize(int blockSize) {
    requireQuantized("withBlockSize");
    return new StatePrecision(format, blockSize, minQuantizedSize);
  }

  /**
   * The same precision quantizing from {@code minQuantizedSize} elements (torchao hard-codes 4096;
   * bitsandbytes' {@code min_8bit_size}).
   *
   * @throws IllegalArgumentException for a plain format, or a negative size
   */
  public StatePrecision withMinQuantizedSize(long minQuantizedSize) {
    requireQuantized("withMinQuantizedSize");
    return new StatePrecision(format, blockSize, minQuantizedSize);
  }

  private void requireQuantized(String what) {
    if (!format.quantized()) {
      throw new IllegalArgumentException(
          what + " applies to quantized state, not to " + format.label());
    }
  }

  /** Whether the update follows bitsandbytes' arithmetic rather than torchao's. */
  boolean bitsandbytes() {
    return format == Format.BITSANDBYTES_8BIT;
  }

  /**
   * The format of a buffer of {@code count} elements holding signed or non-negative values, for a
   * float32 or bfloat16 parameter: where a quantized precision does not apply (too small, or not
   * whole blocks for torchao) the plain state torchao and bitsandbytes fall back to.
   */
  StateFormat formatOf(boolean signed, long count, boolean bf16Parameter) {
    StateFormat quantized =
        switch (format) {
          case FP32 -> StateFormat.F32;
          case BF16 -> StateFormat.BF16;
          case TORCHAO_8BIT -> StateFormat.Q8_SIGNED;
          case TORCHAO_4BIT -> StateFormat.Q4_SIGNED;
          case TORCHAO_FP8 -> StateFormat.FP8;
          case BITSANDBYTES_8BIT -> StateFormat.BNB8_SIGNED;
        };
    if (!format.quantized()) {
      return quantized;
    }
    boolean applies =
        count >= minQuantizedSize && (bitsandbytes() || count % blockSize == 0) && count > 0;
    if (!applies) {
      return bf16Parameter && !bitsandbytes() ? StateFormat.BF16 : StateFormat.F32;
    }
    return signed ? quantized : quantized.unsigned();
  }

  /**
   * The text a checkpoint records: {@code "float32"}, {@code "bfloat16"}, or the format, block size
   * and threshold as {@code "torchao 8-bit, blocks of 256, from 4096"}.
   */
  @Override
  public String toString() {
    return format.quantized()
        ? String.format(
            Locale.ROOT, "%s, blocks of %d, from %d", format.label(), blockSize, minQuantizedSize)
        : format.label();
  }
}
