package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.golden.GoldenTolerance;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schedule-Free in Stride's memory-lean form against the reference form, z, x and y all kept, as
 * {@code golden/FORMAT.md} gives the reference classes' arithmetic (float32 tensors, double scalars
 * rounded where they meet them), over what the golden cases do not show: β and η changed between
 * steps, switches to eval and back mid-run, two groups, a parameter added after training began. And
 * the train/eval contract: refused steps, the mode in snapshots.
 */
class ScheduleFreeTest {
  private static final int STEPS = 30;
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(
            "SGD, warmup, weight decay, r, power 1, momentum 0.9 then 0.6",
            (Supplier<ScheduleFree<?>>)
                () ->
                    new SgdScheduleFree(
                        SgdScheduleFreeOptions.DEFAULTS
                            .withLr(0.1)
                            .withWeightDecay(0.01)
                            .withWarmupSteps(3)
                            .withR(0.5)
                            .withWeightLrPower(1)),
            0.6,
            0.75),
        Arguments.of(
            "AdamW, warmup, weight decay at y, β1 0.9 then 0.5",
            (Supplier<ScheduleFree<?>>)
                () ->
                    new AdamWScheduleFree(
                        AdamWScheduleFreeOptions.DEFAULTS
                            .withLr(0.01)
                            .withWeightDecay(0.05)
                            .withWarmupSteps(5)),
            0.5,
            0.8),
        Arguments.of(
            "AdamW, inner momentum, decay at z, r 1, power 0, β1 0.9 then 0.95",
            (Supplier<ScheduleFree<?>>)
                () ->
                    new AdamWScheduleFree(
                        AdamWScheduleFreeOptions.DEFAULTS
                            .withLr(0.005)
                            .withInnerMomentum(0.9)
                            .withDecayAtZ(true)
                            .withWeightDecay(0.1)
                            .withR(1)
                            .withWeightLrPower(0)),
            0.95,
            0.3));
  }

  /**
   * Two groups (the second at half the rate and its own β), a third parameter joining group 0
   * before step 9, group 0's β changed before step 12, group 1's rate tripled before step 20, and
   * eval, compare x, train again after steps 10 and 20: y after every step and x at each eval stay
   * within FORMAT.md's tolerance of the reference form.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void leanFormFollowsTheReferenceForm(
      String name,
      Supplier<ScheduleFree<?>> rule,
      double laterMomentum,
      double secondGroupMomentum) {
    followsReferenceForm(rule.get(), laterMomentum, secondGroupMomentum);
  }

  @SuppressWarnings("unchecked")
  private <H extends ScheduleFree.Averaging<H>> void followsReferenceForm(
      ScheduleFree<?> any, double laterMomentum, double secondGroupMomentum) {
    try (ScheduleFree<H> optimizer = (ScheduleFree<H>) any) {
      SplittableRandom random = new SplittableRandom(11);
      H first = optimizer.group(0).hyperparameters();
      optimizer.addGroup(first.withLr(first.lr() / 2).withMomentum(secondGroupMomentum));
      List<Tensor> tensors = new ArrayList<>();
      tensors.add(new Tensor(0, 40, random));
      tensors.add(new Tensor(1, 25, random));
      ReferenceGroup[] reference = {new ReferenceGroup(), new ReferenceGroup()};
      for (Tensor t : tensors) {
        optimizer.group(t.group).add(t.value, t.grad);
      }
      optimizer.train();
      for (int step = 1; step <= STEPS; step++) {
        if (step == 9) {
          Tensor late = new Tensor(0, 15, random);
          optimizer.group(0).add(late.value, late.grad);
          tensors.add(late);
        }
        if (step == 12) {
          ParamGroup<H> g = optimizer.group(0);
          g.setHyperparameters(g.hyperparameters().withMomentum(laterMomentum));
        }
        if (step == 20) {
          optimizer.group(1).setLr(optimizer.group(1).lr() * 3);
        }
        for (Tensor t : tensors) {
          t.nextGradient(random);
        }
        optimizer.step();
        for (int g = 0; g < 2; g++) {
          int group = g;
          reference[g].step(
              optimizer.group(g).hyperparameters(),
              tensors.stream().filter(t -> t.group == group).toList());
        }
        for (Tensor t : tensors) {
          t.record(t.y, "y after step " + step);
        }
        if (step == 10 || step == 20 || step == STEPS) {
          optimizer.eval();
          for (Tensor t : tensors) {
            t.record(t.x, "x after step " + step);
          }
          if (step != STEPS) {
            optimizer.train();
          }
        }
      }
      for (Tensor t : tensors) {
        t.assertWithinTolerance(optimizer.rule().name());
      }
    }
  }

  /**
   * One parameter of the run: its memory, the reference form's z, x, y (v, m), and the rows
   * compared.
   */
  private final class Tensor {
    final int group;
    final float[] init;
    final MemorySegment value;
    final MemorySegment grad;
    float[] g;
    float[] z;
    float[] x;
    float[] y;
    float[] v;
    float[] m;
    final List<float[]> expected = new ArrayList<>();
    final List<float[]> got = new ArrayList<>();
    final List<String> rows = new ArrayList<>();

    Tensor(int group, int n, SplittableRandom random) {
      this.group = group;
      init = new float[n];
      for (int i = 0; i < n; i++) {
        init[i] = (float) random.nextGaussian();
      }
      value = NativeFloats.of(arena, init);
      grad = NativeFloats.allocate(arena, n);
    }

    void nextGradient(SplittableRandom random) {
      g = new float[init.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) random.nextGaussian();
      }
      NativeFloats.write(grad, g);
    }

    void record(float[] reference, String row) {
      expected.add(reference.clone());
      got.add(NativeFloats.toArray(value));
      rows.add(row);
    }

    void assertWithinTolerance(String rule) {
      float[][] e = expected.toArray(float[][]::new);
      GoldenTolerance.assertWithin(
          rule + ", tensor of " + init.length + " in group " + group,
          e,
          got.toArray(float[][]::new),
          GoldenTolerance.displacement(init, e),
          rows::get);
    }
  }

  /** The reference form's per-group numbers, in double, and its step over the group's tensors. */
  private static final class ReferenceGroup {
    double k;
    double lrMax = -1;
    double weightSum;

    void step(ScheduleFree.Averaging<?> h, List<Tensor> tensors) {
      double t = k + 1;
      double lr = h.lr() * (k < h.warmupSteps() ? t / h.warmupSteps() : 1);
      lrMax = Math.max(lr, lrMax);
      double weight = Math.pow(t, h.r()) * Math.pow(lrMax, h.weightLrPower());
      weightSum += weight;
      double c = weightSum == 0 ? 0 : weight / weightSum;
      float beta = (float) h.momentum();
      float oneMinusBeta = (float) (1 - h.momentum());
      for (Tensor p : tensors) {
        if (p.z == null) {
          p.z = p.init.clone(); // p as the step found it
          p.x = p.z.clone();
          p.y = p.z.clone();
          p.v = new float[p.z.length];
          p.m = new float[p.z.length];
        }
        for (int i = 0; i < p.z.length; i++) {
          if (h instanceof AdamWScheduleFreeOptions a) {
            adamWStep(a, lr, t, p, i);
          } else {
            float g = p.g[i];
            if (h.weightDecay() != 0) {
              g = g + (float) h.weightDecay() * p.y[i];
            }
            p.z[i] = p.z[i] - (float) lr * g;
          }
          p.x[i] = p.x[i] * (float) (1 - c) + (float) c * p.z[i];
          p.y[i] = p.x[i] * beta + oneMinusBeta * p.z[i];
        }
      }
      k = t;
    }

    private static void adamWStep(
        AdamWScheduleFreeOptions a, double lr, double t, Tensor p, int i) {
      float g = p.g[i];
      if (a.weightDecay() != 0) {
        p.z[i] = p.z[i] - (float) (lr * a.weightDecay()) * (a.decayAtZ() ? p.z[i] : p.y[i]);
      }
      p.v[i] = p.v[i] * (float) a.beta2() + (float) (1 - a.beta2()) * (g * g);
      float den =
          (float) Math.sqrt(p.v[i] / (float) (1 - Math.pow(a.beta2(), t))) + (float) a.eps();
      float u = g;
      if (a.innerMomentum() != 0) {
        p.m[i] = p.m[i] * (float) a.innerMomentum() + (float) (1 - a.innerMomentum()) * g;
        u = p.m[i] / (float) (1 - Math.pow(a.innerMomentum(), t));
      }
      p.z[i] = p.z[i] + (float) -lr * (u / den);
    }
  }

  @Test
  void startsInEvalModeWhereAStepIsRefusedChangingNothing() {
    try (AdamWScheduleFree optimizer = new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS)) {
      MemorySegment value = NativeFloats.of(arena, 1, -2, 3);
      MemorySegment grad = NativeFloats.of(arena, 0.5f, 0.5f, -1);
      optimizer.add(value, grad);
      assertFalse(optimizer.isTraining());
      NativeFloats.Snapshot before = NativeFloats.snapshot(value, grad);
      IllegalStateException e = assertThrows(IllegalStateException.class, optimizer::step);
      assertTrue(
          e.getMessage().contains("eval mode") && e.getMessage().contains("train()"),
          e.getMessage());
      before.assertUnchanged("a refused step");
      assertEquals(0, optimizer.stepCount());
      assertEquals(List.of(), OptimizerProbe.state(optimizer), "no state allocated");

      optimizer.train();
      optimizer.step();
      optimizer.eval();
      NativeFloats.Snapshot atX = OptimizerProbe.snapshot(optimizer);
      assertThrows(IllegalStateException.class, optimizer::step);
      atX.assertUnchanged("a step refused in eval mode");
      assertEquals(1, optimizer.stepCount());
    }
  }

  @Test
  void switchingMovesOnlyParametersThatHaveStepped() {
    try (SgdScheduleFree optimizer =
        new SgdScheduleFree(SgdScheduleFreeOptions.DEFAULTS.withLr(0.1))) {
      MemorySegment stepped = NativeFloats.of(arena, 1, 2);
      MemorySegment fresh = NativeFloats.of(arena, 3, 4);
      optimizer.add(stepped, NativeFloats.of(arena, 1, 1));
      optimizer.eval();
      optimizer.train(); // before any step: a no-op
      assertArrayEquals(new float[] {1, 2}, NativeFloats.toArray(stepped));
      optimizer.step();
      optimizer.step();
      optimizer.add(fresh, NativeFloats.of(arena, 1, 1));
      float[] y = NativeFloats.toArray(stepped);
      optimizer.eval();
      assertArrayEquals(new float[] {3, 4}, NativeFloats.toArray(fresh), "not stepped: its own x");
      float[] x = NativeFloats.toArray(stepped);
      assertTrue(x[0] != y[0], "x differs from y after two steps");
      optimizer.eval(); // already in eval mode: nothing moves
      assertArrayEquals(x, NativeFloats.toArray(stepped));
    }
  }

  @Test
  void aGroupAddedLaterStartsInTheCurrentMode() {
    try (SgdScheduleFree optimizer = new SgdScheduleFree(SgdScheduleFreeOptions.DEFAULTS)) {
      assertFalse(
          optimizer.addGroup(SgdScheduleFreeOptions.DEFAULTS).numbers[ScheduleFree.TRAIN_MODE]
              == 1);
      optimizer.train();
      optimizer
          .addGroup(SgdScheduleFreeOptions.DEFAULTS.withLr(0.5))
          .add(NativeFloats.of(arena, 1), NativeFloats.of(arena, 1));
      assertTrue(optimizer.isTraining());
      optimizer.step(); // every group in train mode
      optimizer.eval();
      optimizer.groups().forEach(g -> assertEquals(0.0, g.numbers[ScheduleFree.TRAIN_MODE]));
    }
  }

  /** Snapshot in one mode, switch, restore: the mode comes back with the values it belongs to. */
  @Test
  void aSnapshotKeepsTheModeWithTheValues() {
    try (AdamWScheduleFree detoured =
            twoStepsOn(new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS));
        AdamWScheduleFree twin =
            twoStepsOn(new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS))) {
      try (OptimizerSnapshot<AdamWScheduleFreeOptions> atY = detoured.snapshot()) {
        detoured.eval();
        atY.restore();
      }
      assertTrue(detoured.isTraining());
      assertSameBits(twin, detoured, "restored to train mode");

      detoured.eval();
      twin.eval();
      try (OptimizerSnapshot<AdamWScheduleFreeOptions> atX = detoured.snapshot()) {
        detoured.train();
        detoured.step();
        atX.restore();
      }
      assertFalse(detoured.isTraining());
      assertSameBits(twin, detoured, "restored to eval mode");
      detoured.train();
      twin.train();
      detoured.step();
      twin.step();
      assertSameBits(twin, detoured, "a step after train()");
    }
  }

  private AdamWScheduleFree twoStepsOn(AdamWScheduleFree optimizer) {
    optimizer.add(
        NativeFloats.of(arena, NativeFloats.ramp(19, -1, 0.1f)),
        NativeFloats.of(arena, NativeFloats.ramp(19, 0.5f, -0.05f)));
    optimizer.train();
    optimizer.step();
    optimizer.step();
    return optimizer;
  }

  private static void assertSameBits(Optimizer<?> expected, Optimizer<?> actual, String when) {
    assertArrayEquals(expected.group(0).numbers, actual.group(0).numbers, when + ": group scalars");
    Parameter e = OptimizerProbe.parameter(expected, 0, 0);
    Parameter a = OptimizerProbe.parameter(actual, 0, 0);
    assertArrayEquals(
        e.value.toArray(ValueLayout.JAVA_INT),
        a.value.toArray(ValueLayout.JAVA_INT),
        when + ": value");
    for (int k = 0; k < e.stateSlots(); k++) {
      assertArrayEquals(
          e.state(k).toArray(ValueLayout.JAVA_INT),
          a.state(k).toArray(ValueLayout.JAVA_INT),
          when + ": slot " + k);
    }
  }
}
