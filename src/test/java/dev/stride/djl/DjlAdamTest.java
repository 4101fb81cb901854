package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import dev.stride.optim.Adam;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * What DJL's {@code Optimizer.adam()} computes on its PyTorch engine, against {@code
 * torch.optim.Adam} (which Stride's {@link Adam} follows, checked by the golden trajectories).
 * DJL's kernel ({@code adamUpdate} of its JNI library) updates {@code m = β1·m + (1−β1)·g}, {@code
 * v = β2·v + (1−β2)·g²} and {@code w −= η·√(1−β2^t)/(1−β1^t) · m/(√v + ε)}: the bias corrections of
 * torch, but ε added to the uncorrected √v, so DJL's ε acts as torch's {@code ε/√(1−β2^t)} (31.6×
 * larger at t = 1, 1× for large t); L2 weight decay added to the gradient as torch's Adam does (and
 * DJL's AdamW decoupled as torch's AdamW); {@code optClipGrad(c)} clamps the gradient to at most c,
 * with no lower bound.
 */
class DjlAdamTest {
  private static final int STEPS = 10;
  private static final double LR = 1e-3;
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  /** DJL's Adam and Stride's (torch's) over the same weights and gradients, STEPS steps. */
  private static float[][] djlAndTorch(float[] w0, float[] grad, Optimizer djlAdam, boolean adamw) {
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        Arena arena = Arena.ofConfined();
        Adam torch =
            adamw
                ? new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(LR).withWeightDecay(0.1))
                : new Adam(AdamOptions.ADAM_DEFAULTS.withLr(LR).withWeightDecay(0.1))) {
      NDArray w = manager.create(w0);
      NDArray g = manager.create(grad);
      MemorySegment value = arena.allocate(ValueLayout.JAVA_FLOAT, w0.length);
      MemorySegment.copy(w0, 0, value, ValueLayout.JAVA_FLOAT, 0, w0.length);
      MemorySegment gs = arena.allocate(ValueLayout.JAVA_FLOAT, w0.length);
      MemorySegment.copy(grad, 0, gs, ValueLayout.JAVA_FLOAT, 0, grad.length);
      torch.add(value, gs);
      for (int t = 0; t < STEPS; t++) {
        djlAdam.update("w", w, g);
        torch.step();
      }
      return new float[][] {w.toFloatArray(), value.toArray(ValueLayout.JAVA_FLOAT)};
    }
  }

  /** DJL's formula in double, weight decay 0.1 as L2, a constant gradient g from w0. */
  private static double djlFormula(double w, double g, int steps, double eps) {
    double m = 0;
    double v = 0;
    for (int t = 1; t <= steps; t++) {
      double gt = g + 0.1 * w;
      m = BETA1 * m + (1 - BETA1) * gt;
      v = BETA2 * v + (1 - BETA2) * gt * gt;
      double bc1 = 1 - Math.pow(BETA1, t);
      double bc2 = 1 - Math.pow(BETA2, t);
      w -= LR * Math.sqrt(bc2) / bc1 * m / (Math.sqrt(v) + eps);
    }
    return w;
  }

  private static Optimizer djlAdam() {
    return Optimizer.adam().optWeightDecays(0.1f).build();
  }

  @Test
  void withGradientsFarAboveEpsilonDjlsAdamIsTorchs() {
    float[] w0 = {1f, -2f, 0.5f, 3f};
    float[] g = {0.3f, -1f, 2f, -0.05f};
    float[][] both = djlAndTorch(w0, g, djlAdam(), false);
    for (int i = 0; i < w0.length; i++) {
      assertEquals(both[1][i], both[0][i], 2e-6, "weight " + i); // float32 roundings apart
    }
  }

  @Test
  void withTinyGradientsDjlsEpsilonIsLargerThanTorchs() {
    float[] w0 = {0f};
    float[] g = {1e-7f};
    Optimizer noDecay = Optimizer.adam().build();
    float[][] both;
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE);
        Arena arena = Arena.ofConfined();
        Adam torch = new Adam(AdamOptions.ADAM_DEFAULTS.withLr(LR))) {
      NDArray w = manager.create(w0);
      MemorySegment value = arena.allocate(ValueLayout.JAVA_FLOAT, 1);
      MemorySegment gs = arena.allocate(ValueLayout.JAVA_FLOAT, 1);
      gs.setAtIndex(ValueLayout.JAVA_FLOAT, 0, g[0]);
      torch.add(value, gs);
      noDecay.update("w", w, manager.create(g));
      torch.step();
      both = new float[][] {w.toFloatArray(), value.toArray(ValueLayout.JAVA_FLOAT)};
    }
    // torch: −η·g/(|g| + ε) = −0.91·η; DJL: −η·g/(|g| + ε/√(1−β2)) = −0.24·η
    double torch = -LR * 1e-7 / (1e-7 + EPS);
    assertEquals(torch, both[1][0], 1e-5 * -torch, "torch's first step");
    double djl = -LR * 1e-7 / (1e-7 + EPS / Math.sqrt(1 - BETA2));
    assertEquals(djl, both[0][0], 1e-5 * -djl, "DJL's first step: its ε over √(1−β2)");
    assertTrue(both[0][0] / both[1][0] < 0.3, both[0][0] + " against torch's " + both[1][0]);
  }

  @Test
  void djlsWeightDecayIsL2InAdamAndDecoupledInAdamW() {
    float[] w0 = {2f};
    float[] g = {0.5f};
    float[][] adam = djlAndTorch(w0, g, djlAdam(), false);
    assertEquals(djlFormula(2, 0.5, STEPS, EPS), adam[0][0], 1e-6, "DJL's Adam, L2");
    assertEquals(adam[1][0], adam[0][0], 2e-6, "torch's Adam");
    float[][] adamw = djlAndTorch(w0, g, Optimizer.adamW().optWeightDecays(0.1f).build(), true);
    assertEquals(adamw[1][0], adamw[0][0], 2e-6, "DJL's AdamW is torch's AdamW");
  }

  @Test
  void djlsClipGradHasNoLowerBound() {
    try (NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE)) {
      Optimizer clipped = Optimizer.adam().optClipGrad(0.1f).build();
      Optimizer unclipped = Optimizer.adam().build();
      NDArray a = manager.create(new float[] {1f, 1f});
      NDArray b = manager.create(new float[] {1f, 1f});
      // a step of −5 and of +5, then one of +0.01, which Adam's history makes tell
      float[][] grads = {{-5f, 5f}, {0.01f, 0.01f}};
      for (float[] grad : grads) {
        clipped.update("p", a, manager.create(grad));
        unclipped.update("p", b, manager.create(grad));
      }
      float[] withClip = a.toFloatArray();
      float[] without = b.toFloatArray();
      assertEquals(without[0], withClip[0], 0f, "−5 passes DJL's clip of 0.1 unchanged");
      assertTrue(Math.abs(without[1] - withClip[1]) > 1e-5, "+5 is clipped to 0.1");
    }
  }
}
