package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** A binding sets each group's hyperparameters from the schedules before every optimizer step. */
class ScheduleBindingTest {

  @Test
  void eachStepRunsAtTheScheduledRate() {
    StepDecay schedule = Schedules.step(0.5, 2, 0.5);
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1))) {
      MemorySegment w = NativeFloats.of(arena, 10f);
      MemorySegment g = NativeFloats.of(arena, 1f);
      sgd.add(w, g);
      ScheduleBinding<SgdOptions> scheduled = ScheduleBinding.of(sgd).lr(schedule);
      float expected = 10f;
      for (long t = 0; t < 7; t++) {
        scheduled.step();
        assertEquals(schedule.valueAt(t), sgd.group(0).lr(), "rate of step " + t);
        expected -= (float) schedule.valueAt(t); // plain SGD: w ← w − η·g with g = 1
        assertEquals(
            expected, w.getAtIndex(ValueLayout.JAVA_FLOAT, 0), 1e-6f, "weight after step " + t);
      }
      assertEquals(7, scheduled.nextStep());
    }
  }

  @Test
  void oneCycleCyclesAdamsBeta1AgainstTheRate() {
    OneCycle cycle = Schedules.oneCycle(0.01, 20).build();
    try (Arena arena = Arena.ofConfined();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      adamW.add(NativeFloats.of(arena, 1f, 2f, 3f), NativeFloats.of(arena, 0.1f, -0.2f, 0.3f));
      ScheduleBinding<AdamOptions> scheduled =
          ScheduleBinding.of(adamW).lr(cycle).momentum(cycle.momentum().orElseThrow());
      for (long t = 0; t < 20; t++) {
        scheduled.step();
        AdamOptions h = adamW.group(0).hyperparameters();
        assertEquals(cycle.valueAt(t), h.lr());
        assertEquals(cycle.momentum().orElseThrow().valueAt(t), h.beta1());
        assertEquals(0.999, h.beta2(), "β2 is left alone");
      }
      assertEquals(0.95, adamW.group(0).hyperparameters().beta1(), 1e-12, "β1 back at its top");
    }
  }

  @Test
  void aGroupsOwnScheduleTakesPrecedenceOverTheOneForEveryGroup() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1).withMomentum(0.9))) {
      sgd.add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      sgd.addGroup(SgdOptions.of(1)).add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      ScheduleBinding<SgdOptions> scheduled =
          ScheduleBinding.of(sgd)
              .lr(Schedules.constant(0.1))
              .weightDecay(Schedules.linear(1e-2, 1, 0, 4))
              .lr(1, Schedules.cosine(0.3, 0, 4));
      scheduled.apply(2);
      assertEquals(0.1, sgd.group(0).lr());
      assertEquals(0.15, sgd.group(1).lr(), 1e-16);
      assertEquals(5e-3, sgd.group(0).hyperparameters().weightDecay(), 1e-18);
      assertEquals(5e-3, sgd.group(1).hyperparameters().weightDecay(), 1e-18);
      assertEquals(0.9, sgd.group(0).hyperparameters().momentum(), "momentum is not bound");
    }
  }

  @Test
  void aResumedBindingContinuesWhereTheFirstStopped() {
    CosineAnnealing cosine = Schedules.cosine(0.1, 0, 50);
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1))) {
      sgd.add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 0f));
      ScheduleBinding<SgdOptions> resumed = ScheduleBinding.of(sgd).lr(cosine);
      resumed.resumeAt(37);
      resumed.step();
      assertEquals(cosine.valueAt(37), sgd.group(0).lr());
      assertEquals(38, resumed.nextStep());
    }
  }

  @Test
  void aValueTheOptimizerRefusesLeavesTheGroupAndTheStepAlone() {
    try (Arena arena = Arena.ofConfined();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      adamW.add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      ScheduleBinding<AdamOptions> scheduled =
          ScheduleBinding.of(adamW)
              .lr(Schedules.constant(0.5))
              .momentum(Schedules.piecewiseConstant(new long[] {1}, 0.9, 1.0));
      scheduled.step();
      AdamOptions before = adamW.group(0).hyperparameters();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, scheduled::step);
      assertTrue(
          e.getMessage().contains("beta1") && e.getMessage().contains("1.0"), e.getMessage());
      assertEquals(before, adamW.group(0).hyperparameters());
      assertEquals(1, scheduled.nextStep());
      assertEquals(1, adamW.stepCount());
    }
  }

  @Test
  void aValueRefusedForOneGroupLeavesEveryGroupAlone() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1))) {
      sgd.add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      sgd.addGroup(SgdOptions.of(1)).add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      ScheduleBinding<SgdOptions> scheduled =
          ScheduleBinding.of(sgd).lr(0, Schedules.constant(0.1)).lr(1, Schedules.constant(-0.1));
      assertThrows(IllegalArgumentException.class, () -> scheduled.apply(0));
      assertEquals(1, sgd.group(0).lr(), "group 0 is not set when group 1's value is refused");
      assertEquals(1, sgd.group(1).lr());
    }
  }

  @Test
  void anUnknownGroupIsRefusedByIndex() {
    try (Sgd sgd = new Sgd(SgdOptions.of(1))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ScheduleBinding.of(sgd).lr(3, Schedules.constant(1)));
      assertEquals("group must be in [0, 1), got 3", e.getMessage());
    }
  }
}
