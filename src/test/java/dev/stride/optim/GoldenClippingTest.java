package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Clipping follows PyTorch's {@code clip_grad_norm_} and {@code clip_grad_value_} (torch 1.13,
 * {@code golden/clipping.json}) within FORMAT.md's tolerance, both ways Stride clips: rewriting the
 * gradients ({@link GradientClipping}) and inside a step ({@link Optimizer#setClipping}), read back
 * as the step of SGD at rate 1 from zero, which moves each parameter by exactly minus its clipped
 * gradient. One test per case and way, named by the case's id. {@code -Dstride.golden.dir=DIR}
 * replays another directory's {@code clipping.json}.
 */
class GoldenClippingTest {

  @TestFactory
  Stream<DynamicTest> followsPyTorchRewritingTheGradients() {
    return cases().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> inPlace(c)));
  }

  @TestFactory
  Stream<DynamicTest> followsPyTorchInsideTheStep() {
    return cases().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> inStep(c)));
  }

  /**
   * The reference set, then {@code golden-extra/cases_clipping.py}'s unless another directory is
   * replayed.
   */
  private static Stream<JsonNode> cases() {
    Stream<JsonNode> reference = GoldenFiles.cases("clipping.json").stream();
    return System.getProperty(GoldenFiles.DIR_PROPERTY) != null
        ? reference
        : Stream.concat(reference, GoldenFiles.cases("golden-extra", "clipping.json").stream());
  }

  private static void inPlace(JsonNode c) {
    try (Arena arena = Arena.ofConfined()) {
      List<MemorySegment> grads = grads(arena, c);
      JsonNode args = c.get("args");
      if (c.get("kind").asText().equals("value")) {
        GradientClipping.clipGradValue(grads, args.get("clip_value").asDouble());
        assertGradients(c, grads);
        return;
      }
      double maxNorm = args.get("max_norm").asDouble();
      double normType = normType(args);
      boolean error = args.path("error_if_nonfinite").asBoolean(false);
      if (c.has("error")) {
        NativeFloats.Snapshot before = NativeFloats.snapshot(grads.toArray(MemorySegment[]::new));
        assertThrows(
            NonFiniteNormException.class,
            () -> GradientClipping.clipGradNorm(grads, maxNorm, normType, error));
        before.assertUnchanged(c.get("id").asText() + ": gradients after the error");
        return;
      }
      double total = GradientClipping.clipGradNorm(grads, maxNorm, normType, error);
      assertClose(c, "total_norm", c.get("total_norm").asDouble(), total);
      assertGradients(c, grads);
    }
  }

  private static void inStep(JsonNode c) {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1))) {
      List<MemorySegment> grads = grads(arena, c);
      List<MemorySegment> values = new ArrayList<>();
      for (MemorySegment g : grads) {
        MemorySegment value = NativeFloats.allocate(arena, g.byteSize() / Float.BYTES);
        sgd.add(value, g);
        values.add(value);
      }
      JsonNode args = c.get("args");
      sgd.setClipping(
          c.get("kind").asText().equals("value")
              ? Clipping.byValue(args.get("clip_value").asDouble())
              : new Clipping.ByNorm(
                  args.get("max_norm").asDouble(),
                  normType(args),
                  args.path("error_if_nonfinite").asBoolean(false)));
      NativeFloats.Snapshot before = OptimizerProbe.snapshot(sgd);
      NativeFloats.Snapshot gradsBefore =
          NativeFloats.snapshot(grads.toArray(MemorySegment[]::new));
      if (c.has("error")) {
        assertThrows(NonFiniteNormException.class, sgd::step);
        before.assertUnchanged(c.get("id").asText() + ": nothing steps after the error");
        assertEquals(0, sgd.stepCount());
        return;
      }
      assertTrue(sgd.step());
      gradsBefore.assertUnchanged(c.get("id").asText() + ": the step reads the gradients only");
      if (c.has("total_norm")) {
        assertClose(c, "total_norm", c.get("total_norm").asDouble(), sgd.lastGradNorm());
      }
      List<MemorySegment> stepped = new ArrayList<>();
      for (MemorySegment v : values) {
        float[] moved = NativeFloats.toArray(v);
        for (int i = 0; i < moved.length; i++) {
          moved[i] = -moved[i];
        }
        stepped.add(NativeFloats.of(arena, moved));
      }
      assertGradients(c, stepped);
    }
  }

  private static double normType(JsonNode args) {
    JsonNode n = args.get("norm_type");
    return n == null
        ? 2
        : n.isTextual() && n.asText().equals("inf") ? Double.POSITIVE_INFINITY : n.asDouble();
  }

  private static List<MemorySegment> grads(Arena arena, JsonNode c) {
    List<MemorySegment> grads = new ArrayList<>();
    for (JsonNode g : c.get("grads")) {
      grads.add(NativeFloats.of(arena, GoldenFiles.floats(g)));
    }
    return grads;
  }

  /** FORMAT.md: |got − expected| ≤ 1e-5·|expected|; 0 and −0 agree, NaN only with NaN. */
  private static void assertGradients(JsonNode c, List<MemorySegment> got) {
    JsonNode expected = c.get("expected");
    for (int t = 0; t < got.size(); t++) {
      float[] e = GoldenFiles.floats(expected.get(t));
      float[] a = NativeFloats.toArray(got.get(t));
      for (int i = 0; i < e.length; i++) {
        assertClose(c, "tensor " + t + " element " + i, e[i], a[i]);
      }
    }
  }

  private static void assertClose(JsonNode c, String what, double expected, double got) {
    boolean same = expected == got || (Double.isNaN(expected) && Double.isNaN(got));
    if (!same && !(Math.abs(got - expected) <= 1e-5 * Math.abs(expected))) {
      fail(
          c.get("id").asText()
              + " "
              + c.get("args")
              + ": "
              + what
              + " is "
              + got
              + ", PyTorch "
              + expected);
    }
  }
}
