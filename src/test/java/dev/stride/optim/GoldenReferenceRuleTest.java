package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.golden.GoldenTolerance;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Rules outside {@code torch.optim} follow the trajectories their authors' reference code computed
 * ({@code golden/reference_rules.json}, {@code golden/FORMAT.md}) through the public API, within
 * FORMAT.md's tolerances: several tensors ({@code shapes}) as several parameters of one group,
 * Schedule-Free's parameters in train mode after every step and in eval mode after the last, and
 * the d estimate where a case has {@code expected_d}. One test per case, named by its id; cases of
 * rules Stride lacks are skipped, never passed. {@code -Dstride.golden.dir=DIR} replays that
 * directory's {@code reference_rules.json}.
 */
class GoldenReferenceRuleTest {

  @TestFactory
  Stream<DynamicTest> followsTheReferenceImplementations() {
    return GoldenFiles.cases("reference_rules.json").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private static void replay(JsonNode c) {
    String what =
        c.get("id").asText() + " (" + c.get("optimizer").asText() + " " + c.get("hyper") + ")";
    float[] init = GoldenFiles.floats(c.get("init"));
    int[] shapes = c.has("shapes") ? GoldenFiles.ints(c.get("shapes")) : new int[] {init.length};
    assertEquals(init.length, Arrays.stream(shapes).sum(), what + ": shapes must add up to n");
    int steps = c.get("steps").asInt();
    boolean scheduleFree = c.has("expected_eval_f32");
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> optimizer = GoldenOptimizerTest.optimizer(c)) {
      MemorySegment[] values = new MemorySegment[shapes.length];
      MemorySegment[] grads = new MemorySegment[shapes.length];
      for (int j = 0, from = 0; j < shapes.length; from += shapes[j++]) {
        values[j] = NativeFloats.of(arena, Arrays.copyOfRange(init, from, from + shapes[j]));
        grads[j] = NativeFloats.allocate(arena, shapes[j]);
        optimizer.add(values[j], grads[j]);
      }
      if (scheduleFree) {
        scheduleFree(optimizer, what).train();
      }
      float[][] got = new float[steps][];
      double[] d = new double[steps];
      for (int k = 0; k < steps; k++) {
        float[] g = GoldenFiles.floats(c.get("grads").get(k));
        for (int j = 0, from = 0; j < shapes.length; from += shapes[j++]) {
          NativeFloats.write(grads[j], Arrays.copyOfRange(g, from, from + shapes[j]));
        }
        optimizer.step();
        got[k] = concatenated(values);
        d[k] = dEstimate(optimizer).orElse(Double.NaN);
      }
      float[][] expected = GoldenFiles.rows(c.get("expected_f32"));
      double displacement = GoldenTolerance.displacement(init, expected);
      GoldenTolerance.assertWithin(what, expected, got, displacement, k -> "step " + (k + 1));

      if (scheduleFree) {
        scheduleFree(optimizer, what).eval();
        float[][] expectedEval = {GoldenFiles.floats(c.get("expected_eval_f32"))};
        double evalDisplacement =
            Math.max(displacement, GoldenTolerance.displacement(init, expectedEval));
        GoldenTolerance.assertWithin(
            what + " in eval mode",
            expectedEval,
            new float[][] {concatenated(values)},
            evalDisplacement,
            k -> "x after step " + steps);
      }
      if (c.has("expected_d")) {
        assertDEstimates(what, GoldenFiles.doubles(c.get("expected_d")), d);
      }
    }
  }

  private static ScheduleFree<?> scheduleFree(Optimizer<?> optimizer, String what) {
    assertTrue(
        optimizer instanceof ScheduleFree<?>,
        what
            + " has eval-mode expectations, but "
            + optimizer.rule().name()
            + " is not a Schedule-Free rule");
    return (ScheduleFree<?>) optimizer;
  }

  /**
   * The rule's d estimate after a step, for cases with {@code expected_d} (Prodigy's, as its {@code
   * param_groups[0]["d"]}). HOOK, to extend with each rule that estimates d, e.g. {@code case
   * Prodigy p -> OptionalDouble.of(p.d());}. A case with {@code expected_d} whose rule is not
   * listed fails, never passes.
   */
  private static OptionalDouble dEstimate(Optimizer<?> optimizer) {
    return switch (optimizer) {
      case Prodigy p -> OptionalDouble.of(p.d());
      default -> OptionalDouble.empty();
    };
  }

  /** FORMAT.md: relative 1e-4 for d, a diagnostic; the trajectory is the test. */
  private static void assertDEstimates(String what, double[] expected, double[] got) {
    for (int k = 0; k < expected.length; k++) {
      if (Double.isNaN(got[k])) {
        fail(
            what
                + " has expected_d, but the replay cannot read its d estimate: add the rule to"
                + " dEstimate");
      }
      if (!(Math.abs(got[k] - expected[k]) <= 1e-4 * Math.abs(expected[k]))) {
        fail(
            String.format(
                "%s: d after step %d is %s, the reference's %s (relative error %.3g > 1e-4)",
                what,
                k + 1,
                got[k],
                expected[k],
                Math.abs(got[k] - expected[k]) / Math.abs(expected[k])));
      }
    }
  }

  private static float[] concatenated(MemorySegment[] values) {
    int n = 0;
    for (MemorySegment v : values) {
      n += (int) (v.byteSize() / Float.BYTES);
    }
    float[] out = new float[n];
    for (int j = 0, from = 0; j < values.length; j++) {
      float[] part = NativeFloats.toArray(values[j]);
      System.arraycopy(part, 0, out, from, part.length);
      from += part.length;
    }
    return out;
  }
}
