package dev.stride.optim;

import dev.stride.internal.Args;
import dev.stride.kernel.AveragingKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A running average of every parameter of an optimizer, for evaluating with averaged weights: an
 * exponential moving average ({@link #ema}: {@code a = d·a + (1 − d)·p}, PyTorch's {@code
 * get_ema_avg_fn}, Keras's {@code use_ema}) or the mean of the values folded in ({@link #swa}:
 * {@code a = a + (p − a)/(n + 1)}, PyTorch's {@code AveragedModel}). As {@code AveragedModel} does,
 * it starts as a copy of the parameters and its first fold copies them again; see {@link
 * AveragingKernel} for the arithmetic.
 *
 * <pre>{@code
 * WeightAverage ema = WeightAverage.ema(adamw, 0.999);
 * for (...) { ...backward...; adamw.step(); ema.update(); }
 * ema.swap();   // the parameters now hold the averages: evaluate
 * ema.swap();   // and back
 * }</pre>
 *
 * <p>{@link #update()} runs over the optimizer's step plan on its step threads, as a step does,
 * with the optimizer's kernels. It folds the parameters as a step count left them, once: a second
 * call before the next step, or a call after a step that was skipped (a non-finite gradient), folds
 * nothing; with {@link #every(long) every(k)} it folds only after steps that are multiples of k.
 * The averages live off-heap until {@link #close()}. Use it from the thread that steps the
 * optimizer.
 */
public final class WeightAverage implements AutoCloseable {

  /** The two averages. */
  public enum Kind {
    EMA,
    SWA
  }

  private final Optimizer<?> optimizer;
  private final Kind kind;
  private final double decay;
  private final List<Parameter> parameters = new ArrayList<>();
  private final Map<Parameter, MemorySegment> averages = new IdentityHashMap<>();
  private final List<MemorySegment> views = new ArrayList<>();
  private final Arena arena = Arena.ofShared();
  private final AveragingKernel kernel;
  private final AveragingKernel.Coefficients coefficients = new AveragingKernel.Coefficients();
  private final ChunkTask fold;
  private long every = 1;
  private long updates;

  /** The optimizer's step count at the last fold; -1 before the first. */
  private long lastFold = -1;

  private boolean closed;

  private WeightAverage(Optimizer<?> optimizer, Kind kind, double decay) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.kind = kind;
    this.decay = decay;
    this.kernel = optimizer.kernel(AveragingKernel.class);
    optimizer.checkOpen();
    optimizer.checkParametersReachable();
    optimizer.checkFloat32Values("a weight average");
    for (ParamGroup<?> g : optimizer.groups()) {
      for (Parameter p : g.parameters()) {
        MemorySegment copy;
        if (p.range != null) {
          // a slab range's averages are laid out as its values, so that its span folds at once
          Parameter span = p.range.span;
          MemorySegment all = averages.get(span);
          if (all == null) {
            all = copy(span.value);
            averages.put(span, all);
          }
          copy = all.asSlice(p.value.address() - span.value.address(), p.value.byteSize());
        } else {
          copy = copy(p.value);
        }
        parameters.add(p);
        averages.put(p, copy);
        views.add(copy.asReadOnly());
      }
    }
    // the map is read-only from here on, so every step thread may look its chunk's average up
    fold =
        (worker, chunk, p, offset, count) ->
            kernel.update(coefficients, averages.get(p), p.value, offset, count);
  }

  private MemorySegment copy(MemorySegment value) {
    return arena.allocate(value.byteSize(), Parameter.STATE_ALIGNMENT).copyFrom(value);
  }

  /**
   * An exponential moving average of decay {@code decay} over {@code optimizer}'s parameters as
   * registered now.
   *
   * @throws IllegalArgumentException if {@code decay} is not in [0, 1]
   * @throws IllegalStateException if a parameter is bfloat16 (averages are float32 copies)
   */
  public static WeightAverage ema(Optimizer<?> optimizer, double decay) {
    return new WeightAverage(optimizer, Kind.EMA, Args.fraction("decay", decay));
  }

  /**
   * The mean of the values folded in, over {@code optimizer}'s parameters as registered now.
   *
   * @throws IllegalStateException if a parameter is bfloat16 (averages are float32 copies)
   */
  public static WeightAverage swa(Optimizer<?> optimizer) {
    return new WeightAverage(optimizer, Kind.SWA, 0);
  }

  /**
   * Folds only after steps whose count is a multiple of {@code k} (1, every step, by default).
   *
   * @throws IllegalArgumentException if {@code k} is less than 1
   */
  public WeightAverage every(long k) {
    this.every = Args.positive("every", k);
    return this;
  }

  /**
   * Folds the parameters' current values into the average, if the optimizer's step count is a
   * multiple of {@link #every()} and they were not folded in at this step count: call it after each
   * step. Returns whether it folded.
   *
   * @throws IllegalStateException if this average is closed, parameters were registered since it
   *     was made, or as {@link Optimizer#step()} does; nothing is folded then
   */
  public boolean update() {
    checkOpen();
    checkSameParameters();
    long step = optimizer.stepCount();
    if (step % every != 0 || step == lastFold) {
      return false;
    }
    if (kind == Kind.EMA) {
      coefficients.ema(decay, updates);
    } else {
      coefficients.swa(updates);
    }
    optimizer.runChunks(fold);
    updates++;
    lastFold = step;
    return true;
  }

  /**
   * Exchanges the parameters' values and the averages, to evaluate with the averages; a second call
   * puts them back. To the bit either way.
   *
   * @throws IllegalStateException as {@link #update()} does
   */
  public void swap() {
    checkOpen();
    checkSameParameters();
    optimizer.checkOpen();
    optimizer.checkParametersReachable();
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment buffer =
          scratch.allocate((long) StepPlan.CHUNK * Float.BYTES, Parameter.STATE_ALIGNMENT);
      for (Parameter p : parameters) {
        MemorySegment average = averages.get(p);
        for (long at = 0, size = p.value.byteSize(); at < size; at += buffer.byteSize()) {
          long n = Math.min(buffer.byteSize(), size - at);
          MemorySegment.copy(p.value, at, buffer, 0, n);
          MemorySegment.copy(average, at, p.value, at, n);
          MemorySegment.copy(buffer, 0, average, at, n);
        }
      }
    }
  }

  /** How many times {@link #update()} has folded the parameters in. */
  public long updates() {
    return updates;
  }

  public Kind kind() {
    return kind;
  }

  /** The EMA's decay d; 0 for SWA. */
  public double decay() {
    return decay;
  }

  /** The optimizer's step count when {@link #update()} last folded; -1 before the first fold. */
  public long lastFold() {
    return lastFold;
  }

  /** {@link #every(long)}'s k. */
  public long every() {
    return every;
  }

  /**
   * The averages, read-only, one per parameter in the order the optimizer's groups hold them (as
   * checkpoints number parameters); float32 in native byte order. Valid until {@link #close()}.
   */
  public List<MemorySegment> averages() {
    checkOpen();
    return Collections.unmodifiableList(views);
  }

  /**
   * Puts back averages saved elsewhere (a checkpoint): copies {@code values} (float32, native byte
   * order, one per parameter as {@link #averages()} lists them), the count of folds and the step
   * count of the last ({@link #lastFold()}).
   *
   * @throws IllegalArgumentException if there are not as many values as parameters or one's length
   *     differs, {@code updates} is negative or {@code lastFold} below -1; nothing is changed then
   */
  public void restore(long updates, long lastFold, List<MemorySegment> values) {
    checkOpen();
    Args.nonNegative("updates", updates);
    if (lastFold < -1) {
      throw new IllegalArgumentException("lastFold must be >= -1, got " + lastFold);
    }
    if (values.size() != parameters.size()) {
      throw new IllegalArgumentException(
          "the average has " + parameters.size() + " parameters, got " + values.size() + " values");
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).byteSize() != parameters.get(i).value.byteSize()) {
        throw new IllegalArgumentException(
            "parameter "
                + i
                + " has "
                + parameters.get(i).count
                + " floats, its saved average "
                + values.get(i).byteSize() / Float.BYTES);
      }
    }
    for (int i = 0; i < values.size(); i++) {
      averages.get(parameters.get(i)).copyFrom(values.get(i));
    }
    this.updates = updates;
    this.lastFold = lastFold;
  }

  private void checkSameParameters() {
    int i = 0;
    for (ParamGroup<?> g : optimizer.groups()) {
      for (Parameter p : g.parameters()) {
        if (i >= parameters.size() || parameters.get(i) != p) {
          throw new IllegalStateException(
              "parameters were registered after this average was made;" + " make a new one");
        }
        i++;
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this weight average is closed");
    }
  }

  /** Frees the averages. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      arena.close();
    }
  }
}
