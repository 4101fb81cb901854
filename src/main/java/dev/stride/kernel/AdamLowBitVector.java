package dev.stride.kernel;

import static dev.stride.kernel.StateCodesVector.F;
import static dev.stride.kernel.StateCodesVector.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link AdamLowBitScalar}'s operations in its order, a vector at a time, in stages per block: the
 * stored moments decoded into the thread's block of floats, the elements updated from there, and
 * the new moments stored (plain, or the block's scale, then its codes). What is left of a block
 * past its last whole vector goes to the reference, element by element.
 *
 * <p>Each stage is a small loop that C2 compiles whole. Inlined into one another they outgrew its
 * inlining budget ({@code NodeCountInliningCutoff}: every Vector API operation inlines a deep tree)
 * and it left vector helpers uninlined, their vectors boxed: a step allocated and ran 3× slower. So
 * the stages run through one call site that sees every stage type ({@link #run}), which C2 calls
 * rather than inlines, and each stage compiles on its own.
 */
final class AdamLowBitVector implements AdamLowBitKernel {

  /** One stage of a block's step, reading its arguments from the thread's workspace. */
  private abstract static class Stage {
    abstract void run(LowBitWorkspace w);
  }

  private static final Stage DECODE = new Decode();
  private static final Stage TORCHAO = new Torchao();
  private static final Stage BITSANDBYTES = new Bitsandbytes();
  private static final Stage STORE_PLAIN = new StorePlain();
  private static final Stage STORE_CODES = new StoreCodes();

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
    w.set(
        c,
        storage,
        value,
        master,
        noiseKey,
        grad,
        expAvg,
        expAvgSq,
        c.amsgrad ? maxExpAvgSq : null);
    Stage math = c.bitsandbytes ? BITSANDBYTES : TORCHAO;
    Stage store = expAvg.format.quantized() ? STORE_CODES : STORE_PLAIN;
    for (long start = offset, end = offset + count; start < end; start += block) {
      w.start = start;
      w.n = (int) Math.min(block, end - start);
      run(DECODE, w);
      run(math, w);
      run(store, w);
    }
  }

  /** The one call site of every stage: several receiver types, so C2 does not inline it. */
  private static void run(Stage stage, LowBitWorkspace w) {
    stage.run(w);
  }

  /** Stage 1: the block's stored moments as float32, into the workspace's old moments. */
  private static final class Decode extends Stage {
    @Override
    void run(LowBitWorkspace w) {
      for (int k = 0; k < w.buffers; k++) {
        decode(w.moments[k], w.start, w.n, w.old[k], w.index);
      }
    }
  }

  /** One buffer's {@link Decode}. */
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
  private static final class Torchao extends Stage {
    @Override
    void run(LowBitWorkspace w) {
      Coefficients c = w.c;
      boolean smallWeight1 = Math.abs(c.oneMinusBeta1) < 0.5f;
      boolean smallWeight2 = Math.abs(c.oneMinusBeta2) < 0.5f;
      float[] oldVmax = w.buffers > 2 ? w.old[2] : w.old[1];
      int whole = w.n - w.n % LANES;
      for (int j = 0; j < whole; j += LANES) {
        long i = w.start + j;
        FloatVector p = loadParameter(w.storage, w.value, w.master, i);
        FloatVector g = Vectors.gradient(c, Vectors.load(w.grad, i), p);
        if (c.decoupled) {
          p = p.sub(p.mul(c.lrWeightDecay));
        }
        FloatVector m =
            lerp(FloatVector.fromArray(F, w.old[0], j), g, c.oneMinusBeta1, smallWeight1);
        FloatVector v =
            lerp(FloatVector.fromArray(F, w.old[1], j), g.mul(g), c.oneMinusBeta2, smallWeight2);
        FloatVector vHat = c.amsgrad ? FloatVector.fromArray(F, oldVmax, j).max(v) : v;
        FloatVector denom = Vectors.sqrt(vHat).div(c.sqrtBiasCorrection2).add(c.eps);
        p = p.sub(m.div(c.biasCorrection1).mul(c.lr).div(denom));
        storeParameter(w.storage, p, w.value, w.master, w.noiseKey, i);
        m.intoArray(w.m, j);
        v.intoArray(w.v, j);
        vHat.intoArray(w.vmax, j);
      }
      tail(w, whole);
    }
  }

  /** Stage 2, bitsandbytes' arithmetic. */
  private static final class Bitsandbytes extends Stage {
    @Override
    void run(LowBitWorkspace w) {
      Coefficients c = w.c;
      int whole = w.n - w.n % LANES;
      for (int j = 0; j < whole; j += LANES) {
        long i = w.start + j;
        FloatVector p = loadParameter(w.storage, w.value, w.master, i);
        FloatVector g = Vectors.gradient(c, Vectors.load(w.grad, i), p);
        FloatVector v =
            FloatVector.fromArray(F, w.old[1], j)
                .mul(c.beta2)
                .add(g.mul(c.bnbOneMinusBeta2).mul(g));
        FloatVector m =
            FloatVector.fromArray(F, w.old[0], j).mul(c.beta1).add(g.mul(c.bnbOneMinusBeta1));
        FloatVector stepped = p.add(m.div(Vectors.sqrt(v).add(c.bnbEps)).mul(c.bnbStepSize));
        if (c.bnbDecay != 1) {
          stepped = stepped.mul(c.bnbDecay);
        }
        VectorMask<Float> nonFinite = g.test(VectorOperators.IS_FINITE).not();
        storeParameter(w.storage, stepped.blend(p, nonFinite), w.value, w.master, w.noiseKey, i);
        m.blend(0f, nonFinite).intoArray(w.m, j);
        v.blend(0f, nonFinite).intoArray(w.v, j);
      }
      tail(w, whole);
    }
  }

  /** The block's elements past its last whole vector, by the reference. */
  private static void tail(LowBitWorkspace w, int whole) {
    for (int j = whole; j < w.n; j++) {
      AdamLowBitScalar.element(
          w.c,
          w.storage,
          w.value,
          w.master,
          w.noiseKey,
          w.grad,
          w.moments[0],
          w.moments[1],
          w.moments[2],
          w.start + j,
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

  /** Stage 3 for plain formats: the new moments stored as float32 or bfloat16. */
  private static final class StorePlain extends Stage {
    @Override
    void run(LowBitWorkspace w) {
      int whole = w.n - w.n % LANES;
      for (int k = 0; k < w.buffers; k++) {
        StateBuffer b = w.moments[k];
        float[] y = w.fresh[k];
        for (int j = 0; j < whole; j += LANES) {
          StateCodesVector.storePlain(b, FloatVector.fromArray(F, y, j), w.start + j);
        }
        AdamLowBitScalar.storePlain(b, y, w.start, whole, w.n);
      }
    }
  }

  /**
   * Stage 3 for quantized formats: {@link AdamLowBitScalar#store}: each buffer's largest |y|, its
   * block's scale, then its codes.
   */
  private static final class StoreCodes extends Stage {
    @Override
    void run(LowBitWorkspace w) {
      int whole = w.n - w.n % LANES;
      for (int k = 0; k < w.buffers; k++) {
        StateBuffer b = w.moments[k];
        float[] y = w.fresh[k];
        float absMax = Math.max(absMax(y, whole), AdamLowBitScalar.absMax(y, whole, w.n));
        float beta = k == 0 ? w.c.beta1 : w.c.beta2;
        float scale = AdamLowBitScalar.blockScale(b, w.start, absMax, beta);
        StateCodesVector.encode(b, y, w.start, whole, scale, w);
        AdamLowBitScalar.storeCodes(b, y, w.start, whole, w.n, scale);
      }
    }
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
