package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clipping inside the step gives the bits of clipping the gradients first and then stepping, for
 * every rule, and covers exactly the groups it is set for; bad arguments are refused by name.
 */
class ClippingTest {
  private static final int[] LENGTHS = {300, 17, 40_000};

  static Stream<Arguments> rulesAndClippings() {
    List<Arguments> out = new ArrayList<>();
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      for (Clipping c :
          List.of(
              Clipping.byNorm(0.5),
              Clipping.byNorm(3, 1),
              Clipping.byNorm(0.01, Double.POSITIVE_INFINITY),
              Clipping.byNorm(1, 3),
              Clipping.byValue(0.02))) {
        out.add(Arguments.of(rule, c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("rulesAndClippings")
  void clippingInsideTheStepEqualsClippingTheGradientsFirst(RuleCatalog.Config rule, Clipping c) {
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> fused = rule.make();
        Optimizer<?> separate = rule.make()) {
      List<MemorySegment> fusedGrads = register(arena, fused);
      List<MemorySegment> separateGrads = register(arena, separate);
      fused.setClipping(c);
      for (int s = 0; s < 3; s++) {
        fill(fusedGrads, s);
        fill(separateGrads, s);
        fused.step();
        if (c instanceof Clipping.ByNorm n) {
          double total =
              GradientClipping.clipGradNorm(separateGrads, n.maxNorm(), n.normType(), false);
          assertEquals(total, fused.lastGradNorm(), "the norm the step reports, step " + s);
        } else {
          GradientClipping.clipGradValue(separateGrads, ((Clipping.ByValue) c).clipValue());
        }
        separate.step();
        for (int k = 0; k < LENGTHS.length; k++) {
          assertEquals(
              -1,
              OptimizerProbe.parameter(fused, 0, k)
                  .value
                  .mismatch(OptimizerProbe.parameter(separate, 0, k).value),
              "tensor " + k + ", step " + s);
        }
      }
    }
  }

  @Test
  void clippingCoversOnlyTheGroupsItIsSetFor() {
    try (Arena arena = Arena.ofConfined();
        Sgd clipped = new Sgd(SgdOptions.of(1));
        Sgd reference = new Sgd(SgdOptions.of(1))) {
      List<MemorySegment> grads = new ArrayList<>();
      List<MemorySegment> referenceGrads = new ArrayList<>();
      for (Sgd sgd : List.of(clipped, reference)) {
        sgd.addGroup(SgdOptions.of(1));
        for (int g = 0; g < 2; g++) {
          MemorySegment grad = NativeFloats.of(arena, NativeFloats.ramp(50, 1 + g, 0.5f));
          sgd.group(g).add(NativeFloats.allocate(arena, 50), grad);
          (sgd == clipped ? grads : referenceGrads).add(grad);
        }
      }
      clipped.setClipping(Clipping.byNorm(1), List.of(clipped.group(1)));
      clipped.step();
      double norm = GradientClipping.clipGradNorm(List.of(referenceGrads.get(1)), 1);
      reference.step();
      assertEquals(norm, clipped.lastGradNorm(), "the norm of group 1 alone");
      for (int g = 0; g < 2; g++) {
        assertEquals(
            -1,
            OptimizerProbe.parameter(clipped, g, 0)
                .value
                .mismatch(OptimizerProbe.parameter(reference, g, 0).value),
            "group " + g);
      }
      assertEquals(
          -1f,
          OptimizerProbe.parameter(clipped, 0, 0).value.getAtIndex(JAVA_FLOAT, 0),
          "group 0 moves by its whole gradient, 1");
    }
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("maxNorm", "-1.0", (Executable) () -> Clipping.byNorm(-1)),
        Arguments.of("maxNorm", "NaN", (Executable) () -> Clipping.byNorm(Double.NaN)),
        Arguments.of("normType", "0.0", (Executable) () -> Clipping.byNorm(1, 0)),
        Arguments.of("normType", "-2.0", (Executable) () -> Clipping.byNorm(1, -2)),
        Arguments.of("normType", "NaN", (Executable) () -> Clipping.byNorm(1, Double.NaN)),
        Arguments.of("clipValue", "-0.5", (Executable) () -> Clipping.byValue(-0.5)),
        Arguments.of("clipValue", "NaN", (Executable) () -> Clipping.byValue(Double.NaN)),
        Arguments.of(
            "grads", "none", (Executable) () -> GradientClipping.clipGradNorm(List.of(), 1)),
        Arguments.of(
            "grads", "none", (Executable) () -> GradientClipping.clipGradValue(List.of(), 1)),
        Arguments.of(
            "groups",
            "none",
            (Executable)
                () -> {
                  try (Sgd sgd = new Sgd(SgdOptions.of(1))) {
                    sgd.setClipping(Clipping.byNorm(1), List.of());
                  }
                }),
        Arguments.of(
            "group 0",
            "another optimizer",
            (Executable)
                () -> {
                  try (Sgd sgd = new Sgd(SgdOptions.of(1));
                      Sgd other = new Sgd(SgdOptions.of(1))) {
                    sgd.setClipping(Clipping.byNorm(1), List.of(other.group(0)));
                  }
                }));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("refused")
  void badArgumentsAreRefusedByName(String name, String value, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains(value), e.getMessage());
  }

  @Test
  void aRefusedSetClippingKeepsTheClippingThatWasSet() {
    try (Sgd sgd = new Sgd(SgdOptions.of(1))) {
      sgd.setClipping(Clipping.byValue(1));
      assertThrows(
          IllegalArgumentException.class, () -> sgd.setClipping(Clipping.byNorm(1), List.of()));
      assertEquals(Clipping.byValue(1), sgd.clipping());
    }
  }

  private static List<MemorySegment> register(Arena arena, Optimizer<?> o) {
    List<MemorySegment> grads = new ArrayList<>();
    for (int k = 0; k < LENGTHS.length; k++) {
      MemorySegment grad = NativeFloats.allocate(arena, LENGTHS[k]);
      RuleCatalog.add(
          o, 0, NativeFloats.of(arena, NativeFloats.ramp(LENGTHS[k], -1 + k, 1e-4f)), grad);
      grads.add(grad);
    }
    return grads;
  }

  private static void fill(List<MemorySegment> grads, int step) {
    for (int k = 0; k < grads.size(); k++) {
      MemorySegment g = grads.get(k);
      for (long i = 0; i < g.byteSize() / Float.BYTES; i++) {
        g.setAtIndex(JAVA_FLOAT, i, (float) Math.sin(0.37 * i + k + step) * (k + 1));
      }
    }
  }
}
