package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleSpecTest {

  @Test
  void eachFormReadsAsTheFactoryWithTheSameArguments() {
    Map<String, Schedule> forms =
        Map.ofEntries(
            Map.entry("constant(0.3)", Schedules.constant(0.3)),
            Map.entry("step(0.1, 7, gamma=0.5)", Schedules.step(0.1, 7, 0.5)),
            Map.entry("multistep(0.1, 0.1, [5, 12])", Schedules.multiStep(0.1, 0.1, 5, 12)),
            Map.entry(
                "piecewise([3, 9], [1, 0.5, 0.25])",
                Schedules.piecewiseConstant(new long[] {3, 9}, 1, 0.5, 0.25)),
            Map.entry(
                "exponential(0.1, 0.5, 10, staircase=true)",
                Schedules.exponential(0.1, 0.5, 10, true)),
            Map.entry("natural_exp(0.1, 0.05)", Schedules.naturalExponential(0.1, 0.05)),
            Map.entry("inverse_time(0.1, 0.5, decay=4)", Schedules.inverseTime(0.1, 0.5, 4, false)),
            Map.entry("inverse_sqrt(0.1, 0.2)", Schedules.inverseSqrt(0.1, 0.2)),
            Map.entry("linear(0.1, 0.2, 1, 10)", Schedules.linear(0.1, 0.2, 1, 10)),
            Map.entry(
                "polynomial(0.1, 20, 2, end=0.01, cycle=true)",
                Schedules.polynomial(0.1, 0.01, 20, 2, true)),
            Map.entry("cosine(0.1, 25, min=0.001)", Schedules.cosine(0.1, 0.001, 25)),
            Map.entry(
                "restarts(0.1, 10, 2, 0.001)", Schedules.cosineWarmRestarts(0.1, 0.001, 10, 2)),
            Map.entry(
                "cyclic(0.01, 0.1, 5, 8, exp_range, 0.99)",
                Schedules.cyclic(0.01, 0.1, 5).stepsDown(8).expRange(0.99).build()),
            Map.entry(
                "onecycle(0.1, 50, pct=0.25, anneal=linear, three_phase=true)",
                Schedules.oneCycle(0.1, 50)
                    .pctStart(0.25)
                    .anneal(dev.stride.schedule.OneCycle.Anneal.LINEAR)
                    .threePhase(true)
                    .build()),
            Map.entry("random(7, 0.01, 0.1)", Schedules.uniformRandom(7, 0.01, 0.1)),
            Map.entry(
                "clamp(exponential(1, 0.5), 0.1, 0.9)",
                Schedules.exponential(1, 0.5).clamp(0.1, 0.9)),
            Map.entry(
                "warmup(5, cosine(0.1, 45), start=0.1)",
                Schedules.linearWarmup(5, 0.1, Schedules.cosine(0.1, 0, 45))),
            Map.entry(
                "warmup(5, constant(1), 0.25, constant)",
                Schedules.constantWarmup(5, 0.25, Schedules.constant(1))),
            Map.entry(
                "sequential([constant(0.01), exponential(0.1, 0.9)], [5])",
                Schedules.sequential(
                    List.of(Schedules.constant(0.01), Schedules.exponential(0.1, 0.9)), 5)),
            Map.entry(
                "chained([cosine(0.1, 50), step(1, 10, 0.5)])",
                Schedules.chained(Schedules.cosine(0.1, 0, 50), Schedules.step(1, 10, 0.5))));
    forms.forEach(
        (text, expected) -> {
          Schedule parsed = ScheduleSpec.parse(text).schedule();
          for (long t = 0; t < 60; t++) {
            assertEquals(expected.valueAt(t), parsed.valueAt(t), text + " at step " + t);
          }
        });
  }

  @Test
  void mistakesAreNamedWithWhereTheyAre() {
    assertMessage("unknown schedule cosin", "cosin(0.1, 10)");
    assertMessage("tMax must be > 0, got 0", "cosine(0.1, 0)");
    assertMessage("expected ')' at 14", "cosine(0.1, 10");
    assertMessage("cosine has no argument tmin", "cosine(0.1, 10, tmin=3)");
    assertMessage("cosine takes 3 arguments, got 4", "cosine(0.1, 10, 0, 5)");
    assertMessage("size must be a whole number, got 2.5", "step(0.1, 2.5, 0.5)");
    assertMessage("a positional argument after a named one", "step(lr=0.1, 2, 0.5)");
    assertMessage("is not a schedule", "0.5");
  }

  private static void assertMessage(String part, String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.parse(text));
    assertTrue(
        e.getMessage().contains(part), "\"" + e.getMessage() + "\" should say \"" + part + "\"");
  }
}
