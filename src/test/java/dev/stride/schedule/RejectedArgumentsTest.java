package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** A bad argument is refused with a message that names the argument and the value. */
class RejectedArgumentsTest {

  private record Bad(String argument, String value, Executable make) {}

  @TestFactory
  Stream<DynamicTest> badArgumentsAreNamedWithTheirValue() {
    return Stream.of(
            new Bad("stepSize", "0", () -> Schedules.step(0.1, 0, 0.5)),
            new Bad("gamma", "0.0", () -> Schedules.step(0.1, 10, 0)),
            new Bad("gamma", "-0.5", () -> Schedules.exponential(0.1, -0.5)),
            new Bad("milestones", "[]", () -> Schedules.multiStep(0.1, 0.5)),
            new Bad("milestones", "[10, 5]", () -> Schedules.multiStep(0.1, 0.5, 10, 5)),
            new Bad("milestones", "[5, 5]", () -> Schedules.multiStep(0.1, 0.5, 5, 5)),
            new Bad("boundaries", "[-1]", () -> Schedules.piecewiseConstant(new long[] {-1}, 1, 2)),
            new Bad("values", "[1.0]", () -> Schedules.piecewiseConstant(new long[] {3}, 1)),
            new Bad("tMax", "0", () -> Schedules.cosine(0.1, 0, 0)),
            new Bad("t0", "-3", () -> Schedules.cosineWarmRestarts(0.1, 0, -3, 1)),
            new Bad("tMult", "0", () -> Schedules.cosineWarmRestarts(0.1, 0, 10, 0)),
            new Bad("maxLr", "0.01", () -> Schedules.cyclic(0.1, 0.01, 10).build()),
            new Bad("stepsUp", "0", () -> Schedules.cyclic(0.01, 0.1, 0).build()),
            new Bad("stepsDown", "-2", () -> Schedules.cyclic(0.01, 0.1, 5).stepsDown(-2)),
            new Bad(
                "maxMomentum",
                "0.7",
                () -> Schedules.cyclic(0.01, 0.1, 5).momentum(0.8, 0.7).build()),
            new Bad("totalSteps", "0", () -> Schedules.oneCycle(0.1, 0).build()),
            new Bad("pctStart", "1.5", () -> Schedules.oneCycle(0.1, 100).pctStart(1.5).build()),
            new Bad("pctStart", "0.01", () -> Schedules.oneCycle(0.1, 100).pctStart(0.01).build()),
            new Bad("divFactor", "0.0", () -> Schedules.oneCycle(0.1, 100).divFactor(0).build()),
            new Bad("epochs", "0", () -> OneCycle.builder(0.1, 0, 10)),
            new Bad("decaySteps", "0", () -> Schedules.exponential(0.1, 0.5, 0, true)),
            new Bad("totalSteps", "0", () -> Schedules.linear(0.1, 0.1, 1, 0)),
            new Bad("power", "-1.0", () -> Schedules.polynomial(0.1, 10, -1)),
            new Bad("initial", "NaN", () -> Schedules.cosine(Double.NaN, 0, 10)),
            new Bad(
                "warmupSteps", "0", () -> Schedules.linearWarmup(0, 0.1, Schedules.constant(1))),
            new Bad("max", "0.1", () -> Schedules.constant(1).clamp(0.5, 0.1)),
            new Bad("max", "-1.0", () -> Schedules.uniformRandom(1, 0, -1)),
            new Bad(
                "milestones", "[5]", () -> Schedules.sequential(List.of(Schedules.constant(1)), 5)),
            new Bad(
                "milestones",
                "[0]",
                () ->
                    Schedules.sequential(List.of(Schedules.constant(1), Schedules.constant(2)), 0)),
            new Bad("parts", "[]", () -> Schedules.chained()),
            new Bad("factor", "1.0", () -> Schedules.reduceOnPlateau(0.1).factor(1).build()),
            new Bad("patience", "-1", () -> Schedules.reduceOnPlateau(0.1).patience(-1).build()),
            new Bad("cooldown", "-2", () -> Schedules.reduceOnPlateau(0.1).cooldown(-2).build()),
            new Bad(
                "minValue", "-0.1", () -> Schedules.reduceOnPlateau(0.1).minValue(-0.1).build()),
            new Bad("step", "-1", () -> Schedules.constant(1).valueAt(-1)))
        .map(
            bad ->
                DynamicTest.dynamicTest(
                    bad.argument() + " = " + bad.value(),
                    () -> {
                      IllegalArgumentException e =
                          assertThrows(IllegalArgumentException.class, bad.make());
                      assertTrue(
                          e.getMessage().startsWith(bad.argument() + " ")
                              && e.getMessage().contains(bad.value()),
                          "message \""
                              + e.getMessage()
                              + "\" should name "
                              + bad.argument()
                              + " and "
                              + bad.value());
                    }));
  }
}
