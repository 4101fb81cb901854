package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.checkpoint.Checkpoint;
import dev.stride.checkpoint.CheckpointPart;
import dev.stride.schedule.ReduceLrOnPlateau;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.testing.NativeFloats;
import dev.stride.training.EarlyStopping;
import dev.stride.training.Mode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Train N steps, save, load into a freshly built optimizer and schedules, continue M steps: the
 * same to the bit as N + M steps without the detour, for every rule and flag combination of {@link
 * RuleCatalog}, with a cosine schedule on every group's rate, a reduce-on-plateau on the second
 * group's (on its weight decay where all groups need one rate), an L1 term there, an EMA of the
 * weights every second step and an early stop watching the loss.
 */
class CheckpointResumeTest {
  private static final int[] LENGTHS = {37, 5, 20_000};
  private static final int AFTER = 4;
  private final Arena arena = Arena.ofConfined();
  @TempDir Path dir;

  @AfterEach
  void close() {
    arena.close();
  }

  /** An optimizer with its parameters and what drives it, built the same way for both runs. */
  private final class Run implements AutoCloseable {
    final Optimizer<?> optimizer;
    final ScheduleBinding<?> binding;
    final ReduceLrOnPlateau plateau;
    final WeightAverage ema;
    final EarlyStopping earlyStopping = EarlyStopping.builder(Mode.MIN).patience(1).build();
    final Checkpoint checkpoint;

    Run(RuleCatalog.Config rule, float start) {
      optimizer = rule.make();
      plateau = Schedules.reduceOnPlateau(0.002).factor(0.5).patience(1).build();
      binding = bind(rule, optimizer, plateau);
      for (int k = 0; k < LENGTHS.length; k++) {
        MemorySegment value =
            NativeFloats.of(arena, NativeFloats.ramp(LENGTHS[k], start - k, 0.01f));
        optimizer.group(k == 1 ? 1 : 0).add(value, NativeFloats.allocate(arena, LENGTHS[k]));
      }
      ema = WeightAverage.ema(optimizer, 0.9).every(2);
      checkpoint =
          Checkpoint.of(optimizer)
              .with("schedule", CheckpointPart.of(binding))
              .with("plateau", CheckpointPart.of(plateau))
              .with("ema", CheckpointPart.of(ema))
              .with("early_stopping", CheckpointPart.of(earlyStopping));
    }

    /** {@code count} steps from step {@code first}: gradients from the values and the step. */
    void steps(int first, int count) {
      for (int t = first; t < first + count; t++) {
        double loss = 0;
        for (ParamGroup<?> group : optimizer.groups()) {
          for (Parameter p : group.parameters()) {
            for (long i = 0; i < p.count; i++) {
              float v = p.value.getAtIndex(ValueLayout.JAVA_FLOAT, i);
              float g = v - (float) Math.sin(t + 0.1 * i);
              p.grad.setAtIndex(ValueLayout.JAVA_FLOAT, i, g);
              loss += g * g;
            }
          }
        }
        binding.step();
        ema.update();
        plateau.observe(t % 3 == 0 ? loss : loss * 2); // a metric that stalls now and then
        earlyStopping.observe(t % 3 == 0 ? loss : loss * 2);
      }
    }

    @Override
    public void close() {
      ema.close();
      optimizer.close();
    }
  }

  /**
   * A second group with the L1 term; a cosine on every group's rate, and the plateau on the second
   * group's rate, or on its weight decay where the rule needs one rate for all groups (Prodigy).
   */
  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> ScheduleBinding<H> bind(
      RuleCatalog.Config rule, Optimizer<?> untyped, ReduceLrOnPlateau plateau) {
    Optimizer<H> o = (Optimizer<H>) untyped;
    H first = o.group(0).hyperparameters();
    o.addGroup(rule.secondGroup(first)).setL1(1e-3);
    ScheduleBinding<H> binding =
        ScheduleBinding.of(o).lr(Schedules.cosine(first.lr(), first.lr() / 20, 12));
    return rule.equalRates() ? binding.weightDecay(1, plateau) : binding.lr(1, plateau);
  }

  @ParameterizedTest(name = "{0}, saved after {1} steps")
  @MethodSource("rulesAndSteps")
  void resumedFromAFileStepsAsTheRunThatNeverStopped(RuleCatalog.Config rule, int before)
      throws IOException {
    Path file = dir.resolve("run.safetensors");
    try (Run uninterrupted = new Run(rule, 0.5f);
        Run resumed = new Run(rule, -3f)) {
      uninterrupted.steps(0, before);
      uninterrupted.checkpoint.save(file);
      uninterrupted.steps(before, AFTER);

      resumed.checkpoint.load(file);
      resumed.steps(before, AFTER);

      assertSame(uninterrupted, resumed);
    }
  }

  static Stream<Arguments> rulesAndSteps() {
    return RuleCatalog.all().stream().flatMap(r -> Stream.of(0, 3).map(n -> Arguments.of(r, n)));
  }

  private static void assertSame(Run expected, Run actual) {
    Optimizer<?> e = expected.optimizer;
    Optimizer<?> a = actual.optimizer;
    assertEquals(e.stepCount(), a.stepCount(), "step count");
    assertEquals(OptimizerProbe.steps(e), OptimizerProbe.steps(a), "parameter steps");
    assertEquals(expected.binding.nextStep(), actual.binding.nextStep(), "next scheduled step");
    assertEquals(expected.plateau.state(), actual.plateau.state(), "plateau");
    assertEquals(expected.earlyStopping.state(), actual.earlyStopping.state(), "early stopping");
    assertEquals(expected.ema.updates(), actual.ema.updates(), "EMA updates");
    for (int k = 0; k < expected.ema.averages().size(); k++) {
      assertArrayEquals(
          bits(expected.ema.averages().get(k)), bits(actual.ema.averages().get(k)), "EMA " + k);
    }
    for (int g = 0; g < e.groups().size(); g++) {
      assertEquals(e.group(g).hyperparameters(), a.group(g).hyperparameters(), "group " + g);
      assertEquals(e.group(g).l1(), a.group(g).l1(), "L1 of group " + g);
      for (int i = 0; i < e.group(g).size(); i++) {
        Parameter pe = OptimizerProbe.parameter(e, g, i);
        Parameter pa = OptimizerProbe.parameter(a, g, i);
        assertArrayEquals(bits(pe.value), bits(pa.value), "value of " + g + "/" + i);
        for (int k = 0; k < e.rule().stateKeys().size(); k++) {
          assertEquals(
              pe.isAllocated(k),
              pa.isAllocated(k),
              "slot " + k + " of " + g + "/" + i + " allocated");
          assertArrayEquals(
              bits(pe.state(k)), bits(pa.state(k)), "slot " + k + " of " + g + "/" + i);
        }
        assertArrayEquals(pe.numbers, pa.numbers, "scalars of " + g + "/" + i);
      }
    }
  }

  private static int[] bits(MemorySegment s) {
    return s.toArray(ValueLayout.JAVA_INT);
  }
}
