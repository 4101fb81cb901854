package dev.stride.bench;

import dev.stride.optim.Adadelta;
import dev.stride.optim.AdadeltaOptions;
import dev.stride.optim.Adafactor;
import dev.stride.optim.AdafactorOptions;
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
import dev.stride.optim.Kernels;
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
  SGD("SGD", 12, k -> new Sgd(SgdOptions.of(Rule.SGD_LR), k)),
  SGD_MOMENTUM(
      "SGD momentum", 20, k -> new Sgd(SgdOptions.of(Rule.SGD_LR).withMomentum(Rule.MOMENTUM), k)),
  ADAM("Adam", 28, k -> new Adam(AdamOptions.ADAM_DEFAULTS, k)),
  ADAMW("AdamW", 28, k -> new AdamW(AdamOptions.ADAMW_DEFAULTS, k)),
  ADAGRAD("Adagrad", 20, k -> new Adagrad(AdagradOptions.DEFAULTS, k)),
  RMSPROP("RMSprop", 20, k -> new Rmsprop(RmspropOptions.DEFAULTS, k)),
  ADADELTA("Adadelta", 28, k -> new Adadelta(AdadeltaOptions.DEFAULTS, k)),
  ADAMAX("Adamax", 28, k -> new Adamax(AdamaxOptions.DEFAULTS, k)),
  NADAM("NAdam", 28, k -> new NAdam(NAdamOptions.DEFAULTS, k)),
  RADAM("RAdam", 28, k -> new RAdam(RAdamOptions.DEFAULTS, k)),
  /** With averaging on from the start (t0 = 0): the average is read and written. */
  ASGD("ASGD averaging", 20, k -> new Asgd(AsgdOptions.DEFAULTS.withT0(Rule.ASGD_T0), k)),
  RPROP("Rprop", 28, k -> new Rprop(RpropOptions.DEFAULTS, k)),
  LION("Lion", 20, k -> new Lion(LionOptions.DEFAULTS, k)),
  SGD_SCHEDULE_FREE(
      "SGD schedule-free",
      20,
      k -> training(new SgdScheduleFree(SgdScheduleFreeOptions.DEFAULTS, k))),
  ADAMW_SCHEDULE_FREE(
      "AdamW schedule-free",
      28,
      k -> training(new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS, k))),
  LAMB("LAMB", 40, k -> new Lamb(LambOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k)),
  LARS("LARS", 28, k -> new Lars(LarsOptions.of(0.1).withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k)),
  PRODIGY(
      "Prodigy",
      52,
      k -> new Prodigy(ProdigyOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k)),
  /**
   * PyTorch's Adafactor over a matrix of {@value #ADAFACTOR_COLUMNS} columns (4,096 × 4,096 at 16M
   * elements), with weight decay: three passes, 24 bytes per element (read p, g; read g; read p, g
   * and write p), against its own three-pass memory-only limit.
   */
  ADAFACTOR(
      "Adafactor",
      24,
      k -> new Adafactor(AdafactorOptions.DEFAULTS.withWeightDecay(Rule.ADAMW_WEIGHT_DECAY), k));

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
  static final float ADAFACTOR_LR = 1e-2f;
  static final float ADAFACTOR_BETA2_DECAY = -0.8f;
  static final float ADAFACTOR_EPS1 = 0x1p-23f;
  static final float ADAFACTOR_EPS2 = 1e-3f;

  /** Adafactor's matrix: this many columns, as many rows as the size gives. */
  static final int ADAFACTOR_COLUMNS = 4096;

  final String label;

  /**
   * Bytes read and written per element in a step: 4 for each array read plus 4 for each written.
   */
  final int bytesPerElement;

  private final Function<Kernels, Optimizer<?>> optimizer;

  Rule(String label, int bytesPerElement, Function<Kernels, Optimizer<?>> optimizer) {
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
  Optimizer<?> optimizer(Kernels kernels) {
    return optimizer.apply(kernels);
  }

  /**
   * Whether the rule's step reduces between passes (LAMB, LARS, Prodigy): no one-pass memory limit
   * applies. Adafactor, which reduces too, has a limit of its own passes.
   */
  boolean reduces() {
    return this == LAMB || this == LARS || this == PRODIGY;
  }

  /**
   * The shape a parameter of {@code size} floats is registered with: Adafactor's a matrix of
   * {@value #ADAFACTOR_COLUMNS} columns (of one row below that), the others' a vector.
   */
  long[] shape(long size) {
    if (this != ADAFACTOR) {
      return new long[] {size};
    }
    return size % ADAFACTOR_COLUMNS == 0
        ? new long[] {size / ADAFACTOR_COLUMNS, ADAFACTOR_COLUMNS}
        : new long[] {1, size};
  }

  /** The bytes per element of {@link #limit}: 4·(2k + 3) for k state buffers, Adafactor's 24. */
  int limitBytes() {
    return this == ADAFACTOR ? 24 : Float.BYTES * (2 * limitBuffers() + 3);
  }

  /** The memory-only kernel of the rule's access pattern over {@code size} floats. */
  MemoryLimit limit(long size) {
    return this == ADAFACTOR ? MemoryLimit.adafactor(size) : new MemoryLimit(size, limitBuffers());
  }

  /**
   * The one-pass rules of issue 11 (Lion, Schedule-Free), held to 90 % of their limit on all cores.
   */
  boolean elementwiseIssue11() {
    return this == LION || this == SGD_SCHEDULE_FREE || this == ADAMW_SCHEDULE_FREE;
  }

  /** Whether an issue holds the rule to a target on all cores, so quick mode times it there. */
  boolean parallelTarget() {
    return this == SGD
        || this == ADAM
        || this == ADAMW
        || elementwiseIssue11()
        || reduces()
        || this == ADAFACTOR;
  }

  /**
   * The state buffers of the memory-only kernel with this rule's bytes: it reads p, g and k buffers
   * and writes p and the k buffers, 4·(2k + 3) bytes per element.
   */
  int limitBuffers() {
    return Math.min(4, (bytesPerElement / Float.BYTES - 3) / 2);
  }
}
