package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What Lion's reference does that its golden cases do not show: sign's zeros, and λ / η0. */
class LionTest {
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  @Test
  void whereTheDirectionIsZeroOnlyTheDecayMoves() {
    try (Lion lion = new Lion(LionOptions.DEFAULTS.withLr(0.01).withWeightDecay(0.1))) {
      MemorySegment p = NativeFloats.of(arena, 1, 2);
      lion.add(p, NativeFloats.of(arena, 0, 0.5f)).step();
      float decay = (float) (1 - 0.01 * 0.1);
      // c = 0.1·g: 0 (only the decay), then > 0 (the decay and one step of exactly η)
      assertEquals(decay * 1f, get(p, 0));
      assertEquals(decay * 2f - 0.01f, get(p, 1));
    }
  }

  @Test
  void aNaNGradientFreezesItsElementAsTorchSignDoes() {
    try (Lion lion = new Lion(LionOptions.DEFAULTS.withLr(0.01))) {
      MemorySegment p = NativeFloats.of(arena, 1, 1);
      MemorySegment g = NativeFloats.of(arena, Float.NaN, 1);
      lion.add(p, g).step();
      NativeFloats.write(g, new float[] {1, 1});
      lion.step();
      assertEquals(1f, get(p, 0), "sign(NaN) = 0, and m stays NaN: the element never moves");
      assertEquals(1f - 0.01f - 0.01f, get(p, 1));
    }
  }

  @Test
  void decoupledDecayDividesByTheInitialRateWhateverAGroupsRate() {
    double lr0 = 1e-3;
    double wd = 0.01;
    try (Lion lion =
            new Lion(
                LionOptions.DEFAULTS
                    .withLr(lr0)
                    .withWeightDecay(wd)
                    .withDecoupledWeightDecay(true));
        Lion coupled = new Lion(LionOptions.DEFAULTS.withLr(lr0).withWeightDecay(wd))) {
      assertEquals(lr0, lion.initialLr());
      MemorySegment scheduled = NativeFloats.of(arena, 1);
      MemorySegment other = NativeFloats.of(arena, 1);
      MemorySegment plain = NativeFloats.of(arena, 1);
      lion.add(scheduled, NativeFloats.of(arena, 0));
      lion.addGroup(lion.group(0).hyperparameters().withLr(0.05))
          .add(other, NativeFloats.of(arena, 0));
      coupled.add(plain, NativeFloats.of(arena, 0));
      lion.group(0).setLr(2e-4); // as a schedule would
      coupled.group(0).setLr(2e-4);
      lion.step();
      coupled.step();
      // zero gradients: only the decay acts, p·(1 − η·λ) with λ = wd/η0 decoupled, wd coupled
      assertEquals((float) (1 - 2e-4 * (wd / lr0)), get(scheduled, 0));
      assertEquals((float) (1 - 0.05 * (wd / lr0)), get(other, 0));
      assertEquals((float) (1 - 2e-4 * wd), get(plain, 0));
      assertTrue(get(scheduled, 0) < get(plain, 0));
    }
  }

  private static float get(MemorySegment s, int i) {
    return NativeFloats.toArray(s)[i];
  }
}
