package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** What PyTorch's Adagrad trajectories, one parameter from its first step, do not show. */
class AdagradTest {
  private static final float[] GRAD = {0.5f, -2f, 0f};

  /**
   * A parameter registered after two steps starts its sum at the s0 in force at its own first step
   * and decays its rate by its own step count, while the first one goes on from its sum.
   */
  @Test
  void sumStartsAtItsFirstStepsInitialValueAndTheRateDecaysByTheParametersOwnStep() {
    double lr = 0.1;
    double lrDecay = 0.5;
    try (Arena arena = Arena.ofConfined();
        Adagrad adagrad = new Adagrad(AdagradOptions.DEFAULTS.withLr(lr).withLrDecay(lrDecay))) {
      MemorySegment early = NativeFloats.of(arena, 1, 2, 3);
      adagrad.add(early, NativeFloats.of(arena, GRAD));
      adagrad.step();
      adagrad.step();
      adagrad
          .group(0)
          .setHyperparameters(adagrad.group(0).hyperparameters().withInitialAccumulatorValue(0.25));
      MemorySegment late = NativeFloats.of(arena, 1, 2, 3);
      adagrad.add(late, NativeFloats.of(arena, GRAD));
      float[] earlyBefore = NativeFloats.toArray(early);
      adagrad.step();

      float[] earlySum = new float[3];
      float[] earlyValue = new float[3];
      float[] lateSum = new float[3];
      float[] lateValue = new float[3];
      for (int i = 0; i < 3; i++) {
        float g = GRAD[i];
        earlySum[i] = g * g + g * g + g * g; // from s0 = 0, three times
        earlyValue[i] = step(earlyBefore[i], g, earlySum[i], lr / (1 + 2 * lrDecay));
        lateSum[i] = 0.25f + g * g;
        lateValue[i] = step(i + 1, g, lateSum[i], lr);
      }
      assertArrayEquals(earlySum, sum(adagrad, 0), "the first parameter's sum");
      assertArrayEquals(earlyValue, NativeFloats.toArray(early), "the first parameter, at t = 3");
      assertArrayEquals(lateSum, sum(adagrad, 1), "the late parameter's sum");
      assertArrayEquals(lateValue, NativeFloats.toArray(late), "the late parameter, at t = 1");
    }
  }

  /** PyTorch's formula in float: {@code p − clr·g / (√s + ε)}, ε the default 1e-10. */
  private static float step(float p, float g, float s, double clr) {
    return p - (float) clr * g / ((float) Math.sqrt(s) + 1e-10f);
  }

  private static float[] sum(Adagrad adagrad, int parameter) {
    return NativeFloats.toArray(OptimizerProbe.parameter(adagrad, 0, parameter).state(0));
  }

  @Test
  void aMomentumScheduleIsRefusedNamingWhy() {
    try (Adagrad adagrad = new Adagrad(AdagradOptions.DEFAULTS)) {
      ScheduleBinding<AdagradOptions> binding =
          ScheduleBinding.of(adagrad).lr(Schedules.constant(0.5)).momentum(Schedules.constant(0.9));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> binding.apply(0));
      assertTrue(
          e.getMessage().contains("momentum must be 0: Adagrad has no momentum"), e.getMessage());
      assertEquals(AdagradOptions.DEFAULTS, adagrad.group(0).hyperparameters(), "nothing set");
    }
  }

  @Test
  void pytorchArgumentsRoundTrip() {
    AdagradOptions h = new AdagradOptions(0.2, 0.01, 0.03, 0.4, 1e-6, true);
    assertEquals(h, AdagradOptions.fromPyTorch(h.toPyTorch()));
    assertEquals(AdagradOptions.DEFAULTS, AdagradOptions.fromPyTorch(java.util.Map.of()));
  }
}
