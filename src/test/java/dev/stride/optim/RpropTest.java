package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Rprop's sign rule element by element, in cases PyTorch's random reference data rarely meets: a
 * flip, a NaN gradient, the clamp, and a rate that only seeds the step sizes.
 */
class RpropTest {

  /** Four steps of one element, by hand: grow, flip (and wait), restart from the shrunk step. */
  @Test
  void growsWhileTheSignHoldsAndWaitsAStepAfterAFlip() {
    float[][] grads = {{1}, {2}, {-1}, {-3}, {-1}};
    float[][] got =
        Trajectory.of(new Rprop(RpropOptions.DEFAULTS.withLr(0.1)), new float[] {1}, grads);
    float p1 = 1 - 0.1f;
    float p2 = p1 - 0.1f * 1.2f;
    float p3 = p2; // flipped: the step size halves and the element waits
    float p4 = p3 + 0.1f * 1.2f * 0.5f; // prev was zeroed: the halved step size, unchanged
    float p5 = p4 + 0.1f * 1.2f * 0.5f * 1.2f;
    assertArrayEquals(new float[][] {{p1}, {p2}, {p3}, {p4}, {p5}}, got);
  }

  /** PyTorch's sign of NaN is 0: the element stays, and the next step's factor is 1. */
  @Test
  void aNanGradientLeavesItsElementWhereItIs() {
    try (Arena arena = Arena.ofConfined();
        Rprop rprop = new Rprop(RpropOptions.DEFAULTS.withLr(0.1))) {
      MemorySegment value = NativeFloats.of(arena, 1, 1);
      MemorySegment grad = NativeFloats.of(arena, 1, 1);
      rprop.add(value, grad);
      rprop.step();
      NativeFloats.write(grad, new float[] {Float.NaN, 1});
      rprop.step();
      assertArrayEquals(new float[] {0.9f, 0.9f - 0.12f}, NativeFloats.toArray(value));
      Parameter p = OptimizerProbe.parameter(rprop, 0, 0);
      assertArrayEquals(new float[] {Float.NaN, 1}, NativeFloats.toArray(p.state(0)), "prev");
      assertArrayEquals(
          new float[] {0.1f, 0.1f * 1.2f}, NativeFloats.toArray(p.state(1)), "step_size");
      NativeFloats.write(grad, new float[] {1, 1});
      rprop.step();
      assertArrayEquals(
          new float[] {0.9f - 0.1f, 0.9f - 0.12f - 0.12f * 1.2f}, NativeFloats.toArray(value));
    }
  }

  @Test
  void stepSizesStayWithinTheirRange() {
    RpropOptions h = RpropOptions.DEFAULTS.withLr(1).withEtas(0.25, 2).withStepSizes(0.3, 3);
    float[][] grads = {{1, 1}, {1, -1}, {1, 1}, {1, -1}, {1, 1}};
    float[][] got = Trajectory.of(new Rprop(h), new float[] {0, 0}, grads);
    // element 0: step sizes 1, 2, 3 (clamped), 3, 3; element 1: 1, 0.3 (clamped) waiting, 0.3, …
    assertArrayEquals(new float[] {-1, -3, -6, -9, -12}, column(got, 0));
    assertArrayEquals(new float[] {-1, -1, -1.3f, -1.3f, -1.6f}, column(got, 1), 1e-6f);
  }

  @Test
  void theRateOnlySeedsTheStepSizes() {
    try (Arena arena = Arena.ofConfined();
        Rprop rprop = new Rprop(RpropOptions.DEFAULTS.withLr(0.1))) {
      MemorySegment value = NativeFloats.of(arena, 0);
      rprop.add(value, NativeFloats.of(arena, 1));
      rprop.step();
      rprop.group(0).setLr(5);
      rprop.step();
      assertEquals(-0.1f - 0.12f, NativeFloats.toArray(value)[0]);
    }
  }

  private static float[] column(float[][] rows, int i) {
    float[] out = new float[rows.length];
    for (int k = 0; k < rows.length; k++) {
      out[k] = rows[k][i];
    }
    return out;
  }
}
