package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * What the reference trajectories do not show of Prodigy: its early return, its groups, its global
 * d.
 */
class ProdigyTest {

  /** All-zero gradients leave Σ|s| = 0: m, v and s move (here they stay 0), p, d, A and k stay. */
  @Test
  void zeroGradientsStopTheStepBeforeTheUpdate() {
    try (Arena arena = Arena.ofConfined();
        Prodigy prodigy = new Prodigy(ProdigyOptions.DEFAULTS)) {
      MemorySegment p = NativeFloats.of(arena, NativeFloats.ramp(50, 1, 0.1f));
      MemorySegment g = NativeFloats.allocate(arena, 50);
      prodigy.add(p, g);
      NativeFloats.Snapshot values = NativeFloats.snapshot(p);
      assertTrue(prodigy.step());
      values.assertUnchanged("parameters after a step of zero gradients");
      assertEquals(1e-6, prodigy.d());
      assertEquals(0, prodigy.group(0).numbers[3], "k stays");
      g.setAtIndex(JAVA_FLOAT, 3, 1f);
      prodigy.step();
      assertEquals(1, prodigy.group(0).numbers[3], "k counts the step that updated");
      assertNotEquals(1f + 0.3f, p.getAtIndex(JAVA_FLOAT, 3), "and it moved p");
    }
  }

  /**
   * d is one number for every tensor and group, kept equal in each group as the reference keeps it.
   */
  @Test
  void theEstimateIsSharedByEveryGroup() {
    try (Arena arena = Arena.ofConfined();
        Prodigy prodigy = new Prodigy(ProdigyOptions.DEFAULTS)) {
      prodigy.addGroup(ProdigyOptions.DEFAULTS.withWeightDecay(0.1));
      for (int k = 0; k < 2; k++) {
        MemorySegment g = NativeFloats.of(arena, NativeFloats.ramp(40, 0.5f, 0.01f));
        prodigy.group(k).add(NativeFloats.of(arena, NativeFloats.ramp(40, 1e-3f * k, 1e-4f)), g);
      }
      for (int s = 0; s < 5; s++) {
        prodigy.step();
      }
      assertTrue(prodigy.d() > 1e-6, "d grew: " + prodigy.d());
      assertEquals(
          java.util.Arrays.toString(prodigy.group(0).numbers),
          java.util.Arrays.toString(prodigy.group(1).numbers));
    }
  }

  /** The reference raises for groups at different rates; nothing changes then. */
  @Test
  void groupsAtDifferentRatesAreRefusedBeforeAnythingChanges() {
    try (Arena arena = Arena.ofConfined();
        Prodigy prodigy = new Prodigy(ProdigyOptions.DEFAULTS)) {
      prodigy.addGroup(ProdigyOptions.DEFAULTS.withLr(0.5));
      prodigy.add(NativeFloats.of(arena, 1, 2), NativeFloats.of(arena, 1, 1));
      prodigy.group(1).add(NativeFloats.of(arena, 3, 4), NativeFloats.of(arena, 1, 1));
      NativeFloats.Snapshot before = OptimizerProbe.snapshot(prodigy);
      IllegalStateException e = assertThrows(IllegalStateException.class, prodigy::step);
      assertTrue(e.getMessage().contains("group 1 has 0.5"), e.getMessage());
      before.assertUnchanged("a refused step");
      prodigy.group(1).setLr(1);
      assertTrue(prodigy.step(), "the same rate everywhere steps");
    }
  }
}
