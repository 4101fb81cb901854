package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What PyTorch's RMSprop trajectories, with flags fixed from the first step, do not show. */
class RmspropTest {
  private static final int SQUARE_AVG = 0;
  private static final int MOMENTUM_BUFFER = 1;
  private static final int GRAD_AVG = 2;

  /**
   * Momentum and centering switched on after two steps start their buffers at 0 on that step, as
   * PyTorch's would have been had they been on from the start (PyTorch itself fails there), while
   * the mean square goes on.
   */
  @Test
  void buffersSwitchedOnLaterStartFromZeroWhileTheMeanSquareGoesOn() {
    float[] grad = {0.5f, -2f, 1e-3f};
    float alpha = 0.9f;
    float eps = 1e-8f;
    float lr = 0.01f;
    float momentum = 0.5f;
    try (Arena arena = Arena.ofConfined();
        Rmsprop rmsprop = new Rmsprop(RmspropOptions.DEFAULTS.withLr(lr).withAlpha(alpha))) {
      MemorySegment value = NativeFloats.of(arena, 1, 2, 3);
      rmsprop.add(value, NativeFloats.of(arena, grad));
      rmsprop.step();
      rmsprop.step();
      Parameter p = OptimizerProbe.parameter(rmsprop, 0, 0);
      float[] squareAvg = NativeFloats.toArray(p.state(SQUARE_AVG));
      float[] before = NativeFloats.toArray(value);
      assertEquals(MemorySegment.NULL, p.state(MOMENTUM_BUFFER), "no buffer before momentum");

      rmsprop
          .group(0)
          .setHyperparameters(
              rmsprop.group(0).hyperparameters().withMomentum(momentum).withCentered(true));
      rmsprop.step();

      float[] v = new float[3];
      float[] a = new float[3];
      float[] b = new float[3];
      float[] after = new float[3];
      for (int i = 0; i < 3; i++) {
        float g = grad[i];
        v[i] = alpha * squareAvg[i] + (1 - alpha) * g * g;
        a[i] = (1 - alpha) * g; // α·0 + (1 − α)·g
        float d = (float) Math.sqrt(v[i] - a[i] * a[i]) + eps;
        b[i] = g / d; // μ·0 + g/d
        after[i] = before[i] - lr * b[i];
      }
      assertArrayEquals(v, NativeFloats.toArray(p.state(SQUARE_AVG)), "square_avg");
      assertArrayEquals(a, NativeFloats.toArray(p.state(GRAD_AVG)), "grad_avg");
      assertArrayEquals(b, NativeFloats.toArray(p.state(MOMENTUM_BUFFER)), "momentum_buffer");
      assertArrayEquals(after, NativeFloats.toArray(value), "the parameter");
    }
  }

  @Test
  void pytorchArgumentsRoundTrip() {
    RmspropOptions h = new RmspropOptions(0.2, 0.95, 1e-6, 0.03, 0.8, true, true);
    assertEquals(h, RmspropOptions.fromPyTorch(h.toPyTorch()));
    assertEquals(RmspropOptions.DEFAULTS, RmspropOptions.fromPyTorch(Map.of()));
    assertEquals(0.7, h.withMomentum(0.7).momentum(), "a schedule cycles RMSprop's momentum");
  }
}
