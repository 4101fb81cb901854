package dev.stride.bench;

/**
 * The update rules as a trainer would write them over {@code float[]}: PyTorch's formulas
 * literally, per-step scalars computed before the loop. C2 auto-vectorizes these loops, so they
 * are the bar the Vector API kernels have to clear.
 */
final class TrainerLoops {
  private TrainerLoops() {}

  static void sgd(float[] p, float[] g, float lr) {
    for (int i = 0; i < p.length; i++) {
      p[i] -= lr * g[i];
    }
  }

  static void sgdMomentum(float[] p, float[] g, float[] b, float lr, float momentum,
      float dampening) {
    for (int i = 0; i < p.length; i++) {
      b[i] = momentum * b[i] + (1 - dampening) * g[i];
      p[i] -= lr * b[i];
    }
  }

  /** PyTorch's Adam (L2 penalty) or AdamW (decoupled decay): one sqrt and two divisions. */
  static void adam(float[] p, float[] g, float[] m, float[] v, long step, float lr, float beta1,
      float beta2, float eps, float weightDecay, boolean decoupled) {
    float biasCorrection1 = (float) (1 - Math.pow(beta1, step));
    float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float stepSize = lr / biasCorrection1;
    for (int i = 0; i < p.length; i++) {
      float grad = g[i];
      if (decoupled) {
        p[i] *= 1 - lr * weightDecay;
      } else if (weightDecay != 0) {
        grad += weightDecay * p[i];
      }
      m[i] = beta1 * m[i] + (1 - beta1) * grad;
      v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
      float denom = (float) Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
      p[i] -= stepSize * m[i] / denom;
    }
  }

  /** An EMA of the weights as a trainer would fold it, PyTorch's get_ema_avg_fn: d·a + (1 − d)·p. */
  static void ema(float[] average, float[] p, float decay) {
    float weight = 1 - decay;
    for (int i = 0; i < p.length; i++) {
      average[i] = decay * average[i] + weight * p[i];
    }
  }

  /** SWA's running mean as AveragedModel folds it: a + (p − a) / (n + 1). */
  static void swa(float[] average, float[] p, long n) {
    float count = n + 1;
    for (int i = 0; i < p.length; i++) {
      average[i] += (p[i] - average[i]) / count;
    }
  }
}
