package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What PyTorch's Adadelta trajectories do not show. */
class AdadeltaTest {

  /**
   * η scales the step Adadelta computes and nothing else: both running means are the same to the
   * bit at any η, and from p = 0 the parameter moves by exactly η times as much at an η that is a
   * power of two.
   */
  @Test
  void lrScalesTheStepButNotTheRunningMeans() {
    float[][] grads = {{0.5f, -2f, 1e-3f, 0f}, {0.25f, 3f, -1e-3f, 7f}, {-1f, 1f, 0f, -7f}};
    try (Arena arena = Arena.ofConfined();
        Adadelta one = new Adadelta(AdadeltaOptions.DEFAULTS);
        Adadelta quarter = new Adadelta(AdadeltaOptions.DEFAULTS.withLr(0.25))) {
      MemorySegment p1 = NativeFloats.allocate(arena, 4);
      MemorySegment g1 = NativeFloats.allocate(arena, 4);
      MemorySegment pq = NativeFloats.allocate(arena, 4);
      MemorySegment gq = NativeFloats.allocate(arena, 4);
      one.add(p1, g1);
      quarter.add(pq, gq);
      for (float[] g : grads) {
        NativeFloats.write(g1, g);
        NativeFloats.write(gq, g);
        one.step();
        quarter.step();
      }
      for (int k = 0; k < 2; k++) {
        assertArrayEquals(
            NativeFloats.toArray(OptimizerProbe.parameter(one, 0, 0).state(k)),
            NativeFloats.toArray(OptimizerProbe.parameter(quarter, 0, 0).state(k)),
            "state " + k);
      }
      float[] moved = NativeFloats.toArray(p1);
      for (int i = 0; i < moved.length; i++) {
        moved[i] *= 0.25f;
      }
      assertArrayEquals(moved, NativeFloats.toArray(pq));
    }
  }

  @Test
  void pytorchArgumentsRoundTrip() {
    AdadeltaOptions h = new AdadeltaOptions(0.5, 0.8, 1e-4, 0.03, true);
    assertEquals(h, AdadeltaOptions.fromPyTorch(h.toPyTorch()));
    assertEquals(AdadeltaOptions.DEFAULTS, AdadeltaOptions.fromPyTorch(Map.of()));
  }
}
