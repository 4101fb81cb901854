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

  /** PyTorch's Adagrad: one sqrt and one division. */
  static void adagrad(float[] p, float[] g, float[] sum, long step, float lr, float lrDecay,
      float eps) {
    float clr = (float) (lr / (1 + (step - 1) * (double) lrDecay));
    for (int i = 0; i < p.length; i++) {
      sum[i] += g[i] * g[i];
      p[i] -= clr * g[i] / ((float) Math.sqrt(sum[i]) + eps);
    }
  }

  /** PyTorch's RMSprop without momentum or centering: one sqrt and one division. */
  static void rmsprop(float[] p, float[] g, float[] squareAvg, float lr, float alpha, float eps) {
    for (int i = 0; i < p.length; i++) {
      squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g[i] * g[i];
      p[i] -= lr * g[i] / ((float) Math.sqrt(squareAvg[i]) + eps);
    }
  }

  /** PyTorch's Adadelta: two sqrts and one division. */
  static void adadelta(float[] p, float[] g, float[] squareAvg, float[] accDelta, float lr,
      float rho, float eps) {
    for (int i = 0; i < p.length; i++) {
      float grad = g[i];
      squareAvg[i] = rho * squareAvg[i] + (1 - rho) * grad * grad;
      float delta = (float) Math.sqrt(accDelta[i] + eps) / (float) Math.sqrt(squareAvg[i] + eps)
          * grad;
      accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
      p[i] -= lr * delta;
    }
  }

  /** PyTorch's Adamax: one division. */
  static void adamax(float[] p, float[] g, float[] m, float[] u, long step, float lr, float beta1,
      float beta2, float eps) {
    float clr = (float) (lr / (1 - Math.pow(beta1, step)));
    for (int i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      u[i] = Math.max(beta2 * u[i], Math.abs(g[i]) + eps);
      p[i] -= clr * m[i] / u[i];
    }
  }

  /** lucidrains' Lion: the decay, a step of ±lr along sign(β1·m + (1 − β1)·g), then the moment. */
  static void lion(float[] p, float[] g, float[] m, float lr, float beta1, float beta2,
      float weightDecay) {
    float decay = 1 - lr * weightDecay;
    for (int i = 0; i < p.length; i++) {
      p[i] *= decay;
      float c = beta1 * m[i] + (1 - beta1) * g[i];
      p[i] -= lr * Math.signum(c);
      m[i] = beta2 * m[i] + (1 - beta2) * g[i];
    }
  }

  /**
   * The schedule_free repository's SGDScheduleFree (no weight decay): p holds y, which moves toward
   * z by the averaging weight c and takes its share of the gradient step; then z's step.
   */
  static void sgdScheduleFree(float[] y, float[] g, float[] z, float lr, float c, float momentum) {
    float gradientWeight = lr * (momentum * (1 - c) - 1);
    for (int i = 0; i < y.length; i++) {
      y[i] += c * (z[i] - y[i]) + gradientWeight * g[i];
      z[i] -= lr * g[i];
    }
  }

  /** The same for AdamWScheduleFree, z stepping along Adam's normalized gradient. */
  static void adamWScheduleFree(float[] y, float[] g, float[] z, float[] v, long step, float lr,
      float c, float beta1, float beta2, float eps) {
    float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float gradientWeight = lr * (beta1 * (1 - c) - 1);
    for (int i = 0; i < y.length; i++) {
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      float d = g[i] / ((float) Math.sqrt(v[i]) / biasCorrection2Sqrt + eps);
      y[i] += c * (z[i] - y[i]) + gradientWeight * d;
      z[i] -= lr * d;
    }
  }
}
