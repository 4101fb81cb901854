package dev.stride.training;

import dev.stride.internal.Args;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.OptimizerSnapshot;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Says when to stop training because a metric measured after each epoch (a validation loss, an
 * accuracy) has stopped improving, with Keras's {@code EarlyStopping} semantics. For the metric m
 * of epoch e (epochs count from 0, one per {@link #observe}):
 *
 * <ul>
 *   <li>before {@code startFromEpoch} nothing happens (a warm-up in which no improvement is
 *       expected);
 *   <li>m improves on a reference r if {@code m + minDelta < r} (mode {@code MIN}) or {@code m −
 *       minDelta > r} ({@code MAX});
 *   <li>each epoch adds one to a wait; one that improves on the best so far becomes the best epoch
 *       and, if it also improves on the {@code baseline} (or there is none), clears the wait;
 *   <li>one that does not improve, at e &gt; 0 and with the wait at {@code patience} or more, says
 *       stop: {@link #observe} returns true from then on.
 * </ul>
 *
 * <p>With {@code restoreBestWeights}, the weights are saved (through {@link BestWeights}) at each
 * new best and at the first epoch watched, and {@link #end()} puts the best back, as Keras does at
 * the end of training. Its {@link State} can be read and restored, to checkpoint a run. Not
 * thread-safe.
 */
public final class EarlyStopping {

  /**
   * Where the best weights are kept: saved when an epoch is the best so far, restored at the end.
   */
  public interface BestWeights {
    /** The weights as they are now are the best so far: keep them. */
    void save();

    /** Puts the weights kept last back. */
    void restore();

    /**
     * Keeps them as an {@link Optimizer#snapshot()}, in memory: restoring puts the optimizer back
     * as it was at the end of the best epoch, its state and step counts with the weights. Close it
     * to free the copy. A snapshot does not survive the process: after a resume from a checkpoint
     * it holds weights from the next best epoch on.
     */
    static <H extends Hyperparameters<H>> Snapshots<H> snapshots(Optimizer<H> optimizer) {
      return new Snapshots<>(optimizer);
    }
  }

  /** {@link BestWeights#snapshots}. */
  public static final class Snapshots<H extends Hyperparameters<H>>
      implements BestWeights, AutoCloseable {
    private final Optimizer<H> optimizer;
    private OptimizerSnapshot<H> best;

    private Snapshots(Optimizer<H> optimizer) {
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    @Override
    public void save() {
      OptimizerSnapshot<H> next = optimizer.snapshot();
      close();
      best = next;
    }

    /**
     * @throws IllegalStateException if nothing was saved since this was made (weights saved before
     *     a resume live in the process that saved them)
     */
    @Override
    public void restore() {
      if (best == null) {
        throw new IllegalStateException(
            "no best weights were saved in this process since the snapshots were made; after a"
                + " resume, keep them where they survive it (a checkpoint file)");
      }
      best.restore();
    }

    @Override
    public void close() {
      if (best != null) {
        best.close();
        best = null;
      }
    }
  }

  /**
   * Everything that changes as metrics arrive: the epochs observed, the wait (Keras's {@code wait}:
   * epochs since the last improvement that cleared it), the best metric (±∞ before any) and its
   * epoch, the epoch that said stop (−1 while none has), and whether best weights were saved.
   *
   * @throws IllegalArgumentException if a count is negative or best is NaN, naming it
   */
  public record State(
      long epochs,
      long epochsWaited,
      double best,
      long bestEpoch,
      long stoppedEpoch,
      boolean bestWeightsSaved) {
    public State {
      Args.nonNegative("state.epochs", epochs);
      Args.nonNegative("state.epochsWaited", epochsWaited);
      if (Double.isNaN(best)) {
        throw new IllegalArgumentException("state.best must not be NaN");
      }
      Args.nonNegative("state.bestEpoch", bestEpoch);
      if (stoppedEpoch < -1) {
        throw new IllegalArgumentException("state.stoppedEpoch must be >= -1, got " + stoppedEpoch);
      }
    }
  }

  private final Mode mode;
  private final double minDelta;
  private final long patience;
  private final Double baseline;
  private final long startFromEpoch;
  private final BestWeights weights;
  private State state;

  private EarlyStopping(Builder b) {
    mode = Objects.requireNonNull(b.mode, "mode");
    minDelta = Args.nonNegative("minDelta", b.minDelta);
    patience = Args.nonNegative("patience", b.patience);
    baseline = b.baseline == null ? null : Args.finite("baseline", b.baseline);
    startFromEpoch = Args.nonNegative("startFromEpoch", b.startFromEpoch);
    weights = b.weights;
    state =
        new State(
            0,
            0,
            mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY,
            0,
            -1,
            false);
  }

  /**
   * Keras's defaults otherwise: minDelta 0, patience 0, no baseline, from epoch 0, no weights kept.
   */
  public static Builder builder(Mode mode) {
    return new Builder(mode);
  }

  /** Takes the metric measured at the end of the next epoch; returns {@link #shouldStop()}. */
  public boolean observe(double metric) {
    State s = state;
    long epoch = s.epochs;
    long wait = s.epochsWaited;
    double best = s.best;
    long bestEpoch = s.bestEpoch;
    long stopped = s.stoppedEpoch;
    boolean saved = s.bestWeightsSaved;
    if (epoch >= startFromEpoch) {
      if (weights != null && !saved) {
        weights.save(); // the first epoch watched: its weights are the best so far
        saved = true;
        bestEpoch = epoch;
      }
      wait++;
      if (improves(metric, best)) {
        best = metric;
        bestEpoch = epoch;
        if (weights != null) {
          weights.save();
        }
        if (baseline == null || improves(metric, baseline)) {
          wait = 0;
        }
      } else if (wait >= patience && epoch > 0) {
        stopped = epoch;
      }
    }
    state = new State(epoch + 1, wait, best, bestEpoch, stopped, saved);
    return shouldStop();
  }

  private boolean improves(double metric, double reference) {
    return mode == Mode.MIN ? metric + minDelta < reference : metric - minDelta > reference;
  }

  /** Whether an epoch has said stop. */
  public boolean shouldStop() {
    return state.stoppedEpoch >= 0;
  }

  /** The epoch that said stop (the last one, if observed after), if any has. */
  public OptionalLong stoppedEpoch() {
    return shouldStop() ? OptionalLong.of(state.stoppedEpoch) : OptionalLong.empty();
  }

  /** The best metric so far: +∞ ({@code MIN}) or −∞ ({@code MAX}) before any. */
  public double best() {
    return state.best;
  }

  /** The epoch of the best metric (0 before any), whose weights {@link #end()} restores. */
  public long bestEpoch() {
    return state.bestEpoch;
  }

  /**
   * Ends training: with {@code restoreBestWeights}, puts the best weights back if any were saved.
   * Returns whether it did.
   */
  public boolean end() {
    if (weights != null && state.bestWeightsSaved) {
      weights.restore();
      return true;
    }
    return false;
  }

  public State state() {
    return state;
  }

  /**
   * Continues from a state read with {@link #state()}, from this or an identically built instance.
   */
  public void restore(State state) {
    this.state = Objects.requireNonNull(state, "state");
  }

  @Override
  public String toString() {
    return "EarlyStopping["
        + mode
        + ", minDelta "
        + minDelta
        + ", patience "
        + patience
        + (baseline == null ? "" : ", baseline " + baseline)
        + ", from epoch "
        + startFromEpoch
        + (weights == null ? "" : ", restoring best weights")
        + ", "
        + state
        + "]";
  }

  /** Options with Keras's defaults. */
  public static final class Builder {
    private final Mode mode;
    private double minDelta;
    private long patience;
    private Double baseline;
    private long startFromEpoch;
    private BestWeights weights;

    private Builder(Mode mode) {
      this.mode = mode;
    }

    /**
     * How much a metric must beat the best by to count as an improvement (default 0). Keras takes
     * the absolute value of a negative one; here it must be ≥ 0.
     */
    public Builder minDelta(double minDelta) {
      this.minDelta = minDelta;
      return this;
    }

    /** Epochs without improvement after which to stop (default 0: the first). */
    public Builder patience(long patience) {
      this.patience = patience;
      return this;
    }

    /** A value the metric must improve on for an improvement to clear the wait (default none). */
    public Builder baseline(double baseline) {
      this.baseline = baseline;
      return this;
    }

    /** Epochs of warm-up whose metrics are ignored (default 0). */
    public Builder startFromEpoch(long startFromEpoch) {
      this.startFromEpoch = startFromEpoch;
      return this;
    }

    /** Keeps the best epoch's weights through {@code weights}, for {@link EarlyStopping#end()}. */
    public Builder restoreBestWeights(BestWeights weights) {
      this.weights = Objects.requireNonNull(weights, "weights");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the argument: minDelta negative or not finite,
     *     patience or startFromEpoch negative, baseline not finite
     */
    public EarlyStopping build() {
      return new EarlyStopping(this);
    }
  }
}
