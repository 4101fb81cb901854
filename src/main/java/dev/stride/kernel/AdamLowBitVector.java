package dev.stride.kernel;

import static dev.stride.kernel.StateCodesVector.F;
import static dev.stride.kernel.StateCodesVector.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AdamLowBitScalar}'s operations in its order, a vector at a time, in three stages per block
 * (each its own small loop, which C2 compiles whole; one loop doing all three for every format and
 * storage outgrew its inlining budget and boxed its vectors): the stored moments decoded into the
 * thread's block of floats, the elements updated from there, and the new moments stored (the
 * block's scale, then its codes). What is left of a block past its last whole vector goes to the
 * reference, element by element.
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
    LowBitWorkspace w = LowBitWorkspace.get(block);
    for (long start = offset, end = offset + count; start < end; start += block) {
      int n = (int) Math.min(block, end - start);
      decode(expAvg, start, n, w.oldM, w.index);
      decode(expAvgSq, start, n, w.oldV, w.index);
      if (c.amsgrad) {
        decode(maxExpAvgSq, start, n, w.oldVmax, w.index);
      }
      if (c.bitsandbytes) {
        bitsandbytes(c, storage, value, master, noiseKey, grad, start, n, w);
        tail(c, storage, value, master, noiseKey, grad, expAvg, expAvgSq, maxExpAvgSq, start, n, w);
      } else {
        torchao(c, storage, value, master, noiseKey, grad, start, n, w);
        tail(c, storage, value, master, noiseKey, grad, expAvg, expAvgSq, maxExpAvgSq, start, n, w);
      }
      store(expAvg, w.m, start, n, c.beta1, w);
      store(expAvgSq, w.v, start, n, c.beta2, w);
      if (c.amsgrad) {
        store(maxExpAvgSq, w.vmax, start, n, c.beta2, w);
      }
    }
  }

  /** Stage 1: the block's stored values as float32, into {@code out}. */
  private static void decode(StateBuffer b, long start, int n, float[] out, int[] index) {
    int whole = n - n % LANES;
    switch (b.format) {
      case F32 -> {
        for (int j = 0; j < whole; j += LANES) {
          Vectors.load(b.values, start + j).intoArray(out, j);
        }
      }
      case BF16 -> {
        for (int j = 0; j < whole; j += LANES) {
          StateCodesVector.loadBf16(b.values, start + j).intoArray(out, j);
        }
      }
      case Q4_SIGNED, Q4_UNSIGNED -> {
        float scale = b.scale(start);
        for (int j = 0; j < whole; j += LANES) {
          StateCodesVector.lookup(
                  b.format.values, StateCodesVector.codes4(b.values, start + j), index)
              .mul(scale)
              .intoArray(out, j);
        }
      }
      default -> {
        float scale = b.scale(start);
        for (int j = 0; j < whole; j += LANES) {
          StateCodesVector.lookup(
                  b.format.values, StateCodesVector.codes8(b.values, start + j), index)
              .mul(scale)
              .intoArray(out, j);
        }
      }
    }
    for (int j = whole; j < n; j++) {
      out[j] = b.load(start + j);
    }
  }

  /** Stage 2, torchao's arithmetic: parameters stored, new moments into the workspace. */
  private static void torchao(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      long start,
      int n,
      LowBitWorkspace w) {
    boolean smallWeight1 = Math.abs(c.oneMinusBeta1) < 0.5f;
    boolean smallWeight2 = Math.abs(c.oneMinusBeta2) < 0.5f;
    int whole = n - n % LANES;
    for (int j = 0; j < whole; j += LANES) {
      long i = start + j;
      FloatVector p = loadParameter(storage, value, master, i);
      FloatVector g = Vectors.gradient(c, Vectors.load(grad, i), p);
      if (c.decoupled) {
        p = p.sub(p.mul(c.lrWeightDecay));
      }
      FloatVector m = lerp(FloatVector.fromArray(F, w.oldM, j), g, c.oneMinusBeta1, smallWeight1);
      FloatVector v =
          lerp(FloatVector.fromArray(F, w.oldV, j), g.mul(g), c.oneMinusBeta2, smallWeight2);
      FloatVector vHat = c.amsgrad ? FloatVector.fromArray(F, w.oldVmax, j).max(v) : v;
      FloatVector denom = Vectors.sqrt(vHat).div(c.sqrtBiasCorrection2).add(c.eps);
      p = p.sub(m.div(c.biasCorrection1).mul(c.lr).div(denom));
      storeParameter(storage, p, value, master, noiseKey, i);
      m.intoArray(w.m, j);
      v.intoArray(w.v, j);
      vHat.intoArray(w.vmax, j);
    }
  }

  /** Stage 2, bitsandbytes' arithmetic. */
  private static void bitsandbytes(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      long start,
      int n,
      LowBitWorkspace w) {
    int whole = n - n % LANES;
    for (int j = 0; j < whole; j += LANES) {
      long i = start + j;
      FloatVector p = loadParameter(storage, value, master, i);
      FloatVector g = Vectors.gradient(c, Vectors.load(grad, i), p);
      FloatVector v =
          FloatVector.fromArray(F, w.oldV, j).mul(c.beta2).add(g.mul(c.bnbOneMinusBeta2).mul(g));
      FloatVector m =
          FloatVector.fromArray(F, w.oldM, j).mul(c.beta1).add(g.mul(c.bnbOneMinusBeta1));
      FloatVector stepped = p.add(m.div(Vectors.sqrt(v).add(c.bnbEps)).mul(c.bnbStepSize));
      if (c.bnbDecay != 1) {
        stepped = stepped.mul(c.bnbDecay);
      }
      VectorMask<Float> nonFinite = g.test(VectorOperators.IS_FINITE).not();
      storeParameter(storage, stepped.blend(p, nonFinite), value, master, noiseKey, i);
      m.blend(0f, nonFinite).intoArray(w.m, j);
      v = v.blend(0f, nonFinite);
      v.intoArray(w.v, j);
      v.intoArray(w.vmax, j);
    }
  }

  /** The block's elements past its last whole vector, by the reference. */
  private static void tail(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      StateBuffer expAvg,
      StateBuffer expAvgSq,
      StateBuffer maxExpAvgSq,
      long start,
      int n,
      LowBitWorkspace w) {
    for (int j = n - n % LANES; j < n; j++) {
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
  }

  private static FloatVector loadParameter(
      ParameterStorage storage, MemorySegment value, MemorySegment master, long i) {
    return switch (storage) {
      case F32 -> Vectors.load(value, i);
      case BF16_MASTER -> Vectors.load(master, i);
      default -> StateCodesVector.loadBf16(value, i);
    };
  }

  private static void storeParameter(
      ParameterStorage storage,
      FloatVector p,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      long i) {
    switch (storage) {
      case F32 -> Vectors.store(p, value, i);
      case BF16_NEAREST -> StateCodesVector.storeBf16Nearest(p, value, i);
      case BF16_STOCHASTIC ->
          StateCodesVector.storeBf16Stochastic(p, StateCodesVector.noise(noiseKey, i), value, i);
      case BF16_MASTER -> {
        Vectors.store(p, master, i);
        StateCodesVector.storeBf16Nearest(p, value, i);
      }
      case BF16_GIVEN_NOISE ->
          StateCodesVector.storeBf16Stochastic(p, StateCodesVector.loadNoise(master, i), value, i);
    }
  }

  /** {@link AdamLowBitScalar#lerp}; {@code small} says which of torch's two forms. */
  private static FloatVector lerp(FloatVector a, FloatVector b, float weight, boolean small) {
    FloatVector d = b.sub(a);
    return small ? a.add(d.mul(weight)) : b.sub(d.mul(1 - weight));
  }

  /**
   * Stage 3: {@link AdamLowBitScalar#store} of {@code y}: plain, or the largest |y|, the block's
   * scale, then its codes.
   */
  private static void store(
      StateBuffer b, float[] y, long start, int n, float beta, LowBitWorkspace w) {
    int whole = n - n % LANES;
    if (!b.format.quantized()) {
      for (int j = 0; j < whole; j += LANES) {
        StateCodesVector.storePlain(b, FloatVector.fromArray(F, y, j), start + j);
      }
      AdamLowBitScalar.storePlain(b, y, start, whole, n);
      return;
    }
    float absMax = Math.max(absMax(y, whole), AdamLowBitScalar.absMax(y, whole, n));
    float scale = AdamLowBitScalar.blockScale(b, start, absMax, beta);
    StateCodesVector.encode(b, y, start, whole, scale, w);
    AdamLowBitScalar.storeCodes(b, y, start, whole, n, scale);
  }

  /** The largest |y| of {@code y[0, whole)}. */
  private static float absMax(float[] y, int whole) {
    FloatVector max = FloatVector.zero(F);
    for (int j = 0; j < whole; j += LANES) {
      max = max.max(FloatVector.fromArray(F, y, j).abs());
    }
    return max.reduceLanes(VectorOperators.MAX);
  }
}
