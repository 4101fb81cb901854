package dev.stride.bench;

import dev.stride.optim.Kernels;
import dev.stride.optim.Optimizer;
import dev.stride.optim.PyTorchOptimizers;
import dev.stride.optim.Rules;
import dev.stride.optim.ScheduleFree;
import java.util.Map;

/**
 * The rules the benchmarks time, each named as its descriptor in {@link Rules} names it and made
 * from PyTorch's keyword arguments, with PyTorch's defaults where it has them (momentum 0.9 for SGD
 * is the usual choice), and the bytes a step reads and writes per element.
 */
public enum Rule {
  SGD("SGD", 12, "SGD", Map.of("lr", Rule.SGD_LR)),
  SGD_MOMENTUM("SGD momentum", 20, "SGD", Map.of("lr", Rule.SGD_LR, "momentum", Rule.MOMENTUM)),
  ADAM("Adam", 28, "Adam", Map.of()),
  ADAMW("AdamW", 28, "AdamW", Map.of()),
  ADAGRAD("Adagrad", 20, "Adagrad", Map.of()),
  RMSPROP("RMSprop", 20, "RMSprop", Map.of()),
  ADADELTA("Adadelta", 28, "Adadelta", Map.of()),
  ADAMAX("Adamax", 28, "Adamax", Map.of()),
  NADAM("NAdam", 28, "NAdam", Map.of()),
  RADAM("RAdam", 28, "RAdam", Map.of()),
  /** With averaging on from the start (t0 = 0): the average is read and written. */
  ASGD("ASGD averaging", 20, "ASGD", Map.of("t0", Rule.ASGD_T0)),
  RPROP("Rprop", 28, "Rprop", Map.of()),
  LION("Lion", 20, "Lion", Map.of("weight_decay", Rule.LION_WEIGHT_DECAY)),
  SGD_SCHEDULE_FREE("SGD schedule-free", 20, "SGDScheduleFree", Map.of()),
  ADAMW_SCHEDULE_FREE("AdamW schedule-free", 28, "AdamWScheduleFree", Map.of()),
  LAMB("LAMB", 40, "Lamb", Map.of("weight_decay", Rule.ADAMW_WEIGHT_DECAY)),
  LARS("LARS", 28, "LARS", Map.of("lr", 0.1, "weight_decay", Rule.ADAMW_WEIGHT_DECAY)),
  PRODIGY("Prodigy", 52, "Prodigy", Map.of("weight_decay", Rule.ADAMW_WEIGHT_DECAY)),
  /**
   * PyTorch's Adafactor over a matrix of {@value #ADAFACTOR_COLUMNS} columns (4,096 × 4,096 at 16M
   * elements), with weight decay: three passes, 24 bytes per element (read p, g; read g; read p, g
   * and write p), against its own three-pass memory-only limit.
   */
  ADAFACTOR("Adafactor", 24, "Adafactor", Map.of("weight_decay", Rule.ADAMW_WEIGHT_DECAY));

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

  /** The rule's name in {@link Rules}, and its keyword arguments besides PyTorch's defaults. */
  private final String pytorchName;

  private final Map<String, ?> kwargs;

  Rule(String label, int bytesPerElement, String pytorchName, Map<String, ?> kwargs) {
    this.label = label;
    this.bytesPerElement = bytesPerElement;
    this.pytorchName = pytorchName;
    this.kwargs = kwargs;
  }

  /**
   * The rule's optimizer on {@code kernels}, with no parameter yet; Schedule-Free in training mode,
   * as a trainer calls train() before its first step (its reference starts in eval mode).
   */
  Optimizer<?> optimizer(Kernels kernels) {
    Optimizer<?> o = PyTorchOptimizers.create(pytorchName, kwargs, kernels);
    if (o instanceof ScheduleFree<?> scheduleFree) {
      scheduleFree.train();
    }
    return o;
  }

  /**
   * Whether the rule's step reduces between passes (LAMB, LARS, Prodigy): no one-pass memory limit
   * applies. Adafactor, which reduces too, has a limit of its own passes.
   */
  boolean reduces() {
    return Rules.named(pytorchName).passes() > 1;
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
