package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Buffers;
import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.KernelCase;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The averaging kernel's vector form computes its reference's bits and writes exactly its slice.
 * The harness's {@code param} buffer is the average, and each step's {@code grad} the parameter's
 * value folded in; the first fold (n = 0) copies.
 */
class AveragingKernelTest {

  /** EMA of {@code decay} (SWA if {@code mean}), {@code before} values folded in before step 0. */
  record AveragingCase(boolean mean, double decay, long before) implements KernelCase {
    @Override
    public void step(KernelSet kernels, Buffers b, Data d, int s) {
      AveragingKernel.Coefficients c = new AveragingKernel.Coefficients();
      kernels
          .get(AveragingKernel.class)
          .update(
              mean ? c.swa(before + s) : c.ema(decay, before + s),
              b.param,
              b.grad,
              d.offset(),
              d.count());
    }

    @Override
    public boolean usesState(int k) {
      return false;
    }
  }

  static List<KernelCase> cases(double decay) {
    List<KernelCase> cases = new ArrayList<>();
    // 2^24 + 1 values so far: n + 1 is no longer a float exactly
    for (long before : new long[] {0, 1, 7, (1L << 24) + 1}) {
      cases.add(new AveragingCase(false, decay, before));
      cases.add(new AveragingCase(true, 0, before));
    }
    return cases;
  }

  @Property(tries = 60)
  void vectorMatchesScalarBitForBit(@ForAll("data") Data d, @ForAll("decay") double decay) {
    cases(decay).forEach(c -> KernelHarness.assertVectorMatchesScalar(c, d));
  }

  @Property(tries = 15)
  void updatesOnlyItsSlice(@ForAll("data") Data d, @ForAll("decay") double decay) {
    cases(decay).forEach(c -> KernelHarness.assertOnlySliceWritten(c, d));
  }

  @Provide
  Arbitrary<Data> data() {
    return KernelHarness.data();
  }

  @Provide
  Arbitrary<Double> decay() {
    return Arbitraries.oneOf(
        Arbitraries.of(0.0, 0.9, 0.999, 0.9999, 1.0),
        Arbitraries.doubles().between(0, 1).ofScale(12));
  }
}
