package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  private static final double[] NOT_NON_NEGATIVE = {
    -1e-4, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
  };
  private static final double[] NOT_IN_UNIT_INTERVAL = {
    -0.1, 1, 1.5, Double.NaN, Double.POSITIVE_INFINITY
  };
  private static final double[] NOT_A_FRACTION = {
    -0.1, Math.nextUp(1.0), 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
  };
  private static final double[] NOT_ZERO = {
    0.9, -0.5, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY
  };
  private static final double[] NOT_FINITE = {
    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
  };

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
    AdagradOptions adagrad = AdagradOptions.DEFAULTS;
    RmspropOptions rmsprop = RmspropOptions.DEFAULTS;
    AdadeltaOptions adadelta = AdadeltaOptions.DEFAULTS;
    AdamaxOptions adamax = AdamaxOptions.DEFAULTS;
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("lr", v, () -> adagrad.withLr(v)));
      cases.add(rejects("lrDecay", v, () -> adagrad.withLrDecay(v)));
      cases.add(rejects("weightDecay", v, () -> adagrad.withWeightDecay(v)));
      cases.add(
          rejects("initialAccumulatorValue", v, () -> adagrad.withInitialAccumulatorValue(v)));
      cases.add(rejects("eps", v, () -> adagrad.withEps(v)));
      cases.add(rejects("lr", v, () -> rmsprop.withLr(v)));
      cases.add(rejects("alpha", v, () -> rmsprop.withAlpha(v)));
      cases.add(rejects("eps", v, () -> rmsprop.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> rmsprop.withWeightDecay(v)));
      cases.add(rejects("momentum", v, () -> rmsprop.withMomentum(v)));
      cases.add(rejects("lr", v, () -> adadelta.withLr(v)));
      cases.add(rejects("eps", v, () -> adadelta.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> adadelta.withWeightDecay(v)));
      cases.add(rejects("lr", v, () -> adamax.withLr(v)));
      cases.add(rejects("eps", v, () -> adamax.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> adamax.withWeightDecay(v)));
    }
    for (double v : NOT_A_FRACTION) {
      cases.add(rejects("rho", v, () -> adadelta.withRho(v)));
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta1", v, () -> adamax.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> adamax.withBetas(0.9, v)));
      cases.add(rejects("beta1", v, () -> adamax.withMomentum(v)));
    }
    // no momentum for a schedule to cycle
    for (double v : NOT_ZERO) {
      cases.add(rejects("momentum", v, () -> adagrad.withMomentum(v)));
      cases.add(rejects("momentum", v, () -> adadelta.withMomentum(v)));
    }
    ProdigyOptions prodigy = ProdigyOptions.DEFAULTS;
    for (double v : new double[] {0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(
          rejects("lr", v, () -> prodigy.withLr(v))); // the reference: lr > 0, d0 > 0, eps > 0
      cases.add(rejects("d0", v, () -> prodigy.withD0(v)));
      cases.add(rejects("eps", v, () -> prodigy.withEps(v)));
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta1", v, () -> prodigy.withBetas(v, 0.999)));
      cases.add(rejects("beta2", v, () -> prodigy.withBetas(0.9, v)));
    }
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("weightDecay", v, () -> prodigy.withWeightDecay(v)));
      cases.add(rejects("dCoef", v, () -> prodigy.withDCoef(v)));
    }
    for (double v : new double[] {-0.1, 1.5, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("beta3", v, () -> prodigy.withBeta3(v)));
    }
    for (double v : new double[] {0.5, 0, -1, Double.NaN}) {
      cases.add(rejects("growthRate", v, () -> prodigy.withGrowthRate(v)));
    }
    // PyTorch: "Nesterov momentum requires a momentum and zero dampening"
    cases.add(rejects("momentum", 0.0, () -> new SgdOptions(0.1, 0, 0, 0, true, false)));
    cases.add(rejects("dampening", 0.1, () -> new SgdOptions(0.1, 0.9, 0.1, 0, true, false)));
    // NAdam, RAdam, ASGD, Rprop
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
    for (double v : NOT_ZERO) {
      cases.add(rejects("momentum", v, () -> asgd.withMomentum(v)));
      cases.add(rejects("momentum", v, () -> rprop.withMomentum(v)));
      cases.add(rejects("weightDecay", v, () -> rprop.withWeightDecay(v)));
    }
    addLion(cases);
    addScheduleFree(cases);
    return cases.stream();
  }

  /** lucidrains' Lion asserts lr > 0 and 0 ≤ β ≤ 1; a negative weight decay makes no sense. */
  private static void addLion(List<Arguments> cases) {
    LionOptions lion = LionOptions.DEFAULTS;
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("lr", v, () -> lion.withLr(v)));
      cases.add(rejects("weightDecay", v, () -> lion.withWeightDecay(v)));
    }
    for (double v : new double[] {-0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("beta1", v, () -> lion.withBetas(v, 0.99)));
      cases.add(rejects("beta2", v, () -> lion.withBetas(0.9, v)));
    }
    // the options may reach 0 under a schedule; the optimizer is built with a rate above 0
    cases.add(rejects("lr", 0.0, () -> new Lion(lion.withLr(0)).close()));
    cases.add(
        rejects(
            "decoupled_weight_decay",
            "yes",
            () -> LionOptions.fromPyTorch(Map.of("decoupled_weight_decay", "yes"))));
    cases.add(rejects("maximize", true, () -> LionOptions.fromPyTorch(Map.of("maximize", true))));
  }

  /**
   * SGDScheduleFreeReference refuses lr < 0, weight_decay < 0 and momentum outside (0, 1); the
   * AdamW reference checks nothing. Refused besides: what makes no sense (negative warmup, r or
   * power; β2 or inner momentum of 1 divide by zero) and AdamW's β1 = 0, which has no x in the lean
   * form.
   */
  private static void addScheduleFree(List<Arguments> cases) {
    SgdScheduleFreeOptions sgd = SgdScheduleFreeOptions.DEFAULTS;
    AdamWScheduleFreeOptions adamw = AdamWScheduleFreeOptions.DEFAULTS;
    for (double v : NOT_NON_NEGATIVE) {
      cases.add(rejects("lr", v, () -> sgd.withLr(v)));
      cases.add(rejects("weightDecay", v, () -> sgd.withWeightDecay(v)));
      cases.add(rejects("r", v, () -> sgd.withR(v)));
      cases.add(rejects("weightLrPower", v, () -> sgd.withWeightLrPower(v)));
      cases.add(rejects("lr", v, () -> adamw.withLr(v)));
      cases.add(rejects("eps", v, () -> adamw.withEps(v)));
      cases.add(rejects("weightDecay", v, () -> adamw.withWeightDecay(v)));
      cases.add(rejects("r", v, () -> adamw.withR(v)));
      cases.add(rejects("weightLrPower", v, () -> adamw.withWeightLrPower(v)));
    }
    for (double v : new double[] {0, 1, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("momentum", v, () -> sgd.withMomentum(v)));
    }
    for (double v : new double[] {0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      cases.add(rejects("beta1", v, () -> adamw.withBetas(v, 0.999)));
    }
    for (double v : NOT_IN_UNIT_INTERVAL) {
      cases.add(rejects("beta2", v, () -> adamw.withBetas(0.9, v)));
      cases.add(rejects("innerMomentum", v, () -> adamw.withInnerMomentum(v)));
    }
    cases.add(rejects("warmupSteps", -1L, () -> sgd.withWarmupSteps(-1)));
    cases.add(rejects("warmupSteps", -1L, () -> adamw.withWarmupSteps(-1)));
    cases.add(
        rejects(
            "warmup_steps",
            2.5,
            () -> SgdScheduleFreeOptions.fromPyTorch(Map.of("warmup_steps", 2.5))));
    cases.add(
        rejects(
            "warmup_steps",
            Double.POSITIVE_INFINITY,
            () ->
                AdamWScheduleFreeOptions.fromPyTorch(
                    Map.of("warmup_steps", Double.POSITIVE_INFINITY))));
    cases.add(
        rejects(
            "decay_at_z",
            1.0,
            () -> AdamWScheduleFreeOptions.fromPyTorch(Map.of("decay_at_z", 1.0))));
    cases.add(
        rejects(
            "nesterov", true, () -> SgdScheduleFreeOptions.fromPyTorch(Map.of("nesterov", true))));
    cases.add(
        rejects(
            "amsgrad", true, () -> AdamWScheduleFreeOptions.fromPyTorch(Map.of("amsgrad", true))));
  }

  private static Arguments rejects(String name, Object value, Executable make) {
    return Arguments.of(name, value, make);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("rejected")
  void rejectedWithArgumentNameAndValue(String name, Object value, Executable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(
        e.getMessage().contains(name) && e.getMessage().contains(String.valueOf(value)),
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
    assertEquals(AsgdOptions.DEFAULTS, AsgdOptions.DEFAULTS.withMomentum(0));
    assertEquals(
        RpropOptions.DEFAULTS, RpropOptions.DEFAULTS.withMomentum(-0.0).withWeightDecay(0));
    new LambOptions(Double.MIN_VALUE, 0, 0, 0, 0, 0, true, true);
    new LarsOptions(0, 0, 0, 0, true, true);
    new LionOptions(0, 0, 0, 0, true);
    new LionOptions(1, 1, 1, 1, false);
    new Lion(LionOptions.DEFAULTS.withLr(Double.MIN_VALUE)).close();
    new SgdScheduleFreeOptions(0, Double.MIN_VALUE, 0, 0, 0, 0);
    new SgdScheduleFreeOptions(1, Math.nextDown(1.0), 1, 1, 1, 1);
    new AdamWScheduleFreeOptions(0, Double.MIN_VALUE, 0, 0, 0, 0, 0, 0, false, 0);
    new AdamWScheduleFreeOptions(1, 1, Math.nextDown(1.0), 1, 1, 1, 1, 1, true, Math.nextDown(1.0));
    SgdScheduleFreeOptions.fromPyTorch(Map.of("warmup_steps", 10.0, "foreach", true));
    LionOptions.fromPyTorch(Map.of("use_triton", true));
    new AdagradOptions(0, 0, 0, 0, 0, true);
    new RmspropOptions(0, 0, 0, 0, 0, true, true);
    new RmspropOptions(1, 1.5, 1, 1, 1.5, false, false); // alpha > 1 and momentum > 1 are legal
    new AdadeltaOptions(0, 0, 0, 0, true);
    new AdadeltaOptions(1, 1, 1, 1, false); // rho = 1 is legal
    new AdamaxOptions(0, 0, 0, 0, 0, true);
    new AdamaxOptions(1, Math.nextDown(1.0), Math.nextDown(1.0), 1, 1, false);
    assertEquals(AdagradOptions.DEFAULTS, AdagradOptions.DEFAULTS.withMomentum(0));
    assertEquals(AdadeltaOptions.DEFAULTS, AdadeltaOptions.DEFAULTS.withMomentum(-0.0));
  }

  static Stream<Arguments> pytorchArgumentsRefused() {
    return Stream.of(
        Arguments.of("Adagrad", Map.of("momentum", 0.9), "takes no argument momentum"),
        Arguments.of("Adagrad", Map.of("lr_decay", "fast"), "lr_decay must be a number"),
        Arguments.of("RMSprop", Map.of("betas", List.of(0.9, 0.99)), "takes no argument betas"),
        Arguments.of("RMSprop", Map.of("centered", 1), "centered must be a boolean"),
        Arguments.of("RMSprop", Map.of("alpha", -0.5), "alpha must be"),
        Arguments.of("Adadelta", Map.of("alpha", 0.9), "takes no argument alpha"),
        Arguments.of("Adadelta", Map.of("rho", 1.5), "rho must be in [0, 1], got 1.5"),
        Arguments.of("Adamax", Map.of("amsgrad", true), "takes no argument amsgrad"),
        Arguments.of("Adamax", Map.of("betas", 0.9), "betas must be a list of two numbers"),
        Arguments.of(
            "Adamax", Map.of("betas", List.of(0.9, 1.0)), "beta2 must be in [0, 1), got 1.0"),
        Arguments.of("NAdam", Map.of("amsgrad", true), "takes no argument amsgrad"),
        Arguments.of("NAdam", Map.of("betas", List.of(0.5)), "betas must be a list of two numbers"),
        Arguments.of(
            "NAdam",
            Map.of("momentum_decay", -1),
            "momentumDecay must be a finite number >= 0, got -1.0"),
        Arguments.of("RAdam", Map.of("momentum_decay", 4e-3), "takes no argument momentum_decay"),
        Arguments.of(
            "RAdam",
            Map.of("decoupled_weight_decay", "yes"),
            "decoupled_weight_decay must be a boolean"),
        Arguments.of("ASGD", Map.of("momentum", 0.9), "takes no argument momentum"),
        Arguments.of("ASGD", Map.of("t0", Double.NaN), "t0 must be a finite number, got NaN"),
        Arguments.of("Rprop", Map.of("weight_decay", 0.01), "takes no argument weight_decay"),
        Arguments.of("Rprop", Map.of("etas", List.of(0.5)), "etas must be a list of two numbers"),
        Arguments.of(
            "Rprop", Map.of("etas", List.of(1.5, 1.2)), "etaMinus must be in (0, 1), got 1.5"),
        Arguments.of(
            "Rprop",
            Map.of("step_sizes", List.of(0.5)),
            "step_sizes must be a list of two numbers"),
        Arguments.of(
            "Rprop",
            Map.of("step_sizes", List.of(1.0, 0.1)),
            "stepSizeMax must be >= stepSizeMin"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pytorchArgumentsRefused")
  void pytorchArgumentsARuleDoesNotTakeOrRefusesAreNamed(
      String rule, Map<String, ?> kwargs, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PyTorchOptimizers.create(rule, kwargs));
    assertTrue(e.getMessage().contains(message), "expected \"" + message + "\": " + e.getMessage());
  }

  /**
   * Every rule: a refused rate, momentum or weight decay leaves its group and state as they were.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stride.optim.RuleCatalog#all")
  void refusedChangesLeaveEveryRuleUntouched(RuleCatalog.Config rule) {
    refusedChangesLeaveUntouched(rule.make());
  }

  private static <H extends Hyperparameters<H>> void refusedChangesLeaveUntouched(Optimizer<H> o) {
    try (Arena arena = Arena.ofConfined();
        o) {
      o.add(NativeFloats.of(arena, 1, -2, 3), NativeFloats.of(arena, 0.5f, -0.5f, 1));
      o.step();
      var before = OptimizerProbe.snapshot(o);
      double[] scalars = OptimizerProbe.parameter(o, 0, 0).numbers.clone();
      ParamGroup<H> group = o.group(0);
      H hyper = group.hyperparameters();

      assertThrows(IllegalArgumentException.class, () -> group.setLr(-0.5));
      assertThrows(
          IllegalArgumentException.class,
          () -> group.setHyperparameters(hyper.withMomentum(Double.NaN)));
      assertThrows(
          IllegalArgumentException.class,
          () -> group.setHyperparameters(hyper.withWeightDecay(-1)));

      assertEquals(hyper, group.hyperparameters());
      assertEquals(List.of(1L), OptimizerProbe.steps(o));
      before.assertUnchanged("refused changes");
      assertArrayEquals(
          scalars, OptimizerProbe.parameter(o, 0, 0).numbers, "per-parameter numbers");
    }
  }

  @Test
  void refusedLrLeavesGroupAndStateUntouched() {
    try (Arena arena = Arena.ofConfined();
        Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS)) {
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
