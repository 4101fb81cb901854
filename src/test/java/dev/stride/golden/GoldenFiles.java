package dev.stride.golden;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch reference files described in {@code golden/FORMAT.md}: the copy in the test
 * resources, or the directory named by {@code -Dstride.golden.dir=DIR}, which holds files of the
 * same format.
 */
public final class GoldenFiles {
  public static final String DIR_PROPERTY = "stride.golden.dir";

  private GoldenFiles() {}

  /** The cases of {@code name} ({@code optimizers.json} or {@code schedules.json}). */
  public static List<JsonNode> cases(String name) {
    return cases("golden", name);
  }

  /**
   * The cases of {@code name} in the test resource folder {@code resourceDir}, or in the directory
   * named by {@value #DIR_PROPERTY} when that is set: the reference set ({@code golden}) and any
   * further set generated with the same script replay through the same tests.
   */
  public static List<JsonNode> cases(String resourceDir, String name) {
    JsonNode root = root(resourceDir, name);
    JsonNode cases = root.get("cases");
    if (cases == null || !cases.isArray()) {
      throw new IllegalStateException(name + " has no \"cases\" array");
    }
    List<JsonNode> list = new ArrayList<>();
    cases.forEach(list::add);
    return list;
  }

  /**
   * The whole of {@code name} in {@code resourceDir} (or {@value #DIR_PROPERTY}): for files with
   * more than cases, such as {@code lowbit.json}'s maps and quantizer vectors.
   */
  public static JsonNode root(String resourceDir, String name) {
    // Python's json.dump writes NaN and Infinity as bare words.
    ObjectMapper json =
        JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    String dir = System.getProperty(DIR_PROPERTY);
    try {
      if (dir != null && !dir.isBlank()) {
        Path file = Path.of(dir).resolve(name);
        if (!Files.isRegularFile(file)) {
          throw new IllegalStateException(DIR_PROPERTY + "=" + dir + " has no file " + name);
        }
        return json.readTree(file.toFile());
      }
      try (InputStream in = GoldenFiles.class.getResourceAsStream("/" + resourceDir + "/" + name)) {
        if (in == null) {
          throw new IllegalStateException(
              "test resource /" + resourceDir + "/" + name + " is missing");
        }
        return json.readTree(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read golden file " + name, e);
    }
  }

  /**
   * A file beside {@code resourceDir}'s JSON files ({@code checkpoints/ID.safetensors}), in the
   * directory named by {@value #DIR_PROPERTY} when that is set.
   */
  public static Path file(String resourceDir, String relative) {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir).resolve(relative);
    }
    java.net.URL url = GoldenFiles.class.getResource("/" + resourceDir + "/" + relative);
    if (url == null) {
      throw new IllegalStateException(
          "test resource /" + resourceDir + "/" + relative + " is missing");
    }
    try {
      return Path.of(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JSON array of numbers as float32, exactly as FORMAT.md prescribes. */
  public static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  /** A JSON array of arrays of numbers (a trajectory: one row per step) as float32. */
  public static float[][] rows(JsonNode arrays) {
    float[][] out = new float[arrays.size()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = floats(arrays.get(k));
    }
    return out;
  }

  /** A JSON object of keyword arguments as a map of numbers, booleans, strings and lists. */
  @SuppressWarnings("unchecked")
  public static java.util.Map<String, Object> kwargs(JsonNode hyper) {
    return hyper == null
        ? java.util.Map.of()
        : new ObjectMapper().convertValue(hyper, java.util.LinkedHashMap.class);
  }

  /** A JSON array of whole numbers, such as a case's {@code shapes}. */
  public static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /** A JSON array of numbers as doubles. */
  public static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }
}
