package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * State lives off-heap, is made on first use and freed by close; hyperparameters apply per group.
 */
class OptimizerStateTest {
  private static final int N = 13;
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  private MemorySegment floats(float start, float step) {
    return NativeFloats.of(arena, NativeFloats.ramp(N, start, step));
  }

  @Test
  void stateIsAllocatedOnFirstStepAlignedAndFreedByClose() {
    Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS.withAmsgrad(true));
    MemorySegment value = floats(1, 1);
    adam.add(value, floats(0.5f, 0.1f));
    assertEquals(List.of(), OptimizerProbe.state(adam), "no state before the first step");

    adam.step();
    List<MemorySegment> state = OptimizerProbe.state(adam);
    assertEquals(3, state.size(), "m, v and vmax");
    for (MemorySegment s : state) {
      assertTrue(s.isNative());
      assertEquals(0, s.address() % 64, "64-byte aligned");
      assertEquals(N * Float.BYTES, s.byteSize());
    }

    float[] after = NativeFloats.toArray(value);
    adam.close();
    adam.close(); // idempotent
    assertFalse(state.getFirst().scope().isAlive(), "close() frees the state");
    assertArrayEquals(after, NativeFloats.toArray(value), "close() leaves the caller's memory");
  }

  @Test
  void largeStateBuffersStartAtDifferentPlacesInAPage() {
    int n = 1 << 18; // 1 MiB of floats: out of cache, where 4K aliasing costs
    try (Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS.withAmsgrad(true))) {
      MemorySegment value = NativeFloats.allocate(arena, n);
      adam.add(value, NativeFloats.allocate(arena, n));
      adam.step();
      List<Long> inPage = new ArrayList<>(List.of(value.address() % 4096));
      for (MemorySegment s : OptimizerProbe.state(adam)) {
        assertEquals(0, s.address() % 64, "64-byte aligned");
        assertEquals((long) n * Float.BYTES, s.byteSize());
        assertFalse(inPage.contains(s.address() % 4096), "shares a page offset: " + inPage);
        inPage.add(s.address() % 4096);
      }
    }
  }

  @Test
  void stateIsOnlyWhatTheFlagsNeed() {
    try (Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS);
        Sgd plain = new Sgd(SgdOptions.of(0.1))) {
      adam.add(floats(1, 1), floats(1, 0));
      plain.add(floats(1, 1), floats(1, 0));
      adam.step();
      plain.step();
      assertEquals(2, OptimizerProbe.state(adam).size(), "no vmax without amsgrad");
      assertEquals(0, OptimizerProbe.state(plain).size(), "no buffer without momentum");
    }
  }

  @Test
  void closedOptimizerRefusesToWork() {
    Sgd sgd = new Sgd(SgdOptions.of(0.1));
    MemorySegment value = floats(1, 1);
    MemorySegment grad = floats(1, 0);
    sgd.add(value, grad);
    sgd.close();
    var before = NativeFloats.snapshot(value, grad);
    assertTrue(
        assertThrows(IllegalStateException.class, sgd::step).getMessage().contains("closed"));
    assertThrows(IllegalStateException.class, sgd::zeroGrad);
    assertThrows(IllegalStateException.class, () -> sgd.add(floats(0, 1), floats(0, 1)));
    assertThrows(IllegalStateException.class, () -> sgd.addGroup(SgdOptions.of(1)));
    before.assertUnchanged("a closed optimizer's parameters");
    assertEquals(0, sgd.stepCount());
  }

  @Test
  void adamWWithoutWeightDecayIsAdam() {
    AdamOptions h = AdamOptions.ADAM_DEFAULTS.withLr(0.01).withAmsgrad(true);
    try (Adam adam = new Adam(h);
        AdamW adamW = new AdamW(h.withWeightDecay(0))) {
      MemorySegment a = floats(-1, 0.2f);
      MemorySegment w = floats(-1, 0.2f);
      MemorySegment grad = floats(0.3f, -0.07f);
      adam.add(a, grad);
      adamW.add(w, grad);
      for (int k = 0; k < 5; k++) {
        adam.step();
        adamW.step();
      }
      assertArrayEquals(NativeFloats.toArray(a), NativeFloats.toArray(w));
    }
  }

  /** PyTorch creates the buffer on the first step with momentum: a copy of d, not dampened. */
  @Test
  void momentumTurnedOnLaterStartsItsBufferFromTheDirection() {
    float lr = 0.25f;
    try (Sgd sgd = new Sgd(SgdOptions.of(lr))) {
      MemorySegment value = floats(1, 1);
      MemorySegment grad = floats(0.5f, 0.25f);
      sgd.add(value, grad);
      sgd.step();
      sgd.group(0)
          .setHyperparameters(sgd.group(0).hyperparameters().withMomentum(0.5).withDampening(0.75));
      float[] p = NativeFloats.toArray(value);
      float[] g = NativeFloats.toArray(grad);

      sgd.step();
      float[] b = NativeFloats.toArray(OptimizerProbe.parameter(sgd, 0, 0).state(0));
      assertArrayEquals(g, b, "the new buffer is d itself");
      for (int i = 0; i < N; i++) {
        p[i] = p[i] - lr * g[i];
      }
      assertArrayEquals(p, NativeFloats.toArray(value));

      sgd.step(); // now dampened: b = μ·b + (1 − τ)·d
      for (int i = 0; i < N; i++) {
        p[i] = p[i] - lr * (0.5f * b[i] + 0.25f * g[i]);
      }
      assertArrayEquals(p, NativeFloats.toArray(value));
    }
  }

  @Test
  void zeroGradZeroesEveryGradientAndNothingElse() {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      MemorySegment value = floats(1, 1);
      MemorySegment grad0 = floats(1, 1);
      MemorySegment grad1 = floats(-3, 1);
      sgd.add(value, grad0);
      sgd.addGroup(SgdOptions.of(0.2)).add(floats(0, 1), grad1);
      var values = NativeFloats.snapshot(value);
      sgd.zeroGrad();
      assertArrayEquals(new float[N], NativeFloats.toArray(grad0));
      assertArrayEquals(new float[N], NativeFloats.toArray(grad1));
      values.assertUnchanged("values after zeroGrad");
    }
  }

  @Test
  void stepCountCountsSteps() {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      sgd.add(floats(1, 1), floats(1, 1));
      assertEquals(0, sgd.stepCount());
      sgd.step();
      sgd.step();
      sgd.step();
      assertEquals(3, sgd.stepCount());
    }
  }

  @Test
  void eachGroupStepsWithItsOwnHyperparametersAndNewLrAppliesAtNextStep() {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.5f))) {
      MemorySegment slow = floats(1, 1);
      MemorySegment fast = floats(1, 1);
      MemorySegment grad = floats(1, 0.5f);
      sgd.add(slow, grad);
      sgd.addGroup(SgdOptions.of(2)).add(fast, NativeFloats.of(arena, NativeFloats.toArray(grad)));
      float[] p = NativeFloats.toArray(slow);
      float[] g = NativeFloats.toArray(grad);

      sgd.step();
      sgd.group(1).setLr(0.25f);
      assertEquals(0.25, sgd.group(1).lr());
      sgd.step();
      for (int i = 0; i < N; i++) {
        assertEquals(p[i] - 0.5f * g[i] - 0.5f * g[i], NativeFloats.toArray(slow)[i], "group 0");
        assertEquals(p[i] - 2f * g[i] - 0.25f * g[i], NativeFloats.toArray(fast)[i], "group 1");
      }
    }
  }

  /** PyTorch keeps a step count per parameter: one added later starts its bias correction at 1. */
  @Test
  void parameterAddedLaterCountsItsOwnSteps() {
    AdamOptions h = AdamOptions.ADAM_DEFAULTS.withLr(0.1);
    try (Adam shared = new Adam(h);
        Adam alone = new Adam(h)) {
      shared.add(floats(1, 1), floats(1, 1));
      shared.step();
      shared.step();
      MemorySegment late = floats(-2, 0.5f);
      MemorySegment fresh = floats(-2, 0.5f);
      MemorySegment grad = floats(0.25f, -0.1f);
      shared.add(late, grad);
      alone.add(fresh, grad);
      shared.step();
      alone.step();
      assertArrayEquals(NativeFloats.toArray(fresh), NativeFloats.toArray(late));
      assertEquals(List.of(3L, 1L), OptimizerProbe.steps(shared));
    }
  }
}
