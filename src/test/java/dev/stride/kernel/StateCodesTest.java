package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The codes of low-precision state are the references' exactly: the four maps as lowbit.json lists
 * them, and every quantizer vector of its {@code quantizers} (torchao's 8-bit, 4-bit and FP8 rules,
 * bitsandbytes' with its sign fix, bfloat16 rounded to nearest even and stochastically), which hold
 * every map value, every tie and midpoint and their float32 neighbours.
 */
class StateCodesTest {
  private static final JsonNode LOWBIT = GoldenFiles.root("golden", "lowbit.json");

  private static final Map<String, float[]> MAPS =
      Map.of(
          "dynamic8_signed", StateCodes.DYNAMIC8_SIGNED,
          "dynamic8_unsigned", StateCodes.DYNAMIC8_UNSIGNED,
          "dynamic4_signed", StateCodes.DYNAMIC4_SIGNED,
          "linear4_unsigned", StateCodes.LINEAR4_UNSIGNED);

  @TestFactory
  Stream<DynamicTest> mapsAreTheListedOnes() {
    List<DynamicTest> tests = new ArrayList<>();
    LOWBIT
        .get("meta")
        .get("qmaps")
        .fields()
        .forEachRemaining(
            e ->
                tests.add(
                    DynamicTest.dynamicTest(
                        e.getKey(),
                        () ->
                            assertArrayEquals(
                                GoldenFiles.floats(e.getValue()),
                                MAPS.get(e.getKey()),
                                e.getKey()))));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> quantizerVectorsGiveTheReferenceCodes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode v : LOWBIT.get("quantizers")) {
      String rule = v.get("rule").asText();
      JsonNode map = v.get("map");
      String name = rule + (map == null || map.isNull() ? "" : " " + map.asText());
      tests.add(DynamicTest.dynamicTest(name, () -> check(rule, v)));
    }
    return tests.stream();
  }

  private static void check(String rule, JsonNode v) {
    float[] input = GoldenFiles.floats(v.get("input"));
    switch (rule) {
      case "bf16-rne" -> {
        float[] expected = GoldenFiles.floats(v.get("output"));
        for (int i = 0; i < input.length; i++) {
          assertBits(expected[i], StateCodes.bf16ToFloat(StateCodes.bf16Nearest(input[i])), i);
        }
      }
      case "bf16-sr" -> {
        float[] expected = GoldenFiles.floats(v.get("output"));
        int[] noise = GoldenFiles.ints(v.get("noise"));
        for (int i = 0; i < input.length; i++) {
          float got = StateCodes.bf16ToFloat(StateCodes.bf16Stochastic(input[i], noise[i]));
          assertBits(expected[i], got, i);
        }
      }
      default -> checkBlocks(format(rule, v.get("map").asText()), v, input);
    }
  }

  /** Each block's scale from its largest |y|, then each element's code, as a step stores them. */
  private static void checkBlocks(StateFormat format, JsonNode v, float[] input) {
    int block = v.get("block_size").asInt();
    int[] codes = GoldenFiles.ints(v.get("codes"));
    float[] scales = GoldenFiles.floats(v.get("scale"));
    CodeTable table = CodeTable.of(format);
    for (int b = 0, start = 0; start < input.length; b++, start += block) {
      int end = Math.min(start + block, input.length);
      float absMax = 0;
      for (int i = start; i < end; i++) {
        absMax = Math.max(absMax, Math.abs(input[i]));
      }
      float scale = format.scale(absMax);
      assertBits(scales[b], scale, b);
      for (int i = start; i < end; i++) {
        int code = format.encode(input[i], scale);
        if (code != codes[i]) {
          fail(format + ": element " + i + " = " + input[i] + " got " + code + ", not " + codes[i]);
        }
        float x = input[i] / scale;
        if (!Float.isNaN(x)) {
          assertEquals(code, table.code(x), format + "'s table at element " + i + " = " + x);
        }
      }
    }
  }

  private static StateFormat format(String rule, String map) {
    boolean signed = map.endsWith("_signed");
    return switch (rule) {
      case "torchao-q8" -> signed ? StateFormat.Q8_SIGNED : StateFormat.Q8_UNSIGNED;
      case "torchao-q4" -> signed ? StateFormat.Q4_SIGNED : StateFormat.Q4_UNSIGNED;
      case "torchao-fp8" -> StateFormat.FP8;
      case "bitsandbytes-8bit" -> signed ? StateFormat.BNB8_SIGNED : StateFormat.BNB8_UNSIGNED;
      default -> throw new IllegalArgumentException("no format for quantizer rule " + rule);
    };
  }

  @Test
  void float8ValuesRoundTrip() {
    for (int c = 0; c < 256; c++) {
      float value = StateCodes.E4M3_VALUES[c];
      if (!Float.isNaN(value)) {
        assertEquals(c, StateCodes.e4m3(value), "float8 code " + c + " = " + value);
      } else {
        assertEquals(0x7F, StateCodes.e4m3(value) & 0x7F, "NaN code " + c);
      }
    }
  }

  private static void assertBits(float expected, float got, int i) {
    if (Float.floatToIntBits(expected) != Float.floatToIntBits(got)) {
      fail("element " + i + ": got " + got + ", not " + expected);
    }
  }
}
