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
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The loss scaler follows PyTorch's GradScaler and, where unscaling is exact, changes no bit. */
class LossScalerTest {
  private static final int N = 1000;

  /** The trainer's backward pass: the true gradient times the scale, rounded to float32. */
  private static void backward(MemorySegment grad, float[] trueGrad, float scale) {
    for (int i = 0; i < trueGrad.length; i++) {
      grad.setAtIndex(JAVA_FLOAT, i, trueGrad[i] * scale);
    }
  }

  private static float[] gradient(int step, float magnitude) {
    float[] g = new float[N];
    for (int i = 0; i < N; i++) {
      g[i] = (float) Math.sin(0.1 * i + step) * magnitude;
    }
    return g;
  }

  @Test
  void theScaleBacksOffUntilStepsSucceedThenGrows() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(1e-36))) {
      MemorySegment grad = NativeFloats.allocate(arena, N);
      sgd.add(NativeFloats.allocate(arena, N), grad);
      LossScaler scaler = new LossScaler(sgd, LossScalerOptions.DEFAULTS.withGrowthInterval(3));
      // |g|·scale passes Float.MAX_VALUE (3.4e38) above scale 2^11 for gradients up to 1e35
      List<Float> scales = new ArrayList<>();
      List<Boolean> stepped = new ArrayList<>();
      for (int s = 0; s < 12; s++) {
        scales.add(scaler.scale());
        backward(grad, gradient(s, 1e35f), scaler.scale());
        stepped.add(scaler.step());
      }
      float k = 1 << 11;
      assertEquals(
          List.of(65536f, 32768f, 16384f, 8192f, 4096f, 2048f, k, k, 2 * k, k, k, k), scales);
      assertEquals(
          List.of(false, false, false, false, false, true, true, true, false, true, true, true),
          stepped);
      assertEquals(6, sgd.stepCount(), "skipped steps do not count");
      assertEquals(new LossScaler.State(2 * k, 0), scaler.state(), "grown after three good steps");
    }
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(
            "SGD momentum",
            (Supplier<Optimizer<?>>) () -> new Sgd(SgdOptions.of(0.1).withMomentum(0.9))),
        Arguments.of(
            "Adam",
            (Supplier<Optimizer<?>>) () -> new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01))),
        Arguments.of(
            "AdamW clipped",
            (Supplier<Optimizer<?>>)
                () -> {
                  AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(0.01));
                  adamW.setClipping(Clipping.byNorm(1));
                  return adamW;
                }));
  }

  /**
   * With scales that are powers of two, unscaling is exact: the run is the unscaled run's, bit for
   * bit.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void aScaledRunEqualsTheUnscaledRunToTheBit(String name, Supplier<Optimizer<?>> make) {
    try (Arena arena = Arena.ofConfined();
        Optimizer<?> scaled = make.get();
        Optimizer<?> plain = make.get()) {
      MemorySegment scaledGrad = NativeFloats.allocate(arena, N);
      MemorySegment plainGrad = NativeFloats.allocate(arena, N);
      scaled.add(NativeFloats.of(arena, NativeFloats.ramp(N, -1, 2e-3f)), scaledGrad);
      plain.add(NativeFloats.of(arena, NativeFloats.ramp(N, -1, 2e-3f)), plainGrad);
      LossScaler scaler = new LossScaler(scaled, LossScalerOptions.DEFAULTS.withGrowthInterval(4));
      for (int s = 0; s < 20; s++) {
        float[] g = gradient(s, 0.3f);
        backward(scaledGrad, g, scaler.scale());
        assertTrue(scaler.step());
        backward(plainGrad, g, 1);
        assertTrue(plain.step());
        assertEquals(
            -1,
            OptimizerProbe.parameter(scaled, 0, 0)
                .value
                .mismatch(OptimizerProbe.parameter(plain, 0, 0).value),
            name + ", step " + s);
        for (int k = 0; k < scaled.rule().stateKeys().size(); k++) {
          assertEquals(
              -1,
              OptimizerProbe.parameter(scaled, 0, 0)
                  .state(k)
                  .mismatch(OptimizerProbe.parameter(plain, 0, 0).state(k)),
              name + ", slot " + k);
        }
        assertEquals(plain.lastGradNorm(), scaled.lastGradNorm(), "the unscaled norm");
      }
      assertEquals(65536f * 32, scaler.scale(), "grown every four steps");
    }
  }

  @Test
  void theStateRestores() {
    try (Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      LossScaler scaler = new LossScaler(sgd);
      scaler.restore(new LossScaler.State(1024, 7));
      assertEquals(new LossScaler.State(1024, 7), scaler.state());
      assertThrows(
          IllegalArgumentException.class, () -> scaler.restore(new LossScaler.State(Float.NaN, 0)));
      assertThrows(
          IllegalArgumentException.class, () -> scaler.restore(new LossScaler.State(8, 2000)));
      assertEquals(
          new LossScaler.State(1024, 7), scaler.state(), "a refused state changes nothing");
    }
  }

  static Stream<Arguments> refused() {
    LossScalerOptions d = LossScalerOptions.DEFAULTS;
    return Stream.of(
        Arguments.of("initScale", "0.0", (Executable) () -> d.withInitScale(0)),
        Arguments.of("initScale", "NaN", (Executable) () -> d.withInitScale(Double.NaN)),
        Arguments.of("initScale", "1.0E39", (Executable) () -> d.withInitScale(1e39)),
        Arguments.of("growthFactor", "1.0", (Executable) () -> d.withGrowthFactor(1)),
        Arguments.of("growthFactor", "NaN", (Executable) () -> d.withGrowthFactor(Double.NaN)),
        Arguments.of("backoffFactor", "1.0", (Executable) () -> d.withBackoffFactor(1)),
        Arguments.of("backoffFactor", "0.0", (Executable) () -> d.withBackoffFactor(0)),
        Arguments.of("growthInterval", "0", (Executable) () -> d.withGrowthInterval(0)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("refused")
  void badOptionsAreRefusedByName(String name, String value, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains(value), e.getMessage());
  }
}
