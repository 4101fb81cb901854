package dev.stride.bench;

/**
 * The update rules as a trainer would write them over {@code float[]}: PyTorch's formulas
 * literally, per-step scalars computed before the loop. C2 auto-vectorizes these loops, so they are
 * the bar the Vector API kernels have to clear.
 */
final class TrainerLoops {
  private TrainerLoops() {}

  static void sgd(float[] p, float[] g, float lr) {
    for (int i = 0; i < p.length; i++) {
      p[i] -= lr * g[i];
    }
  }

  static void sgdMomentum(
      float[] p, float[] g, float[] b, float lr, float momentum, float dampening) {
    for (int i = 0; i < p.length; i++) {
      b[i] = momentum * b[i] + (1 - dampening) * g[i];
      p[i] -= lr * b[i];
    }
  }

  /** PyTorch's Adam (L2 penalty) or AdamW (decoupled decay): one sqrt and two divisions. */
  static void adam(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      long step,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      boolean decoupled) {
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
  static void adagrad(
      float[] p, float[] g, float[] sum, long step, float lr, float lrDecay, float eps) {
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
  static void adadelta(
      float[] p, float[] g, float[] squareAvg, float[] accDelta, float lr, float rho, float eps) {
    for (int i = 0; i < p.length; i++) {
      float grad = g[i];
      squareAvg[i] = rho * squareAvg[i] + (1 - rho) * grad * grad;
      float delta =
          (float) Math.sqrt(accDelta[i] + eps) / (float) Math.sqrt(squareAvg[i] + eps) * grad;
      accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
      p[i] -= lr * delta;
    }
  }

  /** PyTorch's Adamax: one division. */
  static void adamax(
      float[] p,
      float[] g,
      float[] m,
      float[] u,
      long step,
      float lr,
      float beta1,
      float beta2,
      float eps) {
    float clr = (float) (lr / (1 - Math.pow(beta1, step)));
    for (int i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      u[i] = Math.max(beta2 * u[i], Math.abs(g[i]) + eps);
      p[i] -= clr * m[i] / u[i];
    }
  }

  /**
   * PyTorch's NAdam (torch 1.13's single-tensor form): one sqrt and three divisions.
   *
   * @param muProduct Π_t, the running product of μ through this step
   */
  static void nadam(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      long step,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float momentumDecay,
      double muProduct) {
    double mu = beta1 * (1 - 0.5 * Math.pow(0.96, step * momentumDecay));
    double muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (step + 1) * momentumDecay));
    float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float gradStep = (float) (lr * (1 - mu) / (1 - muProduct));
    float expAvgStep = (float) (lr * muNext / (1 - muProduct * mu * muNext));
    for (int i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      float denom = (float) Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
      p[i] -= gradStep * g[i] / denom;
      p[i] -= expAvgStep * m[i] / denom;
    }
  }

