package dev.stride.bench;

/** The buffers of {@link SegmentBuffers}, same values, as the {@code float[]}s a trainer holds. */
final class ArrayBuffers {
  final float[] param;
  final float[] grad;
  final float[] expAvg;
  final float[] expAvgSq;
  final float[] accDelta;

  ArrayBuffers(int size) {
    param = Data.PARAM.array(size);
    grad = Data.GRAD.array(size);
    expAvg = Data.EXP_AVG.array(size);
    expAvgSq = Data.EXP_AVG_SQ.array(size);
    accDelta = Data.ACC_DELTA.array(size);
  }
}
