package dev.stride.kernel;

import static dev.stride.kernel.StateCodesVector.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AdamLowBitScalar}'s operations in its order, a vector at a time: per block, the elements
 * updated and their new moments kept in the thread's block of floats (stored at once where the
 * format is plain), then the block's scale and its codes. What is left of a block past its last
 * whole vector goes to the reference, element by element.
 */
final class AdamLowBitVector implements AdamLowBitKernel {

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
    int block = AdamLowBitScalar.blockOf(expAvg);
    boolean quantized = expAvg.format.quantized();
    boolean amsgrad = c.amsgrad;
    LowBitWorkspace w = LowBitWorkspace.get(block);
    int[] index = w.index;
    boolean smallWeight1 = Math.abs(c.oneMinusBeta1) < 0.5f;
    boolean smallWeight2 = Math.abs(c.oneMinusBeta2) < 0.5f;
    for (long start = offset, end = offset + count; start < end; start += block) {
      int n = (int) Math.min(block, end - start);
      int whole = n - n % LANES;
      float mScale = quantized ? expAvg.scale(start) : 0;
      float vScale = quantized ? expAvgSq.scale(start) : 0;
      float vmaxScale = quantized && amsgrad ? maxExpAvgSq.scale(start) : 0;
      for (int j = 0; j < whole; j += LANES) {
        long i = start + j;
        FloatVector p =
            switch (storage) {
              case F32 -> Vectors.load(value, i);
              case BF16_MASTER -> Vectors.load(master, i);
              default -> StateCodesVector.loadBf16(value, i);
            };
        FloatVector g = Vectors.gradient(c, Vectors.load(grad, i), p);
        FloatVector m = StateCodesVector.load(expAvg, i, mScale, index);
        FloatVector v = StateCodesVector.load(expAvgSq, i, vScale, index);
        FloatVector vHat;
        if (c.bitsandbytes) {
          v = v.mul(c.beta2).add(g.mul(c.bnbOneMinusBeta2).mul(g));
          m = m.mul(c.beta1).add(g.mul(c.bnbOneMinusBeta1));
          FloatVector stepped = p.add(m.div(Vectors.sqrt(v).add(c.bnbEps)).mul(c.bnbStepSize));
          if (c.bnbDecay != 1) {
            stepped = stepped.mul(c.bnbDecay);
          }
          VectorMask<Float> nonFinite = g.test(VectorOperators.IS_FINITE).not();
          v = v.blend(0f, nonFinite);
          m = m.blend(0f, nonFinite);
          vHat = v;
          p = stepped.blend(p, nonFinite);
        } else {
          if (c.decoupled) {
            p = p.sub(p.mul(c.lrWeightDecay));
          }
          m = lerp(m, g, c.oneMinusBeta1, smallWeight1);
          v = lerp(v, g.mul(g), c.oneMinusBeta2, smallWeight2);
          vHat = amsgrad ? StateCodesVector.load(maxExpAvgSq, i, vmaxScale, index).max(v) : v;
          FloatVector denom = Vectors.sqrt(vHat).div(c.sqrtBiasCorrection2).add(c.eps);
          p = p.sub(m.div(c.biasCorrection1).mul(c.lr).div(denom));
        }
        switch (storage) {
          case F32 -> Vectors.store(p, value, i);
          case BF16_NEAREST -> StateCodesVector.storeBf16Nearest(p, value, i);
          case BF16_STOCHASTIC ->
              StateCodesVector.storeBf16Stochastic(
                  p, StateCodesVector.noise(noiseKey, i), value, i);
          case BF16_MASTER -> {
            Vectors.store(p, master, i);
            StateCodesVector.storeBf16Nearest(p, value, i);
          }
        }
        if (quantized) {
          m.intoArray(w.m, j);
          v.intoArray(w.v, j);
          vHat.intoArray(w.vmax, j);
        } else {
          StateCodesVector.storePlain(expAvg, m, i);
          StateCodesVector.storePlain(expAvgSq, v, i);
          if (amsgrad) {
            StateCodesVector.storePlain(maxExpAvgSq, vHat, i);
          }
        }
      }
      for (int j = whole; j < n; j++) {
        AdamLowBitScalar.element(
            c,
            storage,
            value,
            master,
            noiseKey,
            grad,
            expAvg,
            expAvgSq,
            maxExpAvgSq,
            start + j,
            w,
            j);
      }
      if (quantized) {
        storeBlock(expAvg, w.m, start, n, c.beta1, index);
        storeBlock(expAvgSq, w.v, start, n, c.beta2, index);
        if (amsgrad) {
          storeBlock(maxExpAvgSq, w.vmax, start, n, c.beta2, index);
        }
      } else {
        AdamLowBitScalar.storePlain(expAvg, w.m, start, whole, n);
        AdamLowBitScalar.storePlain(expAvgSq, w.v, start, whole, n);
        if (amsgrad) {
          AdamLowBitScalar.storePlain(maxExpAvgSq, w.vmax, start, whole, n);
        }
      }
    }
  }

  /** {@link AdamLowBitScalar#lerp}; {@code small} says which of torch's two forms. */
  private static FloatVector lerp(FloatVector a, FloatVector b, float weight, boolean small) {
    FloatVector d = b.sub(a);
    return small ? a.add(d.mul(weight)) : b.sub(d.mul(1 - weight));
  }

  /** {@link AdamLowBitScalar#storeBlock}: the largest |y|, the scale, then the codes. */
  private static void storeBlock(
      StateBuffer b, float[] y, long start, int n, float beta, int[] index) {
    int whole = n - n % LANES;
    FloatVector max = FloatVector.zero(StateCodesVector.F);
    for (int j = 0; j < whole; j += LANES) {
      max = max.max(FloatVector.fromArray(StateCodesVector.F, y, j).abs());
    }
    float absMax =
        Math.max(max.reduceLanes(VectorOperators.MAX), AdamLowBitScalar.absMax(y, whole, n));
    float scale = AdamLowBitScalar.blockScale(b, start, absMax, beta);
    for (int j = 0; j < whole; j += LANES) {
      StateCodesVector.storeCodes(
          b, FloatVector.fromArray(StateCodesVector.F, y, j), scale, start + j, index);
    }
    AdamLowBitScalar.storeCodes(b, y, start, whole, n, scale);
  }
}
