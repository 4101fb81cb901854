package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An optimizer restored from a snapshot is, to the bit, the one that was snapshotted: it then steps
 * exactly as a twin that never took the detour.
 */
class SnapshotRestoreTest {
  private static final int[] LENGTHS = {37, 5, 1000};
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  @ParameterizedTest(name = "{0}, snapshot after {1} steps")
  @MethodSource("withStepsBefore")
  void restoredStepsAsATwinThatNeverLeft(RuleCatalog.Config rule, int stepsBefore) {
    restoredStepsAsATwin(rule, stepsBefore);
  }

  @SuppressWarnings("unchecked")
  private <H extends Hyperparameters<H>> void restoredStepsAsATwin(
      RuleCatalog.Config rule, int stepsBefore) {
    Optimizer<H> detoured = withParameters(rule, (Optimizer<H>) rule.make());
    Optimizer<H> twin = withParameters(rule, (Optimizer<H>) rule.make());
    steps(detoured, 0, stepsBefore);
    steps(twin, 0, stepsBefore);

    try (OptimizerSnapshot<H> snapshot = detoured.snapshot()) {
      detoured.groups().forEach(g -> g.setLr(g.lr() * 10));
      detoured.group(1).setL1(0.25);
      H h = detoured.group(0).hyperparameters();
      // Rprop has no weight decay to change: its detour changes the rate alone
      detoured
          .group(0)
          .setHyperparameters(
              h instanceof RpropOptions ? h.withLr(h.lr() * 4) : h.withWeightDecay(0.5));
      steps(detoured, 100, 7);
      snapshot.restore();
    }
    assertSame(twin, detoured, "right after restore");

    steps(detoured, stepsBefore, 4);
    steps(twin, stepsBefore, 4);
    assertSame(twin, detoured, "four steps later");
  }

  static Stream<Arguments> withStepsBefore() {
    return RuleCatalog.all().stream().flatMap(r -> Stream.of(0, 3).map(n -> Arguments.of(r, n)));
  }

  @Test
  void aMomentumBufferMadeAfterTheSnapshotStartsAfreshAfterRestore() {
    Sgd detoured = withParameters(new Sgd(SgdOptions.of(0.1)));
    Sgd twin = withParameters(new Sgd(SgdOptions.of(0.1)));
    steps(detoured, 0, 2);
    steps(twin, 0, 2);
    try (OptimizerSnapshot<SgdOptions> snapshot = detoured.snapshot()) {
      detoured.groups().forEach(g -> g.setHyperparameters(g.hyperparameters().withMomentum(0.9)));
      steps(detoured, 50, 3);
      snapshot.restore();
    }
    assertEquals(List.of(), OptimizerProbe.state(detoured), "the buffer is unallocated again");
    for (Sgd o : List.of(detoured, twin)) {
      o.groups().forEach(g -> g.setHyperparameters(g.hyperparameters().withMomentum(0.9)));
      steps(o, 2, 3); // the first momentum step sets the buffer to the gradient
    }
    assertSame(twin, detoured, "after momentum is switched on in both");
  }

  @Test
  void aSnapshotRestoresAnyNumberOfTimes() {
    Adam adam = withParameters(new Adam(AdamOptions.ADAM_DEFAULTS));
    steps(adam, 0, 2);
    List<MemorySegment> valuesAndState = new ArrayList<>(OptimizerProbe.state(adam));
    adam.groups().forEach(g -> g.parameters().forEach(p -> valuesAndState.add(p.value)));
    NativeFloats.Snapshot before =
        NativeFloats.snapshot(valuesAndState.toArray(MemorySegment[]::new));
    try (OptimizerSnapshot<AdamOptions> snapshot = adam.snapshot()) {
      for (int round = 0; round < 3; round++) {
        steps(adam, 10 * round, 2);
        snapshot.restore();
        before.assertUnchanged("round " + round);
        assertEquals(2, adam.stepCount());
      }
    }
  }

  @Test
  void refusesAClosedSnapshotChangingNothing() {
    Adam adam = withParameters(new Adam(AdamOptions.ADAM_DEFAULTS));
    steps(adam, 0, 2);
    OptimizerSnapshot<AdamOptions> closed = adam.snapshot();
    closed.close();
    closed.close(); // idempotent
    steps(adam, 5, 1);
    NativeFloats.Snapshot now = OptimizerProbe.snapshot(adam);
    IllegalStateException e = assertThrows(IllegalStateException.class, closed::restore);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    now.assertUnchanged("after the refusal");
    assertEquals(3, adam.stepCount());
  }

