package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stride.golden.GoldenFiles;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

/**
 * The schedules follow PyTorch's trajectories (torch 1.13, {@code golden/FORMAT.md}) to a relative
 * 1e-9: one test per case, named by its id. Cases of schedulers Stride does not express (those
 * built on Python functions, unknown ones) are skipped, never passed. {@code
 * -Dstride.golden.dir=DIR} replays another directory's {@code schedules.json}.
 */
class PyTorchGoldenTest {
  private static final double RELATIVE_TOLERANCE = 1e-9;

  /** The public reference set ({@code golden/cases_public.py}). */
  @TestFactory
  Stream<DynamicTest> referenceCases() {
    return replay(GoldenFiles.cases("schedules.json"));
  }

  /** Edge cases and other hyperparameters ({@code golden-extra/cases_schedules.py}). */
  @TestFactory
  Stream<DynamicTest> extraCases() {
    Assumptions.assumeTrue(
        System.getProperty(GoldenFiles.DIR_PROPERTY) == null,
        "with " + GoldenFiles.DIR_PROPERTY + " set, the reference factory replays that directory");
    return replay(GoldenFiles.cases("golden-extra", "schedules.json"));
  }

  @Test
  void schedulersOnPythonFunctionsAndUnknownOnesAreSkippedNotPassed() throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (String kind : List.of("LambdaLR", "MultiplicativeLR", "SomeFutureLR")) {
      JsonNode c =
          json.readTree(
              "{\"id\": \"x\", \"steps\": 2, \"lr\": [0.1, 0.1], \"spec\":"
                  + " {\"scheduler\": \""
                  + kind
                  + "\", \"base_lr\": 0.1, \"args\": {}}}");
      assertThrows(TestAbortedException.class, () -> replay(c), kind);
    }
  }

  private static Stream<DynamicTest> replay(List<JsonNode> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private static void replay(JsonNode c) {
    int steps = c.get("steps").asInt();
    PyTorchSchedules.Replay replay;
    try {
      replay = PyTorchSchedules.translate(c.get("spec"), steps);
    } catch (PyTorchSchedules.Unsupported e) {
      Assumptions.abort(e.getMessage());
      return;
    }
    double[] lr = GoldenFiles.doubles(c.get("lr"));
    double[] metrics = c.has("metrics") ? GoldenFiles.doubles(c.get("metrics")) : null;
    double[] momentum = c.has("momentum") ? GoldenFiles.doubles(c.get("momentum")) : null;
    if (metrics != null && replay.plateau().isEmpty()) {
      fail("the case has metrics but its schedule takes none");
    }
    assertEquals(steps, lr.length, "lr values");
    for (int k = 0; k < steps; k++) {
      check("lr", k, lr[k], replay.lr().valueAt(k));
      if (momentum != null) {
        check(
            "momentum",
            k,
            momentum[k],
            replay
                .momentum()
                .orElseThrow(() -> new AssertionError("momentum recorded but not scheduled"))
                .valueAt(k));
      }
      if (metrics != null) {
        replay.plateau().orElseThrow().observe(metrics[k]);
      }
    }
  }

  private static void check(String what, int step, double expected, double actual) {
    // equal values agree even where their difference would not (infinities)
    if (actual != expected
        && !(Math.abs(actual - expected) <= RELATIVE_TOLERANCE * Math.abs(expected))) {
      fail(
          what
              + " at step "
              + step
              + ": PyTorch "
              + expected
              + ", Stride "
              + actual
              + " (relative error "
              + Math.abs(actual - expected) / Math.abs(expected)
              + ")");
    }
  }
}
