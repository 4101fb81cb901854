package dev.stride.optim;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every rule, in the flag combinations worth telling apart, by name: what the tests that must hold
 * for all rules step (snapshot and restore, any thread count, checkpoints). A new rule adds its
 * configurations here.
 */
final class RuleCatalog {
  private RuleCatalog() {}

  /**
   * One rule with fixed hyperparameters, made afresh by {@link #make()}.
   *
   * @param equalRates every group must have the same rate (Prodigy's estimate is global), or the
   *     rule has none to set (transformers' Adafactor with its relative step)
   */
  record Config(String name, Supplier<Optimizer<?>> factory, boolean equalRates) {
    Config(String name, Supplier<Optimizer<?>> factory) {
      this(name, factory, false);
    }

    Optimizer<?> make() {
      return factory.get();
    }

    /** Hyperparameters for a second group that differ from the first group's. */
    <H extends Hyperparameters<H>> H secondGroup(H first) {
      return equalRates
          ? first.withWeightDecay(first.weightDecay() + 0.01)
          : first.withLr(first.lr() / 3);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Registers a parameter in group {@code group} of {@code o}: with a shape where the rule needs
   * one ({@link #shapeOf}), else as a 1-D tensor.
   */
  static void add(Optimizer<?> o, int group, MemorySegment value, MemorySegment grad) {
    if (o.rule().needsShapes()) {
      o.group(group).add(value, grad, shapeOf(value.byteSize() / Float.BYTES));
    } else {
      o.group(group).add(value, grad);
    }
  }

  /**
   * A shape of n elements that exercises a factoring rule's geometry, by n mod 4: 0 → [2, 2, n/4]
   * (two matrices, rows cut by chunk ends), 1 → [n] (a vector), 2 → [n/2, 2] (many short rows), 3 →
   * [n/d, d] with d the divisor of n nearest 100 ([1, n] for a prime: one row, longer than a chunk
   * where n is).
   */
  static long[] shapeOf(long n) {
    if (n < 8 || n % 4 == 1) {
      return new long[] {n};
    }
    if (n % 4 == 0) {
      return new long[] {2, 2, n / 4};
    }
    if (n % 4 == 2) {
      return new long[] {n / 2, 2};
    }
    long best = n;
    for (long d = 1; d <= n; d++) {
      if (n % d == 0 && Math.abs(d - 100) < Math.abs(best - 100)) {
        best = d;
      }
    }
    return new long[] {n / best, best};
  }

  /**
   * The configurations whose state a {@link ParameterSlab} can hold: every rule's but those whose
   * state is shaped by each tensor (Adafactor's), which slabs and shards refuse.
   */
  static List<Config> inSlabs() {
    return all().stream()
        .filter(
            c -> {
              try (Optimizer<?> o = c.factory().get()) {
                return !o.rule().needsShapes();
              }
            })
        .toList();
  }

  static List<Config> all() {
    return List.of(
        new Config("SGD", () -> new Sgd(SgdOptions.of(0.05))),
        new Config(
            "SGD momentum dampening",
            () ->
                new Sgd(
                    SgdOptions.of(0.05)
                        .withMomentum(0.9)
                        .withDampening(0.3)
                        .withWeightDecay(0.01))),
        new Config(
            "SGD nesterov maximize",
            () ->
                new Sgd(
                    SgdOptions.of(0.05)
                        .withMomentum(0.9)
                        .withNesterov(true)
                        .withWeightDecay(0.01)
                        .withMaximize(true))),
        new Config(
            "Adam", () -> new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01).withWeightDecay(0.01))),
        new Config(
            "Adam amsgrad maximize",
            () ->
                new Adam(
                    AdamOptions.ADAM_DEFAULTS.withLr(0.01).withAmsgrad(true).withMaximize(true))),
        new Config("AdamW", () -> new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(0.01))),
        new Config(
            "AdamW amsgrad",
            () -> new AdamW(AdamOptions.ADAMW_DEFAULTS.withLr(0.01).withAmsgrad(true))),
        new Config("Adagrad", () -> new Adagrad(AdagradOptions.DEFAULTS.withLr(0.05))),
        new Config(
            "Adagrad lr_decay initial_accumulator_value weight_decay maximize",
            () ->
                new Adagrad(
                    AdagradOptions.DEFAULTS
                        .withLr(0.05)
                        .withLrDecay(0.1)
                        .withInitialAccumulatorValue(0.5)
                        .withWeightDecay(0.01)
                        .withMaximize(true))),
        new Config("RMSprop", () -> new Rmsprop(RmspropOptions.DEFAULTS)),
        new Config(
            "RMSprop centered weight_decay",
            () -> new Rmsprop(RmspropOptions.DEFAULTS.withCentered(true).withWeightDecay(0.01))),
        new Config(
            "RMSprop momentum maximize",
            () -> new Rmsprop(RmspropOptions.DEFAULTS.withMomentum(0.9).withMaximize(true))),
        new Config(
            "RMSprop centered momentum",
            () -> new Rmsprop(RmspropOptions.DEFAULTS.withMomentum(0.9).withCentered(true))),
        new Config("Adadelta", () -> new Adadelta(AdadeltaOptions.DEFAULTS)),
        new Config(
            "Adadelta weight_decay maximize",
            () ->
                new Adadelta(
                    AdadeltaOptions.DEFAULTS
                        .withLr(0.5)
                        .withRho(0.8)
                        .withWeightDecay(0.01)
                        .withMaximize(true))),
        new Config("Adamax", () -> new Adamax(AdamaxOptions.DEFAULTS.withLr(0.01))),
        new Config(
            "Adamax weight_decay maximize",
            () ->
                new Adamax(
                    AdamaxOptions.DEFAULTS.withLr(0.01).withWeightDecay(0.01).withMaximize(true))),
        // NAdam, RAdam, ASGD, Rprop
        new Config(
            "NAdam", () -> new NAdam(NAdamOptions.DEFAULTS.withLr(0.01).withWeightDecay(0.01))),
        new Config(
            "NAdam decoupled maximize",
            () ->
                new NAdam(
                    NAdamOptions.DEFAULTS
                        .withLr(0.01)
                        .withWeightDecay(0.01)
                        .withDecoupledWeightDecay(true)
                        .withMaximize(true))),
        // β2 = 0.9: the first five steps un-adapted, rectified from the sixth
        new Config(
            "RAdam",
            () ->
                new RAdam(
                    RAdamOptions.DEFAULTS.withLr(0.01).withBetas(0.9, 0.9).withWeightDecay(0.01))),
        new Config(
            "RAdam decoupled maximize",
            () ->
                new RAdam(
                    RAdamOptions.DEFAULTS
                        .withLr(0.01)
                        .withBetas(0.9, 0.9)
                        .withWeightDecay(0.01)
                        .withDecoupledWeightDecay(true)
                        .withMaximize(true))),
        new Config("ASGD", () -> new Asgd(AsgdOptions.DEFAULTS.withWeightDecay(0.01))),
        new Config(
            "ASGD averaging maximize",
            () ->
                new Asgd(
                    AsgdOptions.DEFAULTS
                        .withLr(0.05)
                        .withLambd(0.01)
                        .withT0(1)
                        .withMaximize(true))),
        new Config("Rprop", () -> new Rprop(RpropOptions.DEFAULTS)),
        new Config(
            "Rprop maximize",
            () ->
                new Rprop(
                    RpropOptions.DEFAULTS
                        .withLr(0.05)
                        .withStepSizes(1e-3, 0.2)
                        .withMaximize(true))),
        new Config("LAMB", () -> new Lamb(LambOptions.DEFAULTS.withLr(0.01))),
        new Config(
            "LAMB wd debias clamp",
            () ->
                new Lamb(
                    LambOptions.DEFAULTS
                        .withLr(0.01)
                        .withWeightDecay(0.01)
                        .withDebias(true)
                        .withClampValue(2))),
        new Config("LAMB adam", () -> new Lamb(LambOptions.DEFAULTS.withLr(0.01).withAdam(true))),
        new Config("LARS", () -> new Lars(LarsOptions.of(0.1))),
        new Config(
            "LARS wd filters",
            () ->
                new Lars(
                    LarsOptions.of(0.2)
                        .withWeightDecay(0.01)
                        .withEta(0.02)
                        .withWeightDecayFilter(true)
                        .withLarsAdaptationFilter(true))),
        new Config("Adafactor", () -> new Adafactor(AdafactorOptions.DEFAULTS.withLr(0.05))),
        new Config(
            "Adafactor eps weight_decay d beta2_decay maximize",
            () ->
                new Adafactor(
                    AdafactorOptions.DEFAULTS
                        .withEps(1e-4, 1e-2)
                        .withWeightDecay(0.1)
                        .withD(2)
                        .withBeta2Decay(-0.5)
                        .withMaximize(true))),
        // no rate of its own to schedule or to differ by: the groups differ by weight decay
        new Config(
            "transformers.Adafactor relative_step",
            () -> new TransformersAdafactor(TransformersAdafactorOptions.DEFAULTS),
            true),
        new Config(
            "transformers.Adafactor warmup_init beta1 weight_decay",
            () ->
                new TransformersAdafactor(
                    TransformersAdafactorOptions.DEFAULTS
                        .withRelativeStep(true)
                        .withBeta1(0.9)
                        .withWeightDecay(0.01)),
            true),
        new Config(
            "transformers.Adafactor fixed lr clip_threshold decay_rate beta1",
            () ->
                new TransformersAdafactor(
                    TransformersAdafactorOptions.fixedLr(0.01)
                        .withClipThreshold(0.5)
                        .withDecayRate(-0.5)
                        .withBeta1(0.5)
                        .withEps(1e-20, 1e-3))),
        new Config("Lion", () -> new Lion(LionOptions.DEFAULTS.withLr(1e-3))),
        new Config(
            "Lion weight decay",
            () ->
                new Lion(
                    LionOptions.DEFAULTS.withLr(1e-3).withBetas(0.95, 0.98).withWeightDecay(0.1))),
        new Config(
            "Lion decoupled weight decay",
            () ->
                new Lion(
                    LionOptions.DEFAULTS
                        .withLr(1e-3)
                        .withWeightDecay(0.01)
                        .withDecoupledWeightDecay(true))),
        new Config(
            "SGDScheduleFree",
            () -> training(new SgdScheduleFree(SgdScheduleFreeOptions.DEFAULTS.withLr(0.1)))),
        new Config(
            "SGDScheduleFree warmup weight decay r",
            () ->
                training(
                    new SgdScheduleFree(
                        SgdScheduleFreeOptions.DEFAULTS
                            .withLr(0.1)
                            .withMomentum(0.8)
                            .withWeightDecay(0.01)
                            .withWarmupSteps(2)
                            .withR(1)
                            .withWeightLrPower(1)))),
        new Config(
            "AdamWScheduleFree",
            () -> training(new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS))),
        new Config(
            "AdamWScheduleFree warmup weight decay",
            () ->
                training(
                    new AdamWScheduleFree(
                        AdamWScheduleFreeOptions.DEFAULTS
                            .withLr(0.01)
                            .withBetas(0.95, 0.99)
                            .withWeightDecay(0.05)
                            .withWarmupSteps(2)))),
        new Config(
            "AdamWScheduleFree inner momentum decay at z",
            () ->
                training(
                    new AdamWScheduleFree(
                        AdamWScheduleFreeOptions.DEFAULTS
                            .withLr(0.005)
                            .withInnerMomentum(0.9)
                            .withWeightDecay(0.1)
                            .withDecayAtZ(true)
                            .withR(0.5)
                            .withWeightLrPower(1)))),
        new Config("Prodigy", () -> new Prodigy(ProdigyOptions.DEFAULTS), true),
        new Config(
            "Prodigy coupled safeguard bias correction",
            () ->
                new Prodigy(
                    ProdigyOptions.DEFAULTS
                        .withDecouple(false)
                        .withWeightDecay(0.1)
                        .withSafeguardWarmup(true)
                        .withUseBiasCorrection(true)),
            true),
        new Config(
            "Prodigy beta1 0 growth decoupled",
            () ->
                new Prodigy(
                    ProdigyOptions.DEFAULTS
                        .withBetas(0, 0.99)
                        .withGrowthRate(1.5)
                        .withWeightDecay(0.05)
                        .withD0(1e-3)),
            true));
  }

  /** Schedule-Free starts in eval mode, where a step is refused. */
  private static <O extends ScheduleFree<?>> O training(O optimizer) {
    optimizer.train();
    return optimizer;
  }
}