  @Test
  void refusesWhenParametersWereAddedSinceChangingNothing() {
    Adam adam = withParameters(new Adam(AdamOptions.ADAM_DEFAULTS));
    steps(adam, 0, 1);
    try (OptimizerSnapshot<AdamOptions> snapshot = adam.snapshot()) {
      steps(adam, 1, 1);
      adam.group(1).add(NativeFloats.allocate(arena, 3), NativeFloats.allocate(arena, 3));
      NativeFloats.Snapshot now = OptimizerProbe.snapshot(adam);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> snapshot.restore());
      assertTrue(
          e.getMessage().contains("group 1 has 2 parameters, the snapshot 1"), e.getMessage());
      now.assertUnchanged("after the refusal");

      adam.addGroup(AdamOptions.ADAM_DEFAULTS);
      e = assertThrows(IllegalStateException.class, () -> snapshot.restore());
      assertTrue(e.getMessage().contains("3 groups, the snapshot 2"), e.getMessage());
    }
  }

  /** Two groups, the second with a tenth of the rate; parameters of {@link #LENGTHS}. */
  private <O extends Optimizer<H>, H extends Hyperparameters<H>> O withParameters(O optimizer) {
    H first = optimizer.group(0).hyperparameters();
    return withParameters(optimizer, optimizer.addGroup(first.withLr(first.lr() / 10)));
  }

  /** Two groups, the second with other hyperparameters, as {@code rule} allows. */
  private <O extends Optimizer<H>, H extends Hyperparameters<H>> O withParameters(
      RuleCatalog.Config rule, O optimizer) {
    return withParameters(
        optimizer, optimizer.addGroup(rule.secondGroup(optimizer.group(0).hyperparameters())));
  }

  /** Parameters of {@link #LENGTHS}, the second in {@code second}. */
  private <O extends Optimizer<H>, H extends Hyperparameters<H>> O withParameters(
      O optimizer, ParamGroup<H> second) {
    for (int k = 0; k < LENGTHS.length; k++) {
      MemorySegment value = NativeFloats.of(arena, NativeFloats.ramp(LENGTHS[k], 0.5f - k, 0.01f));
      MemorySegment grad = NativeFloats.allocate(arena, LENGTHS[k]);
      (k == 1 ? second : optimizer.group(0)).add(value, grad);
    }
    return optimizer;
  }

  /**
   * {@code count} steps with gradients that depend on the value and on the step, from {@code
   * first}.
   */
  private static void steps(Optimizer<?> optimizer, int first, int count) {
    for (int t = first; t < first + count; t++) {
      for (ParamGroup<?> group : optimizer.groups()) {
        for (Parameter p : group.parameters()) {
          for (long i = 0; i < p.count; i++) {
            float v = p.value.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            p.grad.setAtIndex(ValueLayout.JAVA_FLOAT, i, v - (float) Math.sin(t + 0.1 * i));
          }
        }
      }
      optimizer.step();
    }
  }

  private static void assertSame(Optimizer<?> expected, Optimizer<?> actual, String when) {
    assertEquals(expected.stepCount(), actual.stepCount(), when + ": step count");
    assertEquals(
        OptimizerProbe.steps(expected), OptimizerProbe.steps(actual), when + ": parameter steps");
    for (int g = 0; g < expected.groups().size(); g++) {
      assertEquals(
          expected.group(g).hyperparameters(),
          actual.group(g).hyperparameters(),
          when + ": group " + g);
      assertEquals(expected.group(g).l1(), actual.group(g).l1(), when + ": L1 of group " + g);
      assertArrayEquals(
          expected.group(g).numbers, actual.group(g).numbers, when + ": scalars of group " + g);
      for (int i = 0; i < expected.group(g).size(); i++) {
        Parameter e = OptimizerProbe.parameter(expected, g, i);
        Parameter a = OptimizerProbe.parameter(actual, g, i);
        assertArrayEquals(bits(e.value), bits(a.value), when + ": value of " + g + "/" + i);
        for (int k = 0; k < expected.rule().stateKeys().size(); k++) {
          assertArrayEquals(
              bits(e.state(k)), bits(a.state(k)), when + ": slot " + k + " of " + g + "/" + i);
        }
        assertArrayEquals(e.numbers, a.numbers, when + ": scalars of " + g + "/" + i);
      }
    }
  }

  private static int[] bits(MemorySegment s) {
    return s.toArray(ValueLayout.JAVA_INT);
  }
}
