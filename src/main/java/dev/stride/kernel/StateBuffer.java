package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * One state buffer of one parameter as the low-precision kernels read it: its format, its values or
 * codes, its block scales (empty for a plain format), the block size and the parameter's element
 * count (bitsandbytes' last block may be partial). Made when the buffer is allocated.
 */
public final class StateBuffer {
  public final StateFormat format;
  public final MemorySegment values;
  public final MemorySegment scales;
  public final int block;
  public final long count;

  /**
   * @param values {@link StateFormat#valueBytes} of {@code count}
   * @param scales {@link StateFormat#scaleCount} floats
   */
  public StateBuffer(
      StateFormat format, MemorySegment values, MemorySegment scales, int block, long count) {
    this.format = format;
    this.values = values;
    this.scales = scales;
    this.block = block;
    this.count = count;
  }

  /** The scale of the block holding element {@code i}. */
  float scale(long i) {
    return scales.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i / block);
  }

  void setScale(long i, float scale) {
    scales.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i / block, scale);
  }

  /** Element {@code i}'s value: plain, or its code's map value times its block's scale. */
  float load(long i) {
    return format.quantized()
        ? format.value(format.code(values, i)) * scale(i)
        : format.load(values, i);
  }
}
