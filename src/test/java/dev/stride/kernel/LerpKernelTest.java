package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.kernel.KernelHarness.Data;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The lerp kernel (Schedule-Free's switch between y and x) computes its reference's bits, writes
 * only its slice of {@code self} and never writes {@code end}: the parameter as {@code self}, the
 * harness's first state buffer as {@code end}, at Schedule-Free's weights 1 − β and 1 − 1/β.
 */
class LerpKernelTest {

  @Property(tries = 60)
  void vectorMatchesScalarBitForBitAndUpdatesOnlyItsSlice(
      @ForAll("data") Data d, @ForAll("weights") float weight) {
    float[] end = d.state()[0];
    float[] scalar = lerp(KernelHarness.SCALAR, d, weight);
    float[] vector = lerp(KernelHarness.VECTOR, d, weight);
    for (int i = 0; i < d.length(); i++) {
      boolean inside = i >= d.offset() && i < d.offset() + d.count();
      float expected = inside ? d.param()[i] + weight * (end[i] - d.param()[i]) : d.param()[i];
      if (Float.floatToIntBits(scalar[i]) != Float.floatToIntBits(expected)
          || Float.floatToIntBits(vector[i]) != Float.floatToIntBits(expected)) {
        fail(
            String.format(
                "weight %s, %d lanes, element %d (slice [%d, %d)): self %s, end %s;"
                    + " expected %s, scalar %s, vector %s",
                weight,
                KernelHarness.LANES,
                i,
                d.offset(),
                d.offset() + d.count(),
                d.param()[i],
                end[i],
                expected,
                scalar[i],
                vector[i]));
      }
    }
  }

  /** {@code self} after one call; {@code end} must come back unchanged. */
  private static float[] lerp(KernelSet kernels, Data d, float weight) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment self = NativeFloats.of(arena, d.param());
      MemorySegment end = NativeFloats.of(arena, d.state()[0]);
      kernels.get(LerpKernel.class).lerp(self, end, weight, d.offset(), d.count());
      float[] endAfter = NativeFloats.toArray(end);
      for (int i = 0; i < endAfter.length; i++) {
        assertEquals(
            Float.floatToRawIntBits(d.state()[0][i]),
            Float.floatToRawIntBits(endAfter[i]),
            kernels + " wrote end at " + i);
      }
      return NativeFloats.toArray(self);
    }
  }

  @Provide
  Arbitrary<Data> data() {
    return KernelHarness.data();
  }

  /** 1 − β (train) and 1 − 1/β (eval) for β in (0, 1], and 0. */
  @Provide
  Arbitrary<Float> weights() {
    Arbitrary<Double> beta = Arbitraries.doubles().between(0.01, 1).ofScale(10);
    return Arbitraries.oneOf(
        beta.map(b -> (float) (1 - b)), beta.map(b -> (float) (1 - 1 / b)), Arbitraries.just(0f));
  }
}
