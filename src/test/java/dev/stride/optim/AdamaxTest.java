package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What PyTorch's Adamax trajectories, with finite gradients and one parameter, do not show. */
class AdamaxTest {
  private static final int EXP_INF = 1;

  /**
   * PyTorch's amax keeps a NaN: one NaN gradient leaves that element's infinity norm, and so the
   * element, NaN for good (torch 1.13 gives the same); the other elements are not touched by it.
   */
  @Test
  void aNanGradientStaysInItsInfinityNormAsInPyTorch() {
    try (Arena arena = Arena.ofConfined();
        Adamax adamax = new Adamax(AdamaxOptions.DEFAULTS.withLr(0.1))) {
      MemorySegment value = NativeFloats.of(arena, 1, 2, 3);
      MemorySegment grad = NativeFloats.of(arena, Float.NaN, 0, -1);
      adamax.add(value, grad);
      adamax.step();
      NativeFloats.write(grad, new float[] {1, 0, -1});
      adamax.step();
      float[] u = NativeFloats.toArray(OptimizerProbe.parameter(adamax, 0, 0).state(EXP_INF));
      float[] p = NativeFloats.toArray(value);
      assertTrue(Float.isNaN(u[0]) && Float.isNaN(p[0]), "element 0 stays NaN");
      assertEquals(1e-8f, u[1], "|0| + ε, above 0.999·u");
      assertEquals(2f, p[1], "a zero gradient leaves the parameter");
      assertEquals(1f, u[2]);
      // t = 2: m = 0.9·(0.1·(−1)) + 0.1·(−1); step size 0.1 / (1 − 0.9²)
      float m = 0.9f * (0.1f * -1) + 0.1f * -1;
      float afterOne = 3 - (float) (0.1 / (1 - 0.9)) * (0.1f * -1) / 1f;
      assertEquals(afterOne - (float) (0.1 / (1 - Math.pow(0.9, 2))) * m / 1f, p[2]);
    }
  }

  /** A parameter registered later corrects its first moment's bias by its own step count. */
  @Test
  void biasCorrectionFollowsEachParametersOwnStep() {
    float[] g = {0.5f, -2f, 1e-3f};
    try (Arena arena = Arena.ofConfined();
        Adamax adamax = new Adamax(AdamaxOptions.DEFAULTS)) {
      adamax.add(NativeFloats.of(arena, 1, 2, 3), NativeFloats.of(arena, g));
      adamax.step();
      adamax.step();
      MemorySegment late = NativeFloats.of(arena, 1, 2, 3);
      adamax.add(late, NativeFloats.of(arena, g));
      adamax.step();
      float[] expected = new float[3];
      for (int i = 0; i < 3; i++) {
        float m = 0.1f * g[i]; // 0.9·0 + (1 − 0.9)·g
        float u = Math.abs(g[i]) + 1e-8f; // max(0.999·0, |g| + ε)
        expected[i] = (i + 1) - (float) (2e-3 / (1 - 0.9)) * m / u;
      }
      assertArrayEquals(expected, NativeFloats.toArray(late));
    }
  }

  @Test
  void pytorchArgumentsRoundTrip() {
    AdamaxOptions h = new AdamaxOptions(0.2, 0.8, 0.99, 1e-6, 0.03, true);
    assertEquals(h, AdamaxOptions.fromPyTorch(h.toPyTorch()));
    assertEquals(AdamaxOptions.DEFAULTS, AdamaxOptions.fromPyTorch(Map.of()));
    assertEquals(0.7, h.withMomentum(0.7).beta1(), "a schedule cycles Adamax's β1");
  }
}
