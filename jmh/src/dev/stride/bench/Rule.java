package dev.stride.bench;

import dev.stride.optim.Adadelta;
import dev.stride.optim.AdadeltaOptions;
import dev.stride.optim.Adagrad;
import dev.stride.optim.AdagradOptions;
import dev.stride.optim.Adam;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.AdamWScheduleFree;
import dev.stride.optim.AdamWScheduleFreeOptions;
import dev.stride.optim.Adamax;
import dev.stride.optim.AdamaxOptions;
import dev.stride.optim.Asgd;
import dev.stride.optim.AsgdOptions;
import dev.stride.optim.Lamb;
import dev.stride.optim.LambOptions;
import dev.stride.optim.Lars;
import dev.stride.optim.LarsOptions;
import dev.stride.optim.Lion;
import dev.stride.optim.LionOptions;
import dev.stride.optim.NAdam;
import dev.stride.optim.NAdamOptions;
import dev.stride.optim.Optimizer;
import dev.stride.optim.Prodigy;
import dev.stride.optim.ProdigyOptions;
import dev.stride.optim.RAdam;
import dev.stride.optim.RAdamOptions;
import dev.stride.optim.Rmsprop;
import dev.stride.optim.RmspropOptions;
import dev.stride.optim.Rprop;
import dev.stride.optim.RpropOptions;
import dev.stride.optim.ScheduleFree;
import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.optim.SgdScheduleFree;
import dev.stride.optim.SgdScheduleFreeOptions;
import java.util.function.Function;

/**
 * The rules the benchmarks time, with PyTorch's defaults where it has them (momentum 0.9 for SGD is
 * the usual choice), the bytes a step reads and writes per element, and how to make the rule's
 * optimizer with given kernels.
 */
