package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * {@link AdamLowBitKernel}'s reference: block by block, each element as the formulas read, then the
 * block's moments stored as their format says.
 */
final class AdamLowBitScalar implements AdamLowBitKernel {
  /** Elements per round for plain formats, whose elements need no block. */
  static final int PLAIN_BLOCK = 256;

  @Override
  public void update(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      StateBuffer expAvg,
      StateBuffer expAvgSq,
      StateBuffer maxExpAvgSq,
      long offset,
      long count) {
    int block = blockOf(expAvg);
    LowBitWorkspace w = LowBitWorkspace.get(block);
    for (long start = offset, end = offset + count; start < end; start += block) {
      long stop = Math.min(start + block, end);
      for (long i = start; i < stop; i++) {
        element(
            c,
            storage,
            value,
            master,
            noiseKey,
            grad,
            expAvg,
            expAvgSq,
            maxExpAvgSq,
            i,
            w,
            (int) (i - start));
      }
      int n = (int) (stop - start);
      store(expAvg, w.m, start, n, absMax(w.m, 0, n), c.beta1);
      store(expAvgSq, w.v, start, n, absMax(w.v, 0, n), c.beta2);
      if (c.amsgrad) {
        store(maxExpAvgSq, w.vmax, start, n, absMax(w.vmax, 0, n), c.beta2);
      }
    }
  }

  /** The elements a round takes: a quantized format's block, or {@link #PLAIN_BLOCK}. */
  static int blockOf(StateBuffer b) {
    return b.format.quantized() ? b.block : PLAIN_BLOCK;
  }

  /**
   * Updates element {@code i}: its parameter stored, its new moments put in {@code w} at {@code j},
   * its place in the round.
   */
  static void element(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      StateBuffer expAvg,
      StateBuffer expAvgSq,
      StateBuffer maxExpAvgSq,
      long i,
      LowBitWorkspace w,
      int j) {
    float p =
        switch (storage) {
          case F32 -> value.getAtIndex(JAVA_FLOAT, i);
          case BF16_MASTER -> master.getAtIndex(JAVA_FLOAT, i);
          default -> StateCodes.bf16ToFloat(value.getAtIndex(JAVA_SHORT, i));
        };
    float g = c.gradient(grad.getAtIndex(JAVA_FLOAT, i), p);
    float m = expAvg.load(i);
    float v = expAvgSq.load(i);
    float vHat;
    if (c.bitsandbytes && !Float.isFinite(g)) { // the kernel's guard: moments 0, p as it was
      m = 0;
      v = 0;
      vHat = 0;
    } else if (c.bitsandbytes) {
      v = v * c.beta2 + c.bnbOneMinusBeta2 * g * g;
      m = m * c.beta1 + c.bnbOneMinusBeta1 * g;
      vHat = v;
      p = p + c.bnbStepSize * (m / ((float) Math.sqrt(v) + c.bnbEps));
      if (c.bnbDecay != 1) {
        p = p * c.bnbDecay;
      }
    } else {
      if (c.decoupled) {
        p = p - c.lrWeightDecay * p;
      }
      m = lerp(m, g, c.oneMinusBeta1);
      v = lerp(v, g * g, c.oneMinusBeta2);
      vHat = c.amsgrad ? Math.max(maxExpAvgSq.load(i), v) : v;
      float denom = (float) Math.sqrt(vHat) / c.sqrtBiasCorrection2 + c.eps;
      p = p - c.lr * (m / c.biasCorrection1) / denom;
    }
    switch (storage) {
      case F32 -> value.setAtIndex(JAVA_FLOAT, i, p);
      case BF16_NEAREST -> value.setAtIndex(JAVA_SHORT, i, StateCodes.bf16Nearest(p));
      case BF16_STOCHASTIC ->
          value.setAtIndex(
              JAVA_SHORT, i, StateCodes.bf16Stochastic(p, RoundingNoise.bits(noiseKey, i)));
      case BF16_MASTER -> {
        master.setAtIndex(JAVA_FLOAT, i, p);
        value.setAtIndex(JAVA_SHORT, i, StateCodes.bf16Nearest(p));
      }
      case BF16_GIVEN_NOISE ->
          value.setAtIndex(
              JAVA_SHORT,
              i,
              StateCodes.bf16Stochastic(p, master.getAtIndex(JAVA_SHORT, i) & 0xFFFF));
    }
    w.m[j] = m;
    w.v[j] = v;
    w.vmax[j] = vHat;
  }

  /** torch.lerp(a, b, w) in float32. */
  static float lerp(float a, float b, float weight) {
    return Math.abs(weight) < 0.5f ? a + weight * (b - a) : b - (b - a) * (1 - weight);
  }

  /** The largest |y| of {@code y[from, to)}. */
  static float absMax(float[] y, int from, int to) {
    float max = 0;
    for (int j = from; j < to; j++) {
      max = Math.max(max, Math.abs(y[j]));
    }
    return max;
  }

  /**
   * Stores {@code n} new values {@code y} of buffer {@code b} from element {@code start}: plain, or
   * one block's codes, with {@code absMax} their largest |y|. {@code beta} is the buffer's β, which
   * bitsandbytes' partial last block needs.
   */
  static void store(StateBuffer b, float[] y, long start, int n, float absMax, float beta) {
    if (b.format.quantized()) {
      storeCodes(b, y, start, 0, n, blockScale(b, start, absMax, beta));
    } else {
      storePlain(b, y, start, 0, n);
    }
  }

  /** Stores {@code y[from, to)} as elements {@code start + from …} of a plain buffer. */
  static void storePlain(StateBuffer b, float[] y, long start, int from, int to) {
    for (int j = from; j < to; j++) {
      b.format.store(b.values, start + j, y[j]);
    }
  }

  /** Stores the codes of {@code y[from, to)} in the block at {@code start} of {@code scale}. */
  static void storeCodes(StateBuffer b, float[] y, long start, int from, int to, float scale) {
    for (int j = from; j < to; j++) {
      b.format.setCode(b.values, start + j, b.format.encode(y[j], scale));
    }
  }

  /** Sets the scale of the block at {@code start} from its largest |y|, and returns it. */
  static float blockScale(StateBuffer b, long start, float absMax, float beta) {
    float scale = b.format.scale(Math.max(absMax, partialBlockPadding(b, start, beta)));
    b.setScale(start, scale);
    return scale;
  }

  /**
   * What bitsandbytes' kernel adds to a partial last block's largest |y|: it runs the missing
   * elements too, as g = 0 and codes 128 (first moment) and 0 (second), so their new value is
   * {@code map[code]·scale·β} of the block's old scale; 0 for any other block. It sets the scale
   * only when every real element is below 5.5·10<sup>−7</sup>·β of the old scale.
   */
  static float partialBlockPadding(StateBuffer b, long start, float beta) {
    if (!b.format.partialBlocks() || start + b.block <= b.count) {
      return 0;
    }
    int code = b.format == StateFormat.BNB8_SIGNED ? 128 : 0;
    return Math.abs(b.format.value(code) * b.scale(start) * beta);
  }
}
