package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.golden.GoldenTolerance;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Adafactor follows PyTorch's and transformers' own trajectories ({@code golden/adafactor.json},
 * {@code golden/FORMAT.md}) through the public API: the case's class made by {@link
 * PyTorchOptimizers} from its keyword arguments ({@code Adafactor} for {@code torch}, {@code
 * transformers.Adafactor} for {@code transformers}), each tensor registered with its shape, the
 * parameters after every step within FORMAT.md's tolerance, and every state entry after the last
 * step, in its reference shape, within the state tolerance. One test per case, named by its id.
 * {@code -Dstride.golden.dir=DIR} replays that directory's {@code adafactor.json}.
 */
class GoldenAdafactorTest {

  @TestFactory
  Stream<DynamicTest> followsTorchAndTransformers() {
    return GoldenFiles.cases("adafactor.json").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  /** Stride's rule for a case's {@code source}. */
  static String ruleName(JsonNode c) {
    return switch (c.get("source").asText()) {
      case "torch" -> Adafactor.RULE.name();
      case "transformers" -> TransformersAdafactor.RULE.name();
      default -> throw new IllegalArgumentException("unknown source " + c.get("source"));
    };
  }

  private static void replay(JsonNode c) {
    String what =
        c.get("id").asText() + " (" + c.get("source").asText() + " " + c.get("hyper") + ")";
    float[] init = GoldenFiles.floats(c.get("init"));
    long[][] shapes = shapes(c.get("shapes"));
    int steps = c.get("steps").asInt();
    Map<String, Object> kwargs = GoldenFiles.kwargs(c.get("hyper"));
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> optimizer = PyTorchOptimizers.create(ruleName(c), kwargs)) {
      MemorySegment[] values = new MemorySegment[shapes.length];
      MemorySegment[] grads = new MemorySegment[shapes.length];
      int[] from = new int[shapes.length + 1];
      for (int j = 0; j < shapes.length; j++) {
        from[j + 1] = from[j] + (int) elements(shapes[j]);
        values[j] = NativeFloats.of(arena, Arrays.copyOfRange(init, from[j], from[j + 1]));
        grads[j] = NativeFloats.allocate(arena, from[j + 1] - from[j]);
        optimizer.group(0).add(values[j], grads[j], shapes[j]);
      }
      assertEquals(init.length, from[shapes.length], what + ": shapes must add up to n");
      float[][] got = new float[steps][init.length];
      for (int k = 0; k < steps; k++) {
        float[] g = GoldenFiles.floats(c.get("grads").get(k));
        for (int j = 0; j < shapes.length; j++) {
          NativeFloats.write(grads[j], Arrays.copyOfRange(g, from[j], from[j + 1]));
        }
        optimizer.step();
        for (int j = 0; j < shapes.length; j++) {
          System.arraycopy(
              NativeFloats.toArray(values[j]), 0, got[k], from[j], from[j + 1] - from[j]);
        }
      }
      float[][] expected = GoldenFiles.rows(c.get("expected_f32"));
      GoldenTolerance.assertWithin(
          what,
          expected,
          got,
          GoldenTolerance.displacement(init, expected),
          k -> "step " + (k + 1));
      assertState(what, optimizer, shapes, steps, c);
    }
  }

  /** Every state entry of every tensor in the reference's shape, within FORMAT.md's tolerance. */
  private static void assertState(
      String what, Optimizer<?> optimizer, long[][] shapes, int steps, JsonNode c) {
    StateDict state = optimizer.stateDict();
    for (int j = 0; j < shapes.length; j++) {
      StateDict.ParameterState p = state.parameters().get(j);
      assertEquals(steps, p.step(), what + ", tensor " + j + "'s step");
      JsonNode expectedShapes = c.get("state_shapes").get(j);
      JsonNode expectedValues = c.get("expected_state_f32").get(j);
      assertEquals(
          sorted(expectedShapes.fieldNames()),
          p.buffers().keySet().stream().sorted().toList(),
          what + ", tensor " + j + "'s state keys");
      for (Iterator<String> keys = expectedShapes.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        String entry = what + ", tensor " + j + " " + Arrays.toString(shapes[j]) + ", " + key;
        assertArrayEquals(
            shape(expectedShapes.get(key)),
            optimizer.rule().stateShape(key, shapes[j]),
            entry + "'s shape");
        MemorySegment buffer = p.buffers().get(key);
        assertNotNull(buffer, entry);
        float[] expected = GoldenFiles.floats(expectedValues.get(key));
        assertStateWithin(entry, expected, NativeFloats.toArray(buffer), key.equals("exp_avg"));
      }
    }
  }

  /**
   * FORMAT.md: {@code |got − expected| <= 1e-5·|expected| + c·M}, M the entry's largest |value|, c
   * = 1e-5 for the first moment (an average that cancels toward 0) and 1e-6 for the others.
   */
  private static void assertStateWithin(
      String what, float[] expected, float[] got, boolean firstMoment) {
    assertEquals(expected.length, got.length, what + "'s elements");
    double most = 0;
    for (float e : expected) {
      most = Math.max(most, Math.abs(e));
    }
    double c = firstMoment ? 1e-5 : 1e-6;
    for (int i = 0; i < expected.length; i++) {
      double tolerance = 1e-5 * Math.abs(expected[i]) + c * most;
      boolean same = got[i] == expected[i] || (Float.isNaN(got[i]) && Float.isNaN(expected[i]));
      if (!same && !(Math.abs((double) got[i] - expected[i]) <= tolerance)) {
        fail(
            String.format(
                "%s leaves the reference's tolerance at element %d: got %s, reference %s,"
                    + " tolerance %.3g",
                what, i, got[i], expected[i], tolerance));
      }
    }
  }

  private static java.util.List<String> sorted(Iterator<String> names) {
    java.util.List<String> list = new java.util.ArrayList<>();
    names.forEachRemaining(list::add);
    return list.stream().sorted().toList();
  }

  static long[][] shapes(JsonNode shapes) {
    long[][] out = new long[shapes.size()][];
    for (int j = 0; j < out.length; j++) {
      out[j] = shape(shapes.get(j));
    }
    return out;
  }

  private static long[] shape(JsonNode dims) {
    long[] shape = new long[dims.size()];
    for (int k = 0; k < shape.length; k++) {
      shape[k] = dims.get(k).asLong();
    }
    return shape;
  }

  static long elements(long[] shape) {
    return Arrays.stream(shape).reduce(1, Math::multiplyExact);
  }
}