public enum Rule {
  SGD("SGD", 12, k -> new Sgd(SgdOptions.of(Rule.SGD_LR), k.kernels())),
  SGD_MOMENTUM(
      "SGD momentum",
      20,
      k -> new Sgd(SgdOptions.of(Rule.SGD_LR).withMomentum(Rule.MOMENTUM), k.kernels())),
  ADAM("Adam", 28, k -> new Adam(AdamOptions.ADAM_DEFAULTS, k.kernels())),
  ADAMW("AdamW", 28, k -> new AdamW(AdamOptions.ADAMW_DEFAULTS, k.kernels())),
  ADAGRAD("Adagrad", 20, k -> new Adagrad(AdagradOptions.DEFAULTS, k.kernels())),
  RMSPROP("RMSprop", 20, k -> new Rmsprop(RmspropOptions.DEFAULTS, k.kernels())),
  ADADELTA("Adadelta", 28, k -> new Adadelta(AdadeltaOptions.DEFAULTS, k.kernels())),
  ADAMAX("Adamax", 28, k -> new Adamax(AdamaxOptions.DEFAULTS, k.kernels())),
  NADAM("NAdam", 28, k -> new NAdam(NAdamOptions.DEFAULTS, k.kernels())),
  RADAM("RAdam", 28, k -> new RAdam(RAdamOptions.DEFAULTS, k.kernels())),
  /** With averaging on from the start (t0 = 0): the average is read and written. */
  ASGD("ASGD averaging", 20, k -> new Asgd(AsgdOptions.DEFAULTS.withT0(Rule.ASGD_T0), k.kernels())),
  RPROP("Rprop", 28, k -> new Rprop(RpropOptions.DEFAULTS, k.kernels())),
  LION(
      "Lion",
      20,
      k -> new Lion(LionOptions.DEFAULTS.withWeightDecay(Rule.LION_WEIGHT_DECAY), k.kernels())),
  SGD_SCHEDULE_FREE(
      "SGD schedule-free",
      20,
      k -> training(new SgdScheduleFree(SgdScheduleFreeOptions.DEFAULTS, k.kernels()))),
  ADAMW_SCHEDULE_FREE(
      "AdamW schedule-free",
      28,
      k -> training(new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS, k.kernels()))),
  LAMB(
      "LAMB",
      40,
      k -> new Lamb(LambOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k.kernels())),
  LARS(
      "LARS",
      28,
      k -> new Lars(LarsOptions.of(0.1).withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k.kernels())),
  PRODIGY(
      "Prodigy",
      52,
      k ->
          new Prodigy(
              ProdigyOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k.kernels()));

  static final float SGD_LR = 0.01f;
  static final float MOMENTUM = 0.9f;
  static final float ADAM_LR = 1e-3f;
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPS = 1e-8f;
  static final float ADAMW_WEIGHT_DECAY = 1e-2f;
  static final float ADAGRAD_LR = 1e-2f;
  static final float ADAGRAD_EPS = 1e-10f;
  static final float RMSPROP_LR = 1e-2f;
  static final float RMSPROP_ALPHA = 0.99f;
  static final float ADADELTA_LR = 1f;
  static final float ADADELTA_RHO = 0.9f;
  static final float ADADELTA_EPS = 1e-6f;
  static final float ADAMAX_LR = 2e-3f;
  static final float NADAM_LR = 2e-3f;
  static final float MOMENTUM_DECAY = 4e-3f;
  static final float ASGD_LR = 1e-2f;
  static final float LAMBD = 1e-4f;
  static final float ALPHA = 0.75f;
  static final float ASGD_T0 = 0;
  static final float ETA_MINUS = 0.5f;
  static final float ETA_PLUS = 1.2f;
  static final float STEP_SIZE_MIN = 1e-6f;
  static final float STEP_SIZE_MAX = 50;
  static final float LION_LR = 1e-4f;
  static final float LION_BETA2 = 0.99f;
  static final float LION_WEIGHT_DECAY = 1e-2f;
  static final float SGD_SCHEDULE_FREE_LR = 1f;
  static final float ADAMW_SCHEDULE_FREE_LR = 0.0025f;

  final String label;

  /**
   * Bytes read and written per element in a step: 4 for each array read plus 4 for each written.
   */
  final int bytesPerElement;

  private final Function<KernelChoice, Optimizer<?>> optimizer;

  Rule(String label, int bytesPerElement, Function<KernelChoice, Optimizer<?>> optimizer) {
    this.label = label;
    this.bytesPerElement = bytesPerElement;
    this.optimizer = optimizer;
  }

  /** Schedule-Free starts in eval mode, as its reference does: a trainer calls train() first. */
  private static <O extends ScheduleFree<?>> O training(O optimizer) {
    optimizer.train();
    return optimizer;
  }

  /** The rule's optimizer on {@code kernels}, with no parameter yet. */
  Optimizer<?> optimizer(KernelChoice kernels) {
    return optimizer.apply(kernels);
  }

  /**
   * Whether the rule's step reduces between passes (LAMB, LARS, Prodigy): no one-pass memory limit
   * applies.
   */
  boolean reduces() {
    return this == LAMB || this == LARS || this == PRODIGY;
  }

  /**
   * The one-pass rules of issue 11 (Lion, Schedule-Free), held to 90 % of their limit on all cores.
   */
  boolean elementwiseIssue11() {
    return this == LION || this == SGD_SCHEDULE_FREE || this == ADAMW_SCHEDULE_FREE;
  }

  /** Whether an issue holds the rule to a target on all cores, so quick mode times it there. */
  boolean parallelTarget() {
    return this == SGD || this == ADAM || this == ADAMW || elementwiseIssue11() || reduces();
  }

  /**
   * The state buffers of the memory-only kernel with this rule's bytes: it reads p, g and k buffers
   * and writes p and the k buffers, 4·(2k + 3) bytes per element.
   */
  int limitBuffers() {
    return Math.min(4, (bytesPerElement / Float.BYTES - 3) / 2);
  }
}
