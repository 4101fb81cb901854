package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Adam and AdamW with low-precision state or bfloat16 parameters, as the two references compute
 * them (FORMAT.md, "lowbit.json"): one pass that reads each element's stored moments, updates in
 * float32 and stores them again, block by block for the quantized formats (a block's scale needs
 * its new values first; they wait in a per-thread block of floats, never in a float32 copy of the
 * state). With {@code g} after the {@link GradientCoefficients} terms (λ2 is Adam's weight decay
 * for torchao, 0 otherwise), t the step, and every operation one float32 rounding:
 *
 * <pre>
 * torchao (single_param_adam):
 *   p   = p − (η·λ)·p                                AdamW
 *   m   = lerp(m, g, 1 − β1);  v = lerp(v, g·g, 1 − β2)
 *   v̂   = amsgrad ? (vmax = max(vmax, v)) : v
 *   p   = p − (η·(m / (1 − β1^t))) / (√v̂ / √(1 − β2^t) + ε)
 * bitsandbytes (kOptimizerStatic8bit2StateBlockwise):
 *   v   = v·β2 + ((1 − β2)·g)·g;  m = m·β1 + (1 − β1)·g
 *   p   = p + ((−η·c2) / c1)·(m / (√v + c2·ε)),  c1 = 1 − β1^t, c2 = √(1 − β2^t)
 *   p   = p·(1 − η·λ)                                if λ &gt; 0, Adam and AdamW alike
 * </pre>
 *
 * with lerp(a, b, w) = a + w·(b − a) for w &lt; 0.5, else b − (b − a)·(1 − w), as torch defines it.
 * The update uses the float32 moments just computed; what is stored is what the next step reads.
 * The parameter is read and written as its {@link ParameterStorage} says.
 */
public interface AdamLowBitKernel {

  /**
   * @param value the parameter: float32, or bfloat16 for the {@code BF16_*} storages
   * @param master the float32 master copy for {@link ParameterStorage#BF16_MASTER}, the noise for
   *     {@link ParameterStorage#BF16_GIVEN_NOISE}, else unread
   * @param noiseKey {@link RoundingNoise#key} of the parameter's step, for stochastic rounding
   * @param maxExpAvgSq {@code vmax}, or null without amsgrad
   * @param offset the first element, a multiple of the moments' block size when quantized
   */
  void update(
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
      long count);

  /** How a parameter is held and how its float32 update is stored. */
  enum ParameterStorage {
    /** float32 values. */
    F32,
    /** bfloat16 values, rounded to nearest even (torch's cast). */
    BF16_NEAREST,
    /** bfloat16 values, rounded stochastically with {@link RoundingNoise}'s bits (torchao's). */
    BF16_STOCHASTIC,
    /** bfloat16 values rounded to nearest from a float32 master copy, which the step updates. */
    BF16_MASTER,
    /**
     * bfloat16 values rounded stochastically with the 16 random bits of each element given as
     * unsigned shorts in the segment passed as {@code master}: a reference's own draws, replayed.
     */
    BF16_GIVEN_NOISE
  }

  /** The references' per-step scalars, each rounded to float32 as the reference rounds it. */
  final class Coefficients extends AdamKernel.Coefficients {
    /** bitsandbytes' arithmetic rather than torchao's. */
    boolean bitsandbytes;

    boolean decoupled;
    float lr;

    /** torchao: fl(η·λ). */
    float lrWeightDecay;

    /** 1 − β^t, in float32 from powf. */
    float biasCorrection1;

    /** torchao: √(1 − β2^t), rounded to float32 once more. */
    float sqrtBiasCorrection2;

    /** bitsandbytes: 1 − fl32(β) in float32 (torchao's lerp weights are the base's oneMinus*). */
    float bnbOneMinusBeta1;

    float bnbOneMinusBeta2;

    /** bitsandbytes: (−η·c2)/c1. */
    float bnbStepSize;

    /** bitsandbytes: c2·ε. */
    float bnbEps;

    /** bitsandbytes: 1 − η·λ, or 1 for λ = 0. */
    float bnbDecay;

    /**
     * torchao's {@code single_param_adam} scalars.
     *
     * @param decoupled AdamW's decay {@code p −= (η·λ)·p} instead of Adam's {@code g += λ·p}
     * @param step the step being taken, counted from 1
     */
    public Coefficients setTorchao(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean amsgrad,
        boolean maximize,
        long step) {
      setCommon(lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize);
      this.bitsandbytes = false;
      this.biasCorrection1 = 1 - powf(this.beta1, step);
      this.sqrtBiasCorrection2 = (float) Math.sqrt(1 - powf(this.beta2, step));
      return this;
    }

    /**
     * bitsandbytes' {@code kOptimizerStatic8bit2StateBlockwise} scalars: its weight decay is
     * decoupled and applied after the step whatever {@code decoupled} says, which only names the
     * rule.
     */
    public Coefficients setBitsandbytes(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean maximize,
        long step) {
      setCommon(lr, beta1, beta2, eps, 0, true, false, maximize);
      this.bitsandbytes = true;
      float c1 = 1 - powf(this.beta1, step);
      float c2 = (float) Math.sqrt(1 - powf(this.beta2, step));
      this.biasCorrection1 = c1;
      this.bnbOneMinusBeta1 = 1 - this.beta1;
      this.bnbOneMinusBeta2 = 1 - this.beta2;
      this.bnbStepSize = -this.lr * c2 / c1;
      this.bnbEps = c2 * this.eps;
      float wd = (float) weightDecay;
      this.bnbDecay = wd > 0 ? 1 - this.lr * wd : 1;
      return this;
    }

    private void setCommon(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean decoupled,
        boolean amsgrad,
        boolean maximize) {
      setGradientTerms(maximize, decoupled ? 0 : weightDecay);
      this.decoupled = decoupled;
      this.lr = (float) lr;
      this.lrWeightDecay = decoupled ? this.lr * (float) weightDecay : 0;
      this.beta1 = (float) beta1;
      this.beta2 = (float) beta2;
      this.oneMinusBeta1 = (float) (1 - beta1);
      this.oneMinusBeta2 = (float) (1 - beta2);
      this.eps = (float) eps;
      this.amsgrad = amsgrad;
    }

    /**
     * β^t in float32, as torch's float32 power computes it: for every β and t of the reference
     * files the double power rounded once agrees with the correctly rounded one.
     */
    private static float powf(float beta, long step) {
      return (float) Math.pow(beta, step);
    }
  }
}
