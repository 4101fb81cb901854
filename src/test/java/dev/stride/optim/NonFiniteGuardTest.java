package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A guarded step whose gradients hold a NaN or an infinity changes nothing: values, state, step
 * counts and a schedule's position stay to the bit; the caller is told by the return value.
 */
class NonFiniteGuardTest {

  static List<RuleCatalog.Config> rules() {
    return RuleCatalog.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void aStepWithANonFiniteGradientChangesNothing(RuleCatalog.Config rule) {
    for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      try (Arena arena = Arena.ofConfined();
          Optimizer<?> o = rule.make()) {
        MemorySegment big = NativeFloats.allocate(arena, 70_000);
        MemorySegment small = NativeFloats.allocate(arena, 9);
        RuleCatalog.add(o, 0, NativeFloats.of(arena, NativeFloats.ramp(70_000, -1, 1e-5f)), big);
        RuleCatalog.add(o, 0, NativeFloats.of(arena, NativeFloats.ramp(9, 2, -0.1f)), small);
        o.setSkipNonFinite(true);
        ScheduleBinding<?> binding = bind(o);
        big.fill((byte) 0);
        small.setAtIndex(JAVA_FLOAT, 3, 0.5f);
        assertTrue(binding.step(), "a finite step is taken");
        big.setAtIndex(JAVA_FLOAT, 69_999, poison);
        NativeFloats.Snapshot before = OptimizerProbe.snapshot(o);
        List<Long> steps = OptimizerProbe.steps(o);
        assertFalse(binding.step(), "a step with " + poison + " is skipped");
        before.assertUnchanged(rule + ", after a step with " + poison);
        assertEquals(steps, OptimizerProbe.steps(o));
        assertEquals(1, o.stepCount());
        assertEquals(1, binding.nextStep(), "the schedule stays where it was");
        big.setAtIndex(JAVA_FLOAT, 69_999, 0);
        assertTrue(binding.step(), "and the next finite step is taken");
        assertEquals(2, o.stepCount());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> ScheduleBinding<H> bind(Optimizer<?> o) {
    Optimizer<H> typed = (Optimizer<H>) o;
    double lr = typed.group(0).lr();
    return Double.isNaN(lr) // transformers' relative step has no rate to schedule
        ? ScheduleBinding.of(typed)
        : ScheduleBinding.of(typed).lr(Schedules.exponential(lr, 0.5));
  }
}
