package dev.stride.kernel;

import dev.stride.kernel.KernelHarness.Data;
import dev.stride.kernel.KernelHarness.RuleCase;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What every rule's kernel test checks: over {@link KernelHarness}'s data, for several steps, the
 * vector kernel computes its scalar reference's bits, and updates exactly its slice. A rule's test
 * gives only its cases: one draw of its hyperparameters in every flag combination worth telling
 * apart ({@link #drawCases()}), and, where the rule needs them, its own data ({@link #drawData()}).
 */
abstract class RuleKernelTest {

  @Property(tries = 60)
  void vectorMatchesScalarBitForBit(@ForAll("data") Data d, @ForAll("cases") List<RuleCase> cases) {
    cases.forEach(rule -> KernelHarness.assertVectorMatchesScalar(rule, d));
  }

  @Property(tries = 10)
  void updatesOnlyItsSlice(@ForAll("data") Data d, @ForAll("cases") List<RuleCase> cases) {
    cases.forEach(rule -> KernelHarness.assertOnlySliceWritten(rule, d));
  }

  @Provide
  final Arbitrary<Data> data() {
    return drawData();
  }

  @Provide
  final Arbitrary<List<RuleCase>> cases() {
    return drawCases();
  }

  /** The rule's cases: one draw of its hyperparameters, in each flag combination. */
  abstract Arbitrary<List<RuleCase>> drawCases();

  /** The data the rule steps over: the harness's mix of raw bit patterns and real magnitudes. */
  Arbitrary<Data> drawData() {
    return KernelHarness.data();
  }
}
