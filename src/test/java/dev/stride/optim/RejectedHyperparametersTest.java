package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hyperparameters PyTorch rejects (and NaN or infinite ones) are refused with a message that
 * names the argument and the value, and a refused change leaves a running optimizer as it was.
 */
class RejectedHyperparametersTest {
  private static final double[] NOT_NON_NEGATIVE = {-1e-4, -1, Double.NaN,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private static final double[] NOT_IN_UNIT_INTERVAL = {-0.1, 1, 1.5, Double.NaN,
      Double.POSITIVE_INFINITY};

  static Stream<Arguments> rejected() {
    List<Arguments> cases = new ArrayList<>();
    SgdOptions sgd = SgdOptions.of(0.1);
    AdamOptions adam = AdamOptions.ADAM_DEFAULTS;
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("lr", v, () -> SgdOptions.of(v)));
      cases.add(rejects("momentum", v, () -> sgd.withMomentum(v)));
      cases.add(rejects("dampening", v, () -> sgd.withDampening(v)));
      cases.add(rejects("weightDecay", v, () -> sgd.withWeightDecay(v)));
      cases.add(rejects("lr", v, () -> adam.withLr(v)));
      cases.add(rejects("eps", v, () -> adam.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> adam.withWeightDecay(v)));
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta1", v, () -> adam.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> adam.withBetas(0.9, v)));
    }
    LambOptions lamb = LambOptions.DEFAULTS;
    LarsOptions lars = LarsOptions.of(0.1);
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("eps", v, () -> lamb.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> lamb.withWeightDecay(v)));
      cases.add(rejects("clampValue", v, () -> lamb.withClampValue(v)));
      cases.add(rejects("lr", v, () -> LarsOptions.of(v)));
      cases.add(rejects("weightDecay", v, () -> lars.withWeightDecay(v)));
      cases.add(rejects("momentum", v, () -> lars.withMomentum(v)));
      cases.add(rejects("eta", v, () -> lars.withEta(v)));
    }
    for (double v : new double[] {0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("lr", v, () -> lamb.withLr(v))); // the reference: lr > 0
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta1", v, () -> lamb.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> lamb.withBetas(0.9, v)));
    }
    // PyTorch: "Nesterov momentum requires a momentum and zero dampening"
    cases.add(rejects("momentum", 0.0, () -> new SgdOptions(0.1, 0, 0, 0, true, false)));
    cases.add(rejects("dampening", 0.1, () -> new SgdOptions(0.1, 0.9, 0.1, 0, true, false)));
    addNAdamRAdamAsgdRprop(cases);
    return cases.stream();
  }

  private static final double[] NOT_FINITE = {Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY};

  private static void addNAdamRAdamAsgdRprop(List<Arguments> cases) {
    NAdamOptions nadam = NAdamOptions.DEFAULTS;
    RAdamOptions radam = RAdamOptions.DEFAULTS;
    AsgdOptions asgd = AsgdOptions.DEFAULTS;
    RpropOptions rprop = RpropOptions.DEFAULTS;
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("lr", v, () -> nadam.withLr(v)));
      cases.add(rejects("eps", v, () -> nadam.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> nadam.withWeightDecay(v)));
      cases.add(rejects("momentumDecay", v, () -> nadam.withMomentumDecay(v)));
      cases.add(rejects("lr", v, () -> radam.withLr(v)));
      cases.add(rejects("eps", v, () -> radam.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> radam.withWeightDecay(v)));
      cases.add(rejects("lr", v, () -> asgd.withLr(v)));
      cases.add(rejects("weightDecay", v, () -> asgd.withWeightDecay(v)));
      cases.add(rejects("lr", v, () -> rprop.withLr(v)));
      cases.add(rejects("stepSizeMin", v, () -> rprop.withStepSizes(v, 50)));
      cases.add(rejects("stepSizeMax", v, () -> rprop.withStepSizes(0, v)));
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta1", v, () -> nadam.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> nadam.withBetas(0.9, v)));
      cases.add(rejects("beta1", v, () -> nadam.withMomentum(v)));
      cases.add(rejects("beta1", v, () -> radam.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> radam.withBetas(0.9, v)));
      cases.add(rejects("beta1", v, () -> radam.withMomentum(v)));
    }
    for (double v : NOT_FINITE) {
      cases.add(rejects("lambd", v, () -> asgd.withLambd(v)));
      cases.add(rejects("alpha", v, () -> asgd.withAlpha(v)));
      cases.add(rejects("t0", v, () -> asgd.withT0(v)));
    }
    // PyTorch: "Invalid eta values" unless 0 < etaminus < 1 < etaplus
    for (double v : new double[] {0, -0.5, 1, 1.5, Double.NaN, Double.NEGATIVE_INFINITY}) {
      cases.add(rejects("etaMinus", v, () -> rprop.withEtas(v, 1.2)));
    }
    for (double v : new double[] {1, 0.5, -2, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("etaPlus", v, () -> rprop.withEtas(0.5, v)));
    }
    // in (0, 1) as a double, but 1 and 0 as a float32
    cases.add(rejects("etaMinus", 1 - 1e-9, () -> rprop.withEtas(1 - 1e-9, 1.2)));
    cases.add(rejects("etaMinus", 1e-50, () -> rprop.withEtas(1e-50, 1.2)));
    cases.add(rejects("stepSizeMax", 1e-7, () -> rprop.withStepSizes(1e-6, 1e-7)));
    // no momentum (ASGD, Rprop) or weight decay (Rprop) to set
    cases.add(rejects("momentum", 0.9, () -> asgd.withMomentum(0.9)));
    cases.add(rejects("momentum", 0.9, () -> rprop.withMomentum(0.9)));
    cases.add(rejects("weightDecay", 0.01, () -> rprop.withWeightDecay(0.01)));
  }

  private static Arguments rejects(String name, double value, Executable make) {
    return Arguments.of(name, value, make);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("rejected")
  void rejectedWithArgumentNameAndValue(String name, double value, Executable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains(String.valueOf(value)),
        "message should name " + name + " and " + value + ": " + e.getMessage());
  }

  @Test
  void boundaryValuesPyTorchAcceptsAreAccepted() {
    // the other side of each check, so the checks above are not simply "always throw"
    new SgdOptions(0, 0, 0, 0, false, true);
    new SgdOptions(0.1, 1.5, 1, 0, false, false); // momentum > 1 and full dampening are legal
    new SgdOptions(0.1, 0.9, 0, 0, true, false);
    new AdamOptions(0, 0, 0, 0, 0, true, true);
    new AdamOptions(1, Math.nextDown(1.0), Math.nextDown(1.0), 1, 1, false, false);
    new NAdamOptions(0, 0, 0, 0, 0, 0, true, true);
    new NAdamOptions(1, Math.nextDown(1.0), Math.nextDown(1.0), 1, 1, 1, false, false);
    new RAdamOptions(0, 0, 0, 0, 0, true, true);
    new RAdamOptions(1, Math.nextDown(1.0), Math.nextDown(1.0), 1, 1, false, false);
    new AsgdOptions(0, -1, -1, -1, 0, true); // PyTorch checks neither lambd, alpha nor t0
    new RpropOptions(0, 0.999, 1.001, 0, 0, true);
    new RpropOptions(1, 1e-3, 1e3, 1, 1, false);
    AsgdOptions.DEFAULTS.withMomentum(0);
    RpropOptions.DEFAULTS.withMomentum(0).withWeightDecay(0);
    new LambOptions(Double.MIN_VALUE, 0, 0, 0, 0, 0, true, true);
    new LarsOptions(0, 0, 0, 0, true, true);
  }

  /** Every rule: a refused rate, momentum or weight decay changes no value, state or number. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stride.optim.RuleCatalog#all")
  void refusedChangesLeaveEveryRuleUntouched(RuleCatalog.Config rule) {
    refusedChangesLeaveUntouched(rule.make());
  }

  private static <H extends Hyperparameters<H>> void refusedChangesLeaveUntouched(Optimizer<H> o) {
    try (Arena arena = Arena.ofConfined(); o) {
      o.add(NativeFloats.of(arena, 1, 2, 3), NativeFloats.of(arena, 0.5f, -0.5f, 1));
      o.step();
      o.step();
      var before = OptimizerProbe.snapshot(o);
      double[] scalars = OptimizerProbe.parameter(o, 0, 0).scalars.clone();
      ParamGroup<H> group = o.group(0);
      H hyper = group.hyperparameters();

      assertThrows(IllegalArgumentException.class, () -> group.setLr(-0.5));
      assertThrows(IllegalArgumentException.class,
          () -> group.setHyperparameters(hyper.withMomentum(Double.NaN)));
      assertThrows(IllegalArgumentException.class,
          () -> group.setHyperparameters(hyper.withWeightDecay(-1)));

      assertEquals(hyper, group.hyperparameters());
      before.assertUnchanged("refused changes of " + o.pytorchName());
      assertArrayEquals(scalars, OptimizerProbe.parameter(o, 0, 0).scalars);
      assertEquals(2, o.stepCount());
    }
  }

  /** PyTorch's keyword arguments: a name the rule does not take is refused, naming it. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unknownKeywordArguments")
  void unknownKeywordArgumentIsRefused(String optimizer, String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PyTorchOptimizers.create(optimizer, java.util.Map.of("lr", 0.01, name, 0.1)));
    assertTrue(e.getMessage().contains(optimizer) && e.getMessage().contains(name), e.getMessage());
  }

  static Stream<Arguments> unknownKeywordArguments() {
    return Stream.of(Arguments.of("NAdam", "amsgrad"), Arguments.of("RAdam", "momentum_decay"),
        Arguments.of("ASGD", "momentum"), Arguments.of("Rprop", "weight_decay"),
        Arguments.of("Rprop", "betas"));
  }

  /** A pair (PyTorch's betas, etas, step_sizes) must be a list of two numbers. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("malformedPairs")
  void malformedPairIsRefused(String optimizer, String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PyTorchOptimizers.create(optimizer, java.util.Map.of(name, List.of(0.5))));
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains("[0.5]"), e.getMessage());
  }

  static Stream<Arguments> malformedPairs() {
    return Stream.of(Arguments.of("NAdam", "betas"), Arguments.of("RAdam", "betas"),
        Arguments.of("Rprop", "etas"), Arguments.of("Rprop", "step_sizes"));
  }

  @Test
  void refusedLrLeavesGroupAndStateUntouched() {
    try (Arena arena = Arena.ofConfined(); Adam adam = new Adam()) {
      adam.add(NativeFloats.of(arena, 1, 2, 3), NativeFloats.of(arena, 0.5f, -0.5f, 1));
      adam.step();
      var before = OptimizerProbe.snapshot(adam);
      AdamOptions hyper = adam.group(0).hyperparameters();

      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> adam.group(0).setLr(-0.5));
      assertTrue(e.getMessage().contains("lr") && e.getMessage().contains("-0.5"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> adam.group(0).setLr(Double.NaN));

      assertEquals(hyper, adam.group(0).hyperparameters());
      before.assertUnchanged("a refused setLr");
    }
  }
}
