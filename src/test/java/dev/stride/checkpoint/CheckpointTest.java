package dev.stride.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.LossScaler;
import dev.stride.optim.LossScalerOptions;
import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.optim.WeightAverage;
import dev.stride.testing.NativeFloats;
import dev.stride.training.EarlyStopping;
import dev.stride.training.Mode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Stride checkpoint holds, under which names, and the options that change it. */
class CheckpointTest {
  private final Arena arena = Arena.ofConfined();
  @TempDir Path dir;

  @AfterEach
  void close() {
    arena.close();
  }

  private AdamW adamw() {
    AdamW adamw = new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(0.01));
    adamw.add(NativeFloats.of(arena, 1f, 2f, 3f), NativeFloats.of(arena, 0.5f, -0.5f, 1f));
    adamw
        .addGroup(AdamOptions.ADAMW_DEFAULTS.withWeightDecay(0).withAmsgrad(true))
        .add(NativeFloats.of(arena, -1f, 4f), NativeFloats.of(arena, 1f, 2f));
    adamw.group(1).setL1(0.25);
    return adamw;
  }

  /** The header of a safetensors file, parsed. */
  private static JsonNode header(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, n % 8, "the data starts 8-byte aligned");
    return new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
  }

  @Test
  void theFileHasPyTorchsNamesAndStridesMetadata() throws IOException {
    try (AdamW adamw = adamw();
        WeightAverage swa = WeightAverage.swa(adamw)) {
      adamw.step();
      swa.update();
      Path file = dir.resolve("run.safetensors");
      Checkpoint.of(adamw).with("swa", CheckpointPart.of(swa)).save(file);
      JsonNode h = header(file);
      List<String> names = new ArrayList<>();
      h.fieldNames().forEachRemaining(names::add);
      assertEquals(
          List.of(
              "__metadata__",
              "param.0",
              "state.0.exp_avg",
              "state.0.exp_avg_sq",
              "state.0.step",
              "param.1",
              "state.1.exp_avg",
              "state.1.exp_avg_sq",
              "state.1.max_exp_avg_sq",
              "state.1.step",
              "swa.0",
              "swa.1"),
          names);
      assertEquals("F32", h.get("state.0.step").get("dtype").asText());
      assertEquals("[1]", h.get("state.0.step").get("shape").toString());
      assertEquals("[3]", h.get("state.0.exp_avg").get("shape").toString());
      JsonNode meta = h.get("__metadata__");
      assertEquals(Checkpoint.FORMAT, meta.get("format").asText());
      assertEquals("AdamW", meta.get("optimizer").asText());
      ObjectMapper json = new ObjectMapper();
      JsonNode groups = json.readTree(meta.get("param_groups").asText());
      assertEquals("[0.9,0.999]", groups.get(0).get("betas").toString());
      assertEquals("[1]", groups.get(1).get("params").toString());
      assertEquals(0.01, groups.get(0).get("weight_decay").asDouble());
      JsonNode stride = json.readTree(meta.get("stride").asText());
      assertEquals("{\"version\":1,\"step_count\":1,\"l1\":[0.0,0.25]}", stride.toString());
      assertEquals(
          "{\"kind\":\"swa\",\"decay\":0.0,\"every\":1,\"updates\":1,\"last_fold\":1}",
          json.readTree(meta.get("stride.part.swa").asText()).toString());
      assertEquals(names.size() - 1, json.readTree(meta.get("stride.crc32c").asText()).size());
      assertTrue(meta.get("stride.header_crc32c").asText().matches("[0-9a-f]{8}"));
    }
  }

  @Test
  void sgdsStepCountsGoInStridesMetadataSincePyTorchKeepsNone() throws IOException {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1).withMomentum(0.9))) {
      sgd.add(NativeFloats.of(arena, 1f), NativeFloats.of(arena, 1f));
      sgd.step();
      sgd.step();
      Path file = dir.resolve("sgd.safetensors");
      Checkpoint.of(sgd).save(file);
      JsonNode h = header(file);
      assertTrue(h.get("state.0.step") == null);
      assertEquals(
          "[2]",
          new ObjectMapper()
              .readTree(h.get("__metadata__").get("stride").asText())
              .get("steps")
              .toString());
    }
  }

  @Test
  void withoutValuesTheParametersStayTheCallers() throws IOException {
    try (AdamW saved = adamw();
        AdamW loaded = adamw()) {
      saved.step();
      Path file = dir.resolve("state-only.safetensors");
      Checkpoint.of(saved).values(false).save(file);
      assertTrue(header(file).get("param.0") == null);
      float[] before = NativeFloats.toArray(valueOf(loaded));
      Checkpoint.of(loaded).load(file);
      assertArrayEquals(before, NativeFloats.toArray(valueOf(loaded)));
      assertEquals(1, loaded.stepCount());
      // a file with values, loaded without them, leaves them as well
      Checkpoint.of(saved).save(file);
      Checkpoint.of(loaded).values(false).load(file);
      assertArrayEquals(before, NativeFloats.toArray(valueOf(loaded)));
    }
  }

  private static MemorySegment valueOf(AdamW adamw) {
    return adamw.stateDict().parameters().get(0).value();
  }

  @Test
  void aSaveReplacesTheFileBeforeIt() throws IOException {
    try (AdamW adamw = adamw()) {
      Path file = dir.resolve("run.safetensors");
      Checkpoint run = Checkpoint.of(adamw);
      run.save(file);
      adamw.step();
      run.save(file);
      try (AdamW loaded = adamw()) {
        Checkpoint.of(loaded).load(file);
        assertEquals(1, loaded.stepCount());
      }
      try (var files = Files.list(dir)) {
        assertEquals(List.of(file), files.toList());
      }
    }
  }

  @Test
  void aWeightAverageOfAnotherDecayIsRefused() throws IOException {
    try (AdamW adamw = adamw();
        WeightAverage ema = WeightAverage.ema(adamw, 0.99);
        WeightAverage other = WeightAverage.ema(adamw, 0.999)) {
      Path file = dir.resolve("ema.safetensors");
      Checkpoint.of(adamw).with("ema", CheckpointPart.of(ema)).save(file);
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.of(adamw).with("ema", CheckpointPart.of(other)).load(file));
      assertTrue(
          e.getMessage()
              .contains(
                  "part ema: it was saved from a ema of decay 0.99 every 1 steps;"
                      + " this average is a ema of decay 0.999 every 1"),
          e.getMessage());
    }
  }

  @Test
  void aLossScalersStateGoesWithTheRunAndABadOneChangesNothing() throws IOException {
    LossScalerOptions options = LossScalerOptions.DEFAULTS.withGrowthInterval(3);
    try (AdamW adamw = adamw();
        AdamW resumed = adamw()) {
      LossScaler scaler = new LossScaler(adamw, options);
      for (int s = 0; s < 5; s++) {
        scaler.step();
      }
      Path file = dir.resolve("scaled.safetensors");
      Checkpoint.of(adamw).with("scaler", CheckpointPart.of(scaler)).save(file);
      LossScaler fresh = new LossScaler(resumed, options);
      Checkpoint.of(resumed).with("scaler", CheckpointPart.of(fresh)).load(file);
      assertEquals(scaler.state(), fresh.state());
      assertEquals(5, resumed.stepCount());

      // the same file read by a scaler whose growth interval its count of good steps exceeds
      LossScaler shorter = new LossScaler(resumed, options.withGrowthInterval(2));
      CheckpointRefusalTest.Unchanged unchanged = new CheckpointRefusalTest.Unchanged(resumed);
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.of(resumed).with("scaler", CheckpointPart.of(shorter)).load(file));
      assertTrue(
          e.getMessage()
              .contains("part scaler: goodSteps must be in [0, growthInterval = 2), got 2"),
          e.getMessage());
      assertEquals((float) options.initScale(), shorter.scale());
      unchanged.check();
    }
  }

  @Test
  void bestWeightsKeptInAFileSurviveAResume() throws IOException {
    Path best = dir.resolve("best.safetensors");
    try (AdamW adamw = adamw()) {
      EarlyStopping stop =
          EarlyStopping.builder(Mode.MIN)
              .patience(1)
              .restoreBestWeights(Checkpoint.of(adamw).asBestWeights(best))
              .build();
      adamw.step();
      stop.observe(1.0);
      adamw.step();
      stop.observe(2.0);
      assertTrue(Files.exists(best));
    }
    try (AdamW resumed = adamw()) {
      EarlyStopping stop =
          EarlyStopping.builder(Mode.MIN)
              .patience(1)
              .restoreBestWeights(Checkpoint.of(resumed).asBestWeights(best))
              .build();
      stop.restore(new EarlyStopping.State(2, 1, 1.0, 0, 1, true));
      assertTrue(stop.end());
      assertEquals(1, resumed.stepCount(), "the best epoch's optimizer, one step in");
    }
  }
}
