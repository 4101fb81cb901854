package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A group's L1 strength λ1 adds λ1·sign(p) to the gradient, sign(0) = 0, where the rule adds its L2
 * term: a rule with L1 steps as the same rule without it on the gradient g + λ1·sign(p) (with
 * maximize, on g − λ1·sign(p), which the rule then negates).
 */
class L1RegularizationTest {
  private static final float L1 = 0.03f;

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(
            "SGD momentum",
            false,
            (Supplier<Optimizer<?>>) () -> new Sgd(SgdOptions.of(0.1).withMomentum(0.9))),
        Arguments.of(
            "Adam",
            false,
            (Supplier<Optimizer<?>>) () -> new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01))),
        Arguments.of(
            "AdamW",
            false,
            (Supplier<Optimizer<?>>) () -> new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(0.01))),
        Arguments.of(
            "Adam maximize",
            true,
            (Supplier<Optimizer<?>>)
                () -> new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01).withMaximize(true))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void l1AddsItsSubgradientToTheGradient(
      String name, boolean maximize, Supplier<Optimizer<?>> make) {
    int n = 257;
    float[] init = NativeFloats.ramp(n, -1, 1f / 128); // crosses 0 exactly at element 128
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> withL1 = make.get();
        Optimizer<?> folded = make.get()) {
      MemorySegment p1 = NativeFloats.of(arena, init);
      MemorySegment g1 = NativeFloats.allocate(arena, n);
      MemorySegment p2 = NativeFloats.of(arena, init);
      MemorySegment g2 = NativeFloats.allocate(arena, n);
      withL1.add(p1, g1);
      withL1.group(0).setL1(L1);
      folded.add(p2, g2);
      for (int s = 0; s < 5; s++) {
        for (int i = 0; i < n; i++) {
          float g = (float) Math.cos(i + s) * 1e-2f;
          float sign = Math.signum(p2.getAtIndex(JAVA_FLOAT, i));
          g1.setAtIndex(JAVA_FLOAT, i, g);
          g2.setAtIndex(JAVA_FLOAT, i, maximize ? g - L1 * sign : g + L1 * sign);
        }
        withL1.step();
        folded.step();
        assertEquals(-1, p1.mismatch(p2), name + ", step " + s);
      }
      assertEquals(0f, init[128], "the ramp has an exact zero");
    }
  }

  @Test
  void aNegativeOrNanL1IsRefusedByName() {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      for (double bad : new double[] {-1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> sgd.group(0).setL1(bad));
        assertEquals("l1 must be a finite number >= 0, got " + bad, e.getMessage());
      }
      assertEquals(0, sgd.group(0).l1());
    }
  }
}
