package dev.stride.optim;

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
   * A state buffer: its key, whether hyperparameters {@code h} need it, and what it starts as
   * (zeros, a value of {@code h}, or a copy of the parameter).
   */
  record Buffer<H>(String key, Predicate<H> kept, ToDoubleFunction<H> fill, boolean copiesValue) {}

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
      buffers.add(new Buffer<>(key, kept, h -> 0, false));
      return this;
    }

    /** A buffer every step keeps, filled with {@code fill} of the hyperparameters at first. */
    Builder<H> filledBuffer(String key, ToDoubleFunction<H> fill) {
      buffers.add(new Buffer<>(key, h -> true, fill, false));
      return this;
    }

    /** A buffer every step keeps, a copy of the parameter's value at first. */
    Builder<H> valueCopy(String key) {
      buffers.add(new Buffer<>(key, h -> true, h -> 0, true));
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
