package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.golden.GoldenFiles;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Our optimizers follow PyTorch's trajectories (torch 1.13, {@code golden/FORMAT.md}) through the
 * public API, within FORMAT.md's tolerance. One test per case, named by its id; cases for
 * optimizers not implemented here, or with hyperparameters this mapping does not know, are
 * skipped, never passed. {@code -Dstride.golden.dir=DIR} replays another directory's
 * {@code optimizers.json} through both factories.
 */
class GoldenOptimizerTest {
  /** Accepted and ignored: they choose PyTorch's implementation, not its arithmetic. */
  private static final Set<String> IMPLEMENTATION_CHOICES =
      Set.of("foreach", "differentiable", "capturable", "fused");
  private static final Set<String> SGD_HYPER =
      Set.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize");
  private static final Set<String> ADAM_HYPER =
      Set.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize");

  /** The reference set from PyTorch's own cases (cases_public.py). */
  @TestFactory
  Stream<DynamicTest> followsPyTorchOnReferenceCases() {
    return replay(GoldenFiles.cases("optimizers.json"));
  }

  /** Every flag combination of SGD, Adam and AdamW (golden-extra/cases_optimizers.py). */
  @TestFactory
  Stream<DynamicTest> followsPyTorchOnFlagCombinations() {
    Assumptions.assumeTrue(System.getProperty(GoldenFiles.DIR_PROPERTY) == null,
        "with " + GoldenFiles.DIR_PROPERTY + " set, the reference factory replays that directory");
    return replay(GoldenFiles.cases("golden-extra", "optimizers.json"));
  }

  private static Stream<DynamicTest> replay(List<JsonNode> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
  }

  private static void replay(JsonNode c) {
    float[] init = GoldenFiles.floats(c.get("init"));
    int steps = c.get("steps").asInt();
    try (Arena arena = Arena.ofConfined(); Optimizer<?> optimizer = optimizer(c)) {
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

  /** FORMAT.md: |got - exp| <= 1e-6·max(1, D) + 1e-5·|exp|, D the largest distance from init. */
  private static void assertWithinTolerance(JsonNode c, float[] init, float[][] got) {
    float[][] expected = new float[got.length][];
    double d = 0;
    for (int k = 0; k < got.length; k++) {
      expected[k] = GoldenFiles.floats(c.get("expected_f32").get(k));
      for (int i = 0; i < init.length; i++) {
        d = Math.max(d, Math.abs((double) expected[k][i] - init[i]));
      }
    }
    double absolute = 1e-6 * Math.max(1, d);
    // the element furthest outside its tolerance, as a multiple of it
    double worst = 0;
    String worstAt = null;
    for (int k = 0; k < got.length; k++) {
      for (int i = 0; i < init.length; i++) {
        double exp = expected[k][i];
        double tol = absolute + 1e-5 * Math.abs(exp);
        // equal infinities or two NaNs agree; their difference would not
        boolean same = got[k][i] == exp || (Double.isNaN(exp) && Float.isNaN(got[k][i]));
        double err = same ? 0 : Math.abs((double) got[k][i] - exp);
        double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / tol;
        if (ratio > worst) {
          worst = ratio;
          worstAt = String.format("step %d, element %d: got %s, PyTorch %s, error %.3g, tolerance %.3g"
              + " (%.3gx)", k + 1, i, got[k][i], expected[k][i], err, tol, ratio);
        }
      }
    }
    if (worst > 1) {
      fail(c.get("id").asText() + " (" + c.get("optimizer").asText() + " " + c.get("hyper")
          + ") leaves PyTorch's tolerance; worst at " + worstAt);
    }
  }

  /** PyTorch's class and keyword arguments as ours, with PyTorch's defaults for absent ones. */
  static Optimizer<?> optimizer(JsonNode c) {
    String name = c.get("optimizer").asText();
    JsonNode hyper = c.get("hyper");
    return switch (name) {
      case "SGD" -> {
        Hyper h = new Hyper(name, hyper, SGD_HYPER);
        if (!hyper.has("lr")) {
          // torch 1.13's SGD has no default lr: such a case cannot come from the format's PyTorch
          fail("SGD case without lr: torch 1.13 requires one");
        }
        yield new Sgd(new SgdOptions(h.number("lr", 0), h.number("momentum", 0),
            h.number("dampening", 0), h.number("weight_decay", 0), h.bool("nesterov", false),
            h.bool("maximize", false)));
      }
      case "Adam" -> new Adam(adamOptions(new Hyper(name, hyper, ADAM_HYPER), AdamOptions.ADAM_DEFAULTS));
      case "AdamW" ->
          new AdamW(adamOptions(new Hyper(name, hyper, ADAM_HYPER), AdamOptions.ADAMW_DEFAULTS));
      default -> {
        Assumptions.abort(name + " is not implemented yet");
        throw new AssertionError("unreachable");
      }
    };
  }

  private static AdamOptions adamOptions(Hyper h, AdamOptions defaults) {
    double[] betas = h.pair("betas", defaults.beta1(), defaults.beta2());
    return new AdamOptions(h.number("lr", defaults.lr()), betas[0], betas[1],
        h.number("eps", defaults.eps()), h.number("weight_decay", defaults.weightDecay()),
        h.bool("amsgrad", defaults.amsgrad()), h.bool("maximize", defaults.maximize()));
  }

  /** A case's {@code hyper} object; a name we do not know skips the case rather than pass it. */
  private record Hyper(JsonNode json) {
    Hyper(String optimizer, JsonNode json, Set<String> known) {
      this(json);
      List<String> unknown = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
        String key = it.next().getKey();
        if (!known.contains(key) && !IMPLEMENTATION_CHOICES.contains(key)) {
          unknown.add(key);
        }
      }
      Assumptions.assumeTrue(unknown.isEmpty(),
          () -> optimizer + " hyperparameters " + unknown + " are not supported");
    }

    double number(String name, double absent) {
      JsonNode v = json.get(name);
      return v == null || v.isNull() ? absent : v.asDouble();
    }

    boolean bool(String name, boolean absent) {
      JsonNode v = json.get(name);
      return v == null || v.isNull() ? absent : v.asBoolean();
    }

    double[] pair(String name, double first, double second) {
      JsonNode v = json.get(name);
      if (v == null || v.isNull()) {
        return new double[] {first, second};
      }
      if (!v.isArray() || v.size() != 2) {
        fail(name + " must be a list of two numbers, got " + v);
      }
      return new double[] {v.get(0).asDouble(), v.get(1).asDouble()};
    }
  }
}
