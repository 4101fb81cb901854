package dev.stride.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.golden.GoldenTolerance;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.PyTorchOptimizers;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A PyTorch optimizer's state_dict, written by {@code golden/gen_checkpoints.py} (torch 1.13),
 * loads into the Stride optimizer of the same rule and groups, and the steps that follow match
 * PyTorch's within FORMAT.md's tolerance. One test per case, named by its id; {@code
 * -Dstride.golden.dir=DIR} replays that directory's {@code checkpoints.json} instead.
 */
class CheckpointGoldenTest {

  @TestFactory
  Stream<DynamicTest> pytorchCheckpointsLoadAndContinueAsPyTorch() {
    return GoldenFiles.cases("checkpoints.json").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private static void replay(JsonNode c) throws Exception {
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> optimizer = optimizer(c)) {
      List<MemorySegment> values = new ArrayList<>();
      List<MemorySegment> grads = new ArrayList<>();
      JsonNode groups = c.get("groups");
      for (int g = 0; g < groups.size(); g++) {
        for (JsonNode shape : groups.get(g).get("shapes")) {
          MemorySegment value = NativeFloats.allocate(arena, shape.asInt());
          MemorySegment grad = NativeFloats.allocate(arena, shape.asInt());
          optimizer.group(g).add(value, grad);
          values.add(value);
          grads.add(grad);
        }
      }
      Checkpoint.of(optimizer).load(GoldenFiles.file("golden", c.get("file").asText()));

      float[] loaded = concatenated(values);
      JsonNode after = c.get("grads_after");
      float[][] expected = new float[after.size()][];
      float[][] got = new float[after.size()][];
      for (int k = 0; k < after.size(); k++) {
        for (int i = 0; i < grads.size(); i++) {
          NativeFloats.write(grads.get(i), GoldenFiles.floats(after.get(k).get(i)));
        }
        optimizer.step();
        got[k] = concatenated(values);
        List<float[]> parts = new ArrayList<>();
        c.get("expected_f32").get(k).forEach(p -> parts.add(GoldenFiles.floats(p)));
        expected[k] = concatenated(parts.stream().map(a -> MemorySegment.ofArray(a)).toList());
      }
      GoldenTolerance.assertWithin(
          c.get("id").asText()
              + " ("
              + c.get("optimizer").asText()
              + ", "
              + c.get("steps_before")
              + " steps in PyTorch)",
          expected,
          got,
          GoldenTolerance.displacement(loaded, expected),
          k -> "step " + (k + 1) + " after the load");
    }
  }

  /** The case's rule, with a group per case group of its hyperparameters. */
  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> Optimizer<H> optimizer(JsonNode c) {
    String name = c.get("optimizer").asText();
    JsonNode groups = c.get("groups");
    Optimizer<H> optimizer =
        (Optimizer<H>)
            PyTorchOptimizers.create(name, GoldenFiles.kwargs(groups.get(0).get("hyper")));
    for (int g = 1; g < groups.size(); g++) {
      try (Optimizer<H> reader =
          (Optimizer<H>)
              PyTorchOptimizers.create(name, GoldenFiles.kwargs(groups.get(g).get("hyper")))) {
        optimizer.addGroup(reader.group(0).hyperparameters());
      }
    }
    return optimizer;
  }

  private static float[] concatenated(List<MemorySegment> segments) {
    int n = segments.stream().mapToInt(s -> (int) (s.byteSize() / Float.BYTES)).sum();
    float[] out = new float[n];
    int at = 0;
    for (MemorySegment s : segments) {
      float[] a = NativeFloats.toArray(s);
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }
}