  /** PyTorch's RAdam: the rectified step (ρ_t &gt; 5) has one sqrt and two divisions. */
  static void radam(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      long step,
      float lr,
      float beta1,
      float beta2,
      float eps) {
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    double rhoInf = 2 / (1 - beta2) - 1;
    double rho = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
    boolean rectified = rho > 5;
    float rect =
        rectified
            ? (float)
                Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho))
            : 0;
    float bc1 = (float) biasCorrection1;
    float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
    for (int i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      float corrected = m[i] / bc1;
      if (rectified) {
        p[i] -= corrected * lr * (bc2Sqrt / ((float) Math.sqrt(v[i]) + eps)) * rect;
      } else {
        p[i] -= corrected * lr;
      }
    }
  }

  /** PyTorch's ASGD with the step's η and μ: the average copies p while μ = 1. */
  static void asgd(float[] p, float[] g, float[] ax, float lambd, float eta, float mu) {
    float decay = 1 - lambd * eta;
    for (int i = 0; i < p.length; i++) {
      p[i] = p[i] * decay - eta * g[i];
      if (mu == 1) {
        ax[i] = p[i];
      } else {
        ax[i] += (p[i] - ax[i]) * mu;
      }
    }
  }

  /** PyTorch's Rprop: the sign rule, the clamp, and the gradient zeroed where its sign flipped. */
  static void rprop(
      float[] p,
      float[] g,
      float[] prev,
      float[] stepSize,
      float etaMinus,
      float etaPlus,
      float stepSizeMin,
      float stepSizeMax) {
    for (int i = 0; i < p.length; i++) {
      float agreement = g[i] * prev[i];
      float f = agreement > 0 ? etaPlus : agreement < 0 ? etaMinus : 1;
      stepSize[i] = Math.min(Math.max(stepSize[i] * f, stepSizeMin), stepSizeMax);
      float grad = agreement < 0 ? 0 : g[i];
      p[i] -= Math.signum(grad) * stepSize[i];
      prev[i] = grad;
    }
  }

  /**
   * jettify's LAMB without debias: the moments, then both norms in double, then the update with the
   * trust ratio; the direction u computed twice, as a trainer keeping no buffer of it would.
   */
  static void lamb(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      float clamp) {
    double paramNorm = 0;
    double directionNorm = 0;
    for (int i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      float u = m[i] / ((float) Math.sqrt(v[i]) + eps) + weightDecay * p[i];
      paramNorm += p[i] * p[i];
      directionNorm += u * u;
    }
    float wn = Math.min((float) Math.sqrt(paramNorm), clamp);
    float un = (float) Math.sqrt(directionNorm);
    float step = lr * (wn == 0 || un == 0 ? 1 : wn / un);
    for (int i = 0; i < p.length; i++) {
      p[i] -= step * (m[i] / ((float) Math.sqrt(v[i]) + eps) + weightDecay * p[i]);
    }
  }

  /** barlowtwins' LARS: both norms in double, then momentum on the scaled update. */
  static void lars(
      float[] p, float[] g, float[] mu, float lr, float momentum, float eta, float weightDecay) {
    double paramNorm = 0;
    double updateNorm = 0;
    for (int i = 0; i < p.length; i++) {
      float u = g[i] + weightDecay * p[i];
      paramNorm += p[i] * p[i];
      updateNorm += u * u;
    }
    float pn = (float) Math.sqrt(paramNorm);
    float un = (float) Math.sqrt(updateNorm);
    float q = pn > 0 && un > 0 ? eta * pn / un : 1;
    for (int i = 0; i < p.length; i++) {
      mu[i] = momentum * mu[i] + q * (g[i] + weightDecay * p[i]);
      p[i] -= lr * mu[i];
    }
  }

  /** lucidrains' Lion: the decay, a step of ±lr along sign(β1·m + (1 − β1)·g), then the moment. */
  static void lion(
      float[] p, float[] g, float[] m, float lr, float beta1, float beta2, float weightDecay) {
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
  static void adamWScheduleFree(
      float[] y,
      float[] g,
      float[] z,
      float[] v,
      long step,
      float lr,
      float c,
      float beta1,
      float beta2,
      float eps) {
    float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float gradientWeight = lr * (beta1 * (1 - c) - 1);
    for (int i = 0; i < y.length; i++) {
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      float d = g[i] / ((float) Math.sqrt(v[i]) / biasCorrection2Sqrt + eps);
      y[i] += c * (z[i] - y[i]) + gradientWeight * d;
      z[i] -= lr * d;
    }
  }

  /**
   * Prodigy as a trainer would write it (decoupled decay, no bias correction, β3 = √β2, d0 1e-6, lr
   * 1): the moments, s and both sums in one loop, the estimate, then the step.
   *
   * @param p0 the starting point
   * @return the new estimate d
   */
  static double prodigy(
      float[] p,
      float[] g,
      float[] p0,
      float[] m,
      float[] v,
      float[] s,
      double d,
      float beta1,
      float beta2,
      float eps,
      float weightDecay) {
    double beta3 = Math.sqrt(beta2);
    double dlr = d;
    float md = (float) (d * (1 - beta1));
    float vd = (float) (d * d * (1 - beta2));
    float sd = (float) (d / 1e-6 * dlr);
    double numerator = 0;
    double denominator = 0;
    for (int i = 0; i < p.length; i++) {
      numerator += g[i] * (p0[i] - p[i]);
      m[i] = beta1 * m[i] + md * g[i];
      v[i] = beta2 * v[i] + vd * g[i] * g[i];
      s[i] = (float) beta3 * s[i] + sd * g[i];
      denominator += Math.abs(s[i]);
    }
    if (denominator == 0) {
      return d;
    }
    double next = Math.max(d, d / 1e-6 * dlr * numerator / denominator);
    float step = (float) dlr;
    float decay = weightDecay * step;
    float dEps = (float) (next * eps);
    for (int i = 0; i < p.length; i++) {
      p[i] = p[i] - decay * p[i] - step * m[i] / ((float) Math.sqrt(v[i]) + dEps);
    }
    return next;
  }

  /**
   * PyTorch's Adafactor over a matrix of {@code columns} columns, as a trainer would write it: the
   * norm of p and the row and column sums of g² in one loop, the statistics and the row mean, then
   * the update's norm, then the step (U recomputed: sqrt and division per element, twice).
   *
   * @param columnSums scratch of {@code columns} floats
   */
  static void adafactor(
      float[] p,
      float[] g,
      float[] rowVar,
      float[] colVar,
      float[] columnSums,
      int columns,
      long step,
      float lr,
      float beta2Decay,
      float eps1,
      float eps2,
      float weightDecay) {
    int rows = p.length / columns;
    float w = (float) Math.pow(step, beta2Decay);
    double rho = Math.min(lr, 1 / Math.sqrt(step));
    float floor = eps1 * eps1;
    java.util.Arrays.fill(columnSums, 0, columns, 0);
    double paramSquares = 0;
    for (int i = 0; i < rows; i++) {
      float rowSum = 0;
      for (int j = i * columns, k = 0; k < columns; j++, k++) {
        float square = g[j] * g[j];
        rowSum += square;
        columnSums[k] += square;
        paramSquares += p[j] * p[j];
      }
      rowVar[i] += w * (rowSum / columns - rowVar[i]);
    }
    float rowMean = 0;
    for (int i = 0; i < rows; i++) {
      rowMean += rowVar[i] / rows;
    }
    rowMean = Math.max(rowMean, eps1);
    for (int k = 0; k < columns; k++) {
      colVar[k] += w * (columnSums[k] / rows - colVar[k]);
    }
    double updateSquares = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = i * columns, k = 0; k < columns; j++, k++) {
        float u = g[j] / (float) Math.sqrt(Math.max(rowVar[i] * colVar[k] / rowMean, floor));
        updateSquares += u * u;
      }
    }
    double alpha = Math.max(eps2, Math.sqrt(paramSquares / p.length)) * rho;
    float scale = (float) (alpha / Math.max(1, Math.sqrt(updateSquares / p.length)));
    float decay = 1 - lr * weightDecay;
    for (int i = 0; i < rows; i++) {
      for (int j = i * columns, k = 0; k < columns; j++, k++) {
        float u = g[j] / (float) Math.sqrt(Math.max(rowVar[i] * colVar[k] / rowMean, floor));
        p[j] = p[j] * decay - scale * u;
      }
    }
  }

  /**
   * An EMA of the weights as a trainer would fold it, PyTorch's get_ema_avg_fn: d·a + (1 − d)·p.
   */
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
