package dev.stride.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.golden.GoldenTolerance;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our optimizers follow PyTorch's trajectories (torch 1.13, {@code golden/FORMAT.md}) through the
 * public API, within FORMAT.md's tolerance. One test per case, named by its id; cases for
 * optimizers not implemented here, or with hyperparameters this mapping does not know, are skipped,
 * never passed. {@code -Dstride.golden.dir=DIR} replays another directory's {@code optimizers.json}
 * through both factories.
 */
class GoldenOptimizerTest {
  /** The reference set from PyTorch's own cases (cases_public.py). */
  @TestFactory
  Stream<DynamicTest> followsPyTorchOnReferenceCases() {
    return replay(GoldenFiles.cases("optimizers.json"));
  }

  /** Every flag combination of every rule, and more (golden-extra/cases_optimizers.py). */
  @TestFactory
  Stream<DynamicTest> followsPyTorchOnFlagCombinations() {
    Assumptions.assumeTrue(
        System.getProperty(GoldenFiles.DIR_PROPERTY) == null,
        "with " + GoldenFiles.DIR_PROPERTY + " set, the reference factory replays that directory");
    return replay(GoldenFiles.cases("golden-extra", "optimizers.json"));
  }

  private static Stream<DynamicTest> replay(List<JsonNode> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private static void replay(JsonNode c) {
    float[] init = GoldenFiles.floats(c.get("init"));
    int steps = c.get("steps").asInt();
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> optimizer = optimizer(c)) {
      MemorySegment value = NativeFloats.of(arena, init);
      MemorySegment grad = NativeFloats.allocate(arena, init.length);
      optimizer.add(value, grad);
      float[][] got = new float[steps][];
      for (int k = 0; k < steps; k++) {
        NativeFloats.write(grad, GoldenFiles.floats(c.get("grads").get(k)));
        optimizer.step();
        got[k] = NativeFloats.toArray(value);
      }
      assertWithinTolerance(c, init, got);
    }
  }

  /** FORMAT.md's tolerance, D the largest distance PyTorch's trajectory moves from init. */
  private static void assertWithinTolerance(JsonNode c, float[] init, float[][] got) {
    float[][] expected = GoldenFiles.rows(c.get("expected_f32"));
    GoldenTolerance.assertWithin(
        c.get("id").asText() + " (" + c.get("optimizer").asText() + " " + c.get("hyper") + ")",
        expected,
        got,
        GoldenTolerance.displacement(init, expected),
        k -> "step " + (k + 1));
  }

  /**
   * PyTorch's class and keyword arguments as ours, through {@link PyTorchOptimizers}: a rule Stride
   * lacks, or an argument it does not know, skips the case rather than pass it.
   */
  static Optimizer<?> optimizer(JsonNode c) {
    String name = c.get("optimizer").asText();
    Map<String, Object> kwargs = GoldenFiles.kwargs(c.get("hyper"));
    try {
      return PyTorchOptimizers.create(name, kwargs);
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith("Stride has no rule")
          || e.getMessage().contains("takes no argument")) {
        Assumptions.abort(e.getMessage());
      }
      throw e;
    }
  }
}
