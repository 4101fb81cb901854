package dev.stride.optim;

import dev.stride.kernel.StateFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * What an update rule is, said once: its name (the {@code torch.optim} class, or the reference
 * class for a rule outside PyTorch), the type of its hyperparameters, how it is made from PyTorch's
 * keyword arguments, the state it keeps under PyTorch's keys, how it keeps its step, and how many
 * passes a step makes. Each rule class holds its own as {@code RULE} ({@link Adam#RULE}, …); {@link
 * Rules} lists them. Registries, checkpoints and the benchmarks read it instead of being told
 * again.
 *
 * @param <H> the rule's hyperparameters
 */
public final class Rule<H extends Hyperparameters<H>> {

  /**
   * A state buffer: its key, whether hyperparameters {@code h} need it, what it starts as (zeros, a
   * value of {@code h}, or a copy of the parameter), and what values it holds, which decides the
   * format a group's {@link StatePrecision} stores it in.
   */
  record Buffer<H>(
      String key, Predicate<H> kept, ToDoubleFunction<H> fill, boolean copiesValue, Values values) {

    /**
     * The format this buffer is stored in for a parameter of {@code count} elements (bfloat16 or
     * not) in a group of {@code precision}.
     */
    StateFormat format(StatePrecision precision, long count, boolean bf16Parameter) {
      return values == Values.FLOAT32
          ? StateFormat.F32
          : precision.formatOf(values == Values.SIGNED, count, bf16Parameter);
    }

    /** The bytes it takes in that format: its values or codes, then its block scales. */
    long bytes(StatePrecision precision, long count, boolean bf16Parameter) {
      StateFormat f = format(precision, count, bf16Parameter);
      return f.valueBytes(count) + Float.BYTES * f.scaleCount(count, precision.blockSize());
    }
  }

  /** What a state buffer holds: what decides whether a reduced precision may store it. */
  enum Values {
    /**
     * Float32 whatever the group's precision: not a moment a reduced precision could hold (a copy
     * of the parameter, a step size, a sum the rule divides by).
     */
    FLOAT32,
    /** A moving average of either sign, such as a first moment: a signed map. */
    SIGNED,
    /** A moving average of squares, never negative: an unsigned map. */
    NON_NEGATIVE
  }

  private final String name;
  private final Class<H> optionsType;
  private final Function<Map<String, ?>, H> fromPyTorch;
  private final BiFunction<H, Kernels, ? extends Optimizer<H>> factory;
  private final List<Buffer<H>> buffers;
  private final List<String> stateKeys;
  private final List<String> parameterNumbers;
  private final List<String> groupNumbers;
  private final boolean keepsStep;
  private final int passes;

  private Rule(Builder<H> b, BiFunction<H, Kernels, ? extends Optimizer<H>> factory) {
    this.name = b.name;
    this.optionsType = b.optionsType;
    this.fromPyTorch = b.fromPyTorch;
    this.factory = factory;
    this.buffers = List.copyOf(b.buffers);
    this.stateKeys = buffers.stream().map(Buffer::key).toList();
    this.parameterNumbers = b.parameterNumbers;
    this.groupNumbers = b.groupNumbers;
    this.keepsStep = b.keepsStep;
    this.passes = b.passes;
  }

  /** The {@code torch.optim} class this rule follows, as checkpoints name it: {@code "AdamW"}. */
  public String name() {
    return name;
  }

  /**
   * The hyperparameters of PyTorch's keyword arguments for this rule's class, with the reference's
   * defaults for absent ones: {@code fromPyTorch(Map.of())} are its defaults, where it has them all
   * (torch 1.13's SGD and the LARS reference have no default rate).
   *
   * @throws IllegalArgumentException if an argument is unknown to the rule or a value is refused
   */
  public H fromPyTorch(Map<String, ?> kwargs) {
    return fromPyTorch.apply(kwargs);
  }

  /** An optimizer of this rule with {@code hyperparameters} in its first group. */
  public Optimizer<H> create(H hyperparameters) {
    return create(hyperparameters, Kernels.DEFAULT);
  }

  /** An optimizer of this rule that runs {@code kernels}. */
  public Optimizer<H> create(H hyperparameters, Kernels kernels) {
    return factory.apply(
        Objects.requireNonNull(hyperparameters, "hyperparameters"),
        Objects.requireNonNull(kernels, "kernels"));
  }

  /**
   * The rule's state buffers per parameter, under PyTorch's state keys ({@code "exp_avg"}, …), in a
   * fixed order.
   */
  public List<String> stateKeys() {
    return stateKeys;
  }

  /** The buffers a step with {@code hyperparameters} keeps: Adam's third only with amsgrad. */
  public List<String> buffersFor(H hyperparameters) {
    List<String> kept = new ArrayList<>();
    for (Buffer<H> b : buffers) {
      if (b.kept().test(hyperparameters)) {
        kept.add(b.key());
      }
    }
    return kept;
  }

  /**
   * The bytes of state a parameter of {@code elements} elements takes with {@code hyperparameters}
   * in a group of {@code precision}: the buffers it keeps, each in its format (values or codes, and
   * block scales). A bfloat16 parameter rounded through a master copy keeps 4 bytes an element
   * more. {@link Optimizer#stateBytes()} sums what is allocated.
   */
  public long stateBytes(
      H hyperparameters, StatePrecision precision, long elements, boolean bf16Parameter) {
    long bytes = 0;
    for (Buffer<H> b : buffers) {
      if (b.kept().test(hyperparameters)) {
        bytes += b.bytes(precision, elements, bf16Parameter);
      }
    }
    return bytes;
  }

  /**
   * The numbers the rule keeps per parameter besides its buffers and step, under PyTorch's state
   * keys (ASGD's {@code "eta"} and {@code "mu"}); usually none.
   */
  public List<String> parameterNumbers() {
    return parameterNumbers;
  }

  /**
   * The numbers the rule keeps per group besides its hyperparameters, under the reference's {@code
   * param_groups} keys (Schedule-Free's {@code "lr_max"}, Prodigy's {@code "d"}); usually none.
   */
  public List<String> groupNumbers() {
    return groupNumbers;
  }

  /** Whether PyTorch keeps a {@code "step"} entry in this rule's per-parameter state. */
  public boolean keepsStep() {
    return keepsStep;
  }

  /**
   * How many passes over the parameters a step makes: 1 for elementwise rules; 2 for those that
   * need a reduction before they can update (LAMB's and LARS's norms, Prodigy's sums).
   */
  public int passes() {
    return passes;
  }

  /**
   * Whether the rule keeps state a reduced {@link StatePrecision} can store, and so takes bfloat16
   * parameters too (its kernel reads and writes both): Adam and AdamW.
   */
  public boolean takesLowPrecision() {
    return buffers.stream().anyMatch(b -> b.values() != Values.FLOAT32);
  }

  /** The hyperparameters' type: {@code AdamOptions.class}. */
  public Class<H> optionsType() {
    return optionsType;
  }

  List<Buffer<H>> buffers() {
    return buffers;
  }

  @Override
  public String toString() {
    return name;
  }

  static <H extends Hyperparameters<H>> Builder<H> builder(
      String name, Class<H> optionsType, Function<Map<String, ?>, H> fromPyTorch) {
    return new Builder<>(name, optionsType, fromPyTorch);
  }

  /** How a rule class states its {@code RULE}. */
  static final class Builder<H extends Hyperparameters<H>> {
    private final String name;
    private final Class<H> optionsType;
    private final Function<Map<String, ?>, H> fromPyTorch;
    private final List<Buffer<H>> buffers = new ArrayList<>();
    private List<String> parameterNumbers = List.of();
    private List<String> groupNumbers = List.of();
    private boolean keepsStep;
    private int passes = 1;

    private Builder(String name, Class<H> optionsType, Function<Map<String, ?>, H> fromPyTorch) {
      this.name = name;
      this.optionsType = optionsType;
      this.fromPyTorch = fromPyTorch;
    }

    /** A buffer every step keeps, zeros at first. */
    Builder<H> buffer(String key) {
      return buffer(key, h -> true);
    }

    /** A buffer kept when {@code kept} holds for the group's hyperparameters, zeros at first. */
    Builder<H> buffer(String key, Predicate<H> kept) {
      return buffer(key, Values.FLOAT32, kept);
    }

    /** A buffer every step keeps, zeros at first, holding {@code values}. */
    Builder<H> buffer(String key, Values values) {
      return buffer(key, values, h -> true);
    }

    /** A buffer kept when {@code kept} holds, zeros at first, holding {@code values}. */
    Builder<H> buffer(String key, Values values, Predicate<H> kept) {
      buffers.add(new Buffer<>(key, kept, h -> 0, false, values));
      return this;
    }

    /** A buffer every step keeps, filled with {@code fill} of the hyperparameters at first. */
    Builder<H> filledBuffer(String key, ToDoubleFunction<H> fill) {
      buffers.add(new Buffer<>(key, h -> true, fill, false, Values.FLOAT32));
      return this;
    }

    /** A buffer every step keeps, a copy of the parameter's value at first. */
    Builder<H> valueCopy(String key) {
      buffers.add(new Buffer<>(key, h -> true, h -> 0, true, Values.FLOAT32));
      return this;
    }

    Builder<H> parameterNumbers(String... keys) {
      parameterNumbers = List.of(keys);
      return this;
    }

    Builder<H> groupNumbers(String... keys) {
      groupNumbers = List.of(keys);
      return this;
    }

    /** PyTorch keeps a per-parameter {@code "step"}. */
    Builder<H> keepsStep() {
      keepsStep = true;
      return this;
    }

    Builder<H> passes(int passes) {
      this.passes = passes;
      return this;
    }

    /** The rule, whose optimizers {@code factory} makes (the rule class's constructor). */
    Rule<H> build(BiFunction<H, Kernels, ? extends Optimizer<H>> factory) {
      return new Rule<>(this, factory);
    }
  }
}
