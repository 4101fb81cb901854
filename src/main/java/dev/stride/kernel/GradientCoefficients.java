package dev.stride.kernel;

/**
 * What every rule does to a gradient before its own formula, and the per-step scalars that drive
 * it. Each rule's coefficients extend this class; its kernels start from {@code g} as
 *
 * <pre>
 *   g = s·g                 s: the step's gradient scale (a loss scaler's 1/scale times a clip
 *                           factor), if s ≠ 1
 *   g = min(max(g, −c), c)  c: the clip value, if finite (PyTorch's clip_grad_value_)
 *   g = −g                  if maximize
 *   g = g + λ2·p            the rule's L2 penalty (PyTorch's coupled weight_decay), if λ2 ≠ 0
 *   g = g + λ1·sign(p)      L1, if λ1 ≠ 0; sign(±0) = ±0, sign(NaN) = NaN
 * </pre>
 *
 * with {@code p} the parameter as the step finds it. Where a rule decays weights itself (decoupled,
 * as AdamW's), λ2 is 0 here. Fusing s into the step reads each gradient once; it leaves the
 * caller's gradients as they were.
 */
public abstract class GradientCoefficients {
  float gradScale = 1;
  float clipValue = Float.POSITIVE_INFINITY;
  boolean maximize;
  float weightDecay;
  float l1;

  /** {@code g} after the terms above. */
  final float gradient(float g, float p) {
    if (gradScale != 1) {
      g = g * gradScale;
    }
    if (clipValue != Float.POSITIVE_INFINITY) {
      g = Math.min(Math.max(g, -clipValue), clipValue);
    }
    if (maximize) {
      g = -g;
    }
    if (weightDecay != 0) {
      g = g + weightDecay * p;
    }
    if (l1 != 0) {
      g = g + l1 * Math.signum(p);
    }
    return g;
  }

  /** Sets the rule's own gradient terms: maximize and the L2 penalty λ2. */
  final void setGradientTerms(boolean maximize, double weightDecay) {
    this.maximize = maximize;
    this.weightDecay = (float) weightDecay;
  }

  /**
   * Sets what the step adds to every rule: the gradient scale s, the clip value c and the L1
   * strength λ1.
   *
   * @param gradScale s, a float32 factor as PyTorch's unscaling and clipping factors are
   * @param clipValue c, or {@code Float.POSITIVE_INFINITY} for none
   */
  public final void setStepTerms(float gradScale, float clipValue, double l1) {
    this.gradScale = gradScale;
    this.clipValue = clipValue;
    this.l1 = (float) l1;
  }
}
