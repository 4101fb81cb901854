package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step that cannot update every parameter updates none: no value, no state, no step count, even
 * of parameters registered before the one that fails.
 */
class StepIsAllOrNothingTest {
  private static final int N = 21;
  private Arena kept;
  private Arena doomed;
  private AdamW adam;

  /** Two parameters in two groups: the first from an arena that stays open, the second not. */
  @BeforeEach
  void twoParametersStepped() {
    kept = Arena.ofShared();
    doomed = Arena.ofShared();
    adam = new AdamW(AdamOptions.ADAMW_DEFAULTS.withAmsgrad(true));
    adam.add(
        NativeFloats.of(kept, NativeFloats.ramp(N, -1, 0.1f)),
        NativeFloats.of(kept, NativeFloats.ramp(N, 0.5f, -0.05f)));
    adam.addGroup(AdamOptions.ADAMW_DEFAULTS.withLr(0.1))
        .add(
            NativeFloats.of(doomed, NativeFloats.ramp(N, 2, 0.1f)),
            NativeFloats.of(doomed, NativeFloats.ramp(N, -0.5f, 0.05f)));
    adam.step();
    adam.step();
  }

  @AfterEach
  void close() {
    adam.close();
    kept.close();
    if (doomed.scope().isAlive()) {
      doomed.close();
    }
  }

  @Test
  void stepOnClosedArenaUpdatesNothing() {
    doomed.close();
    assertStepFailsAndUpdatesNothing(IllegalStateException.class, "parameter 0 of group 1");
  }

  @Test
  void stepOnClosedGradientArenaUpdatesNothing() {
    try (Arena gradOnly = Arena.ofShared()) {
      adam.group(1).add(NativeFloats.allocate(kept, N), NativeFloats.allocate(gradOnly, N));
      adam.step();
    }
    assertStepFailsAndUpdatesNothing(IllegalStateException.class, "parameter 1 of group 1");
  }

  /** A confined parameter stepped from another thread must fail before the first write, too. */
  @Test
  void stepFromAThreadThatCannotReachAParameterUpdatesNothing() throws Exception {
    Arena confined = Arena.ofConfined();
    try {
      adam.group(1).add(NativeFloats.allocate(confined, N), NativeFloats.allocate(confined, N));
      adam.step();
      var before = OptimizerProbe.snapshot(adam);
      List<Long> steps = OptimizerProbe.steps(adam);

      CompletableFuture<Void> other = CompletableFuture.runAsync(adam::step);
      ExecutionException e = assertThrows(ExecutionException.class, other::get);
      assertInstanceOf(WrongThreadException.class, e.getCause());
      before.assertUnchanged("parameters and state after a step from the wrong thread");
      assertEquals(steps, OptimizerProbe.steps(adam));
      assertEquals(3, adam.stepCount());
      assertTrue(
          e.getCause().getMessage().contains("parameter 1 of group 1"), e.getCause().getMessage());
    } finally {
      confined.close();
    }
  }

  private void assertStepFailsAndUpdatesNothing(
      Class<? extends RuntimeException> type, String names) {
    var before = OptimizerProbe.snapshot(adam);
    List<Long> steps = OptimizerProbe.steps(adam);
    long stepCount = adam.stepCount();

    RuntimeException e = assertThrows(type, adam::step);
    assertTrue(e.getMessage().contains(names), e.getMessage());

    before.assertUnchanged("parameters and state after a failed step");
    assertEquals(steps, OptimizerProbe.steps(adam), "per-parameter steps (Adam's bias correction)");
    assertEquals(stepCount, adam.stepCount());
  }

  @Test
  void zeroGradOnClosedArenaZeroesNothing() {
    doomed.close();
    MemorySegment grad = OptimizerProbe.parameter(adam, 0, 0).grad;
    var before = NativeFloats.snapshot(grad);
    assertThrows(IllegalStateException.class, adam::zeroGrad);
    before.assertUnchanged("the open parameter's gradient after a failed zeroGrad");
  }
}
