package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.stride.checkpoint.Checkpoint;
import dev.stride.checkpoint.CheckpointPart;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.AdamWScheduleFree;
import dev.stride.optim.AdamWScheduleFreeOptions;
import dev.stride.optim.Hyperparameters;
import dev.stride.optim.Optimizer;
import dev.stride.optim.ParamGroup;
import dev.stride.optim.Prodigy;
import dev.stride.optim.ProdigyOptions;
import dev.stride.optim.StatePrecision;
import dev.stride.optim.WeightAverage;
import dev.stride.plot.LineChart;
import dev.stride.plot.RangeTestPlot;
import dev.stride.schedule.Schedule;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.training.EarlyStopping;
import dev.stride.training.Mode;
import dev.stride.tuning.Heuristic;
import dev.stride.tuning.RangeTest;
import dev.stride.tuning.RangeTestResult;
import dev.stride.tuning.Suggestion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * An MLP that learns to tell two spirals apart, trained with {@link AdamW} on minibatches under a
 * linear warmup then cosine decay, whose peak rate a learning-rate {@link RangeTest} chooses:
 *
 * <ol>
 *   <li>generate the training and test points ({@link Spirals}) and a 2 → w → w → 2 ReLU network
 *       ({@link Mlp}), everything off-heap;
 *   <li>register the weights with AdamW's weight decay and the biases in a second group without it;
 *   <li>sweep the rate from 1e-4 to 1 over 1000 minibatches, read the valley suggestion off the
 *       loss curve; the sweep leaves the network and AdamW's state as they were;
 *   <li>train for the given epochs, the schedule peaking at the suggested rate, with an EMA of the
 *       weights, stopping early when the loss on a held-out validation split stops falling, and
 *       saving a checkpoint halfway;
 *   <li>measure the accuracy on the training points and on test points the network has not seen,
 *       with the trained weights and with their EMA;
 *   <li>build a fresh network, optimizer, schedule, EMA and early stop, load the halfway checkpoint
 *       into them and train the second half again: it ends with the same losses, to the bit.
 * </ol>
 */
public final class SpiralClassifier {
  /** Arms' turns around the origin: 1.5 puts three arm crossings on a ray from the centre. */
  static final double TURNS = 1.5;

  /**
   * Four decades over 1000 minibatches: this network sits on a plateau for a couple of hundred
   * steps whatever the rate, so over the usual 100 the curve stays flat and its suggestions are
   * noise.
   */
  static final int SWEEP_STEPS = 1000;

  static final RangeTest RANGE_TEST = RangeTest.exponential(1e-4, 1, SWEEP_STEPS);
  static final Heuristic HEURISTIC = Heuristic.VALLEY;

  /** The warmup's share of the steps, and the fraction of the peak rate it starts from. */
  static final double WARMUP_FRACTION = 0.05;

  static final double WARMUP_START = 0.1;

  /** The EMA's decay: about the last hundred steps, four epochs, weigh in. */
  static final double EMA_DECAY = 0.99;

  /**
   * Early stopping on the validation loss: from epoch 10, past the plateau, with patience for the
   * noise of a minibatch run.
   */
  static final EarlyStopping.Builder EARLY_STOPPING =
      EarlyStopping.builder(Mode.MIN).startFromEpoch(10).patience(4).minDelta(1e-4);

  /**
   * What to train: {@code pointsPerClass} training points per arm (and as many test points) with
   * Gaussian noise of standard deviation {@code noise}, two hidden layers of {@code width}, and
   * {@code epochs} passes in minibatches of {@code batchSize}; {@code seed} fixes the data, the
   * initial weights and the batches' order.
   */
  public record Config(
      int pointsPerClass, double noise, int width, int batchSize, int epochs, long seed) {
    public static final Config DEFAULT = new Config(400, 0.04, 64, 32, 60, 7);
  }

  /**
   * The loss and the learning rate of every training step taken, the validation loss after every
   * epoch, the steps in an epoch, and the steps of warmup before the peak rate.
   */
  public record Curves(
      double[] losses,
      double[] lrs,
      double[] validationLosses,
      int stepsPerEpoch,
      long warmupSteps) {}

  /**
   * How a training run ended: the epochs it trained, the epoch whose validation loss was the best,
   * whether the early stop ended it, its last epoch's mean minibatch loss and its last validation
   * loss.
   */
  public record Ending(
      int epochs,
      long bestEpoch,
      boolean stoppedEarly,
      double trainingLoss,
      double validationLoss) {}

  /**
   * What came out: the range test and the suggestion taken from it, the training curves, the share
   * of training and of test points classified right at the end with the trained weights and with
   * their EMA, how training ended, the epoch the halfway checkpoint was saved after, and how the
   * run resumed from that checkpoint ended.
   */
  public record Result(
      RangeTestResult rangeTest,
      Suggestion peak,
      Curves curves,
      double trainAccuracy,
      double testAccuracy,
      double emaTrainAccuracy,
      double emaTestAccuracy,
      Ending ending,
      int checkpointEpoch,
      Ending resumed) {}

  /** The network, its loss and its optimizer: what one training step uses. */
  private record Model<O extends Optimizer<?>>(
      Mlp mlp, SoftmaxCrossEntropy loss, O optimizer, int maxRows) implements AutoCloseable {
    /** Zeroes the gradients, then takes the next batch forward and backward; returns its loss. */
    double lossAndGradients(Minibatches batches) {
      int rows = batches.next();
      optimizer.zeroGrad();
      double l = loss.lossAndGrad(mlp.forward(batches.points(), rows), batches.labels(), rows);
      mlp.backward(loss.grad(), rows);
      return l;
    }

    /** The share of {@code data} classified right, taken in batches of {@code maxRows}. */
    double accuracy(Spirals data) {
      int correct = 0;
      for (int start = 0; start < data.size(); start += maxRows) {
        int rows = Math.min(maxRows, data.size() - start);
        correct += mlp.countCorrect(points(data, start), labels(data, start), rows);
      }
      return (double) correct / data.size();
    }

    /**
     * The mean loss over {@code data}, taken in batches of {@code maxRows}; no gradient is kept.
     */
    double loss(Spirals data) {
      double total = 0;
      for (int start = 0; start < data.size(); start += maxRows) {
        int rows = Math.min(maxRows, data.size() - start);
        total +=
            rows
                * loss.lossAndGrad(
                    mlp.forward(points(data, start), rows), labels(data, start), rows);
      }
      return total / data.size();
    }

    private static MemorySegment points(Spirals data, int start) {
      return data.points().asSlice(JAVA_FLOAT.scale(0, (long) start * Spirals.FEATURES));
    }

    private static MemorySegment labels(Spirals data, int start) {
      return data.labels().asSlice(JAVA_INT.scale(0, start));
    }

    /**
     * A network of {@code config}'s shape initialized from {@code init}, its loss, and AdamW with
     * the weights decayed and, in a second group, the biases not.
     */
    static Model<AdamW> create(Arena arena, Config config, Random init) {
      return create(
          arena,
          config,
          init,
          new AdamW(AdamOptions.ADAMW_DEFAULTS),
          AdamOptions.ADAMW_DEFAULTS.withWeightDecay(0));
    }

    /**
     * As {@link #create(Arena, Config, Random)}, with {@code optimizer} for the weights and its
     * group of {@code biases} for the biases.
     */
    static <O extends Optimizer<H>, H extends Hyperparameters<H>> Model<O> create(
        Arena arena, Config config, Random init, O optimizer, H biases) {
      Mlp mlp =
          new Mlp(
              arena,
              config.batchSize(),
              init,
              Spirals.FEATURES,
              config.width(),
              config.width(),
              Spirals.CLASSES);
      // Decaying the weights limits the network's slopes, which regularizes; decaying the biases
      // would
      // only pull its boundaries toward the origin.
      ParamGroup<H> biasGroup = optimizer.addGroup(biases);
      for (Dense layer : mlp.denseLayers()) {
        optimizer.add(layer.weight(), layer.weightGrad());
        biasGroup.add(layer.bias(), layer.biasGrad());
      }
      return new Model<>(
          mlp,
          new SoftmaxCrossEntropy(arena, Spirals.CLASSES, config.batchSize()),
          optimizer,
          config.batchSize());
    }

    /** Frees the optimizer's state; the network is the arena's. */
    @Override
    public void close() {
      optimizer.close();
    }
  }

  /**
   * A training run's moving parts: the model, its schedule, the EMA of its weights, the early stop,
   * the batches and how many epochs they have served; the checkpoint holds all of them, the epochs
   * through a part of the example's own.
   */
  private static final class Run implements AutoCloseable {
    final Model<AdamW> model;
    final Schedule schedule;
    final ScheduleBinding<AdamOptions> scheduled;
    final WeightAverage ema;
    final EarlyStopping earlyStopping = EARLY_STOPPING.build();
    final Minibatches batches;
    final Checkpoint checkpoint;
    int epochsDone;

    Run(Model<AdamW> model, Minibatches batches, Schedule schedule) {
      this.model = model;
      this.batches = batches;
      this.schedule = schedule;
      scheduled = ScheduleBinding.of(model.optimizer()).lr(schedule);
      ema = WeightAverage.ema(model.optimizer(), EMA_DECAY);
      CheckpointPart data =
          new CheckpointPart() {
            @Override
            public Map<String, ?> state() {
              return Map.of("epochs", epochsDone);
            }

            @Override
            public Runnable restorer(
                Map<String, Object> state, Map<String, MemorySegment> tensors) {
              if (!(state.get("epochs") instanceof Long epochs) || epochs < 0) {
                throw new IllegalArgumentException(
                    "epochs must be a count, got " + state.get("epochs"));
              }
              return () -> {
                epochsDone = Math.toIntExact(epochs);
                batches.skipEpochs(epochs);
              };
            }
          };
      checkpoint =
          Checkpoint.of(model.optimizer())
              .with("schedule", CheckpointPart.of(scheduled))
              .with("ema", CheckpointPart.of(ema))
              .with("early_stopping", CheckpointPart.of(earlyStopping))
              .with("data", data);
    }

    /** The share of {@code data} classified right by the EMA of the weights. */
    double emaAccuracy(Spirals data) {
      ema.swap();
      try {
        return model.accuracy(data);
      } finally {
        ema.swap();
      }
    }

    @Override
    public void close() {
      ema.close();
    }
  }

  private SpiralClassifier() {}

  /**
   * Runs the stages of the class comment, reporting to {@code log}; the halfway checkpoint is
   * written to {@code checkpoint}.
   */
  public static Result train(Config config, Path checkpoint, Log log) {
    try (Arena arena = Arena.ofConfined()) {
      // one seed for each random stream, all drawn from the configured one
      Random seeds = new Random(config.seed());
      int perClass = config.pointsPerClass();
      Spirals train = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      Spirals test = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      try (Model<AdamW> model = Model.create(arena, config, new Random(seeds.nextLong()))) {
        return train(arena, config, seeds, train, test, model, checkpoint, log);
      }
    }
  }

  private static Result train(
      Arena arena,
      Config config,
      Random seeds,
      Spirals train,
      Spirals test,
      Model<AdamW> model,
      Path checkpoint,
      Log log) {
    int perClass = config.pointsPerClass();
    int batch = config.batchSize();
    // Both phases see the batches in the same order: training does not depend on the sweep's
    // length.
    long batchSeed = seeds.nextLong();
    Spirals validation =
        Spirals.generate(arena, perClass / 2, TURNS, config.noise(), seeds.nextLong());

    Minibatches sweepBatches = new Minibatches(arena, train, batch, batchSeed);
    RangeTestResult sweep;
    try (ProgressBar bar = log.progress("  range test", SWEEP_STEPS)) {
      int[] taken = {0};
      sweep =
          RANGE_TEST.run(
              model.optimizer(),
              lr -> {
                double l = model.lossAndGradients(sweepBatches);
                model.optimizer().step();
                bar.update(++taken[0], String.format(Locale.ROOT, "lr %.2e  loss %.4f", lr, l));
                return l;
              });
    }
    Suggestion peak =
        sweep
            .suggestion(HEURISTIC)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the range test stopped too early to suggest a rate: " + sweep));
    log.println(
        String.format(
            Locale.ROOT,
            "  range test: %d of %d steps (%s), suggestions %s; peak rate %.3g (%s)",
            sweep.size(),
            sweep.plannedSteps(),
            sweep.stop(),
            describe(sweep),
            peak.lr(),
            HEURISTIC.label()));

    int perEpoch = sweepBatches.batchesPerEpoch();
    int steps = config.epochs() * perEpoch;
    long warmup = Math.max(1, Math.round(WARMUP_FRACTION * steps));
    Schedule schedule =
        Schedules.linearWarmup(
            warmup, WARMUP_START, Schedules.cosine(peak.lr(), 0, steps - warmup));
    int halfway = config.epochs() / 2;
    Training uninterrupted = new Training(config.epochs(), perEpoch, validation);
    Result result;
    try (Run run = new Run(model, new Minibatches(arena, train, batch, batchSeed), schedule)) {
      Ending ending = uninterrupted.fit(run, halfway, checkpoint, log, "  training");
      result =
          new Result(
              sweep,
              peak,
              uninterrupted.curves(warmup),
              model.accuracy(train),
              model.accuracy(test),
              run.emaAccuracy(train),
              run.emaAccuracy(test),
              ending,
              halfway,
              resume(arena, config, train, schedule, batchSeed, checkpoint, uninterrupted, log));
    }
    log.println(
        String.format(
            Locale.ROOT,
            "  %s after epoch %d of %d (best: %d); validation loss %.4f",
            result.ending().stoppedEarly() ? "stopped early" : "trained",
            result.ending().epochs(),
            config.epochs(),
            result.ending().bestEpoch() + 1,
            result.ending().validationLoss()));
    log.println(
        String.format(
            Locale.ROOT,
            "  accuracy: %.1f %% on the %d training points, %.1f %% on %d test points;"
                + " with the EMA of the weights %.1f %% and %.1f %%",
            100 * result.trainAccuracy(),
            train.size(),
            100 * result.testAccuracy(),
            test.size(),
            100 * result.emaTrainAccuracy(),
            100 * result.emaTestAccuracy()));
    log.println(
        String.format(
            Locale.ROOT,
            "  resumed from the checkpoint after epoch %d: %s",
            halfway,
            result.resumed().equals(result.ending())
                ? "the same losses to the bit"
                : "DIFFERENT losses: " + result.resumed()));
    return result;
  }

  /**
   * A fresh network (initialized otherwise), AdamW, schedule, EMA, early stop and batches; the
   * checkpoint puts the first run's halfway state into them, and they train the rest.
   */
  private static Ending resume(
      Arena arena,
      Config config,
      Spirals train,
      Schedule schedule,
      long batchSeed,
      Path checkpoint,
      Training first,
      Log log) {
    try (Model<AdamW> model = Model.create(arena, config, new Random(~config.seed()));
        Run run =
            new Run(
                model, new Minibatches(arena, train, config.batchSize(), batchSeed), schedule)) {
      run.checkpoint.load(checkpoint);
      return new Training(config.epochs(), first.perEpoch, first.validation)
          .fit(run, -1, null, log, "  resumed");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Training epoch by epoch, and the curves it draws. */
  private static final class Training {
    final int epochs;
    final int perEpoch;
    final Spirals validation;
    final double[] losses;
    final double[] lrs;
    final double[] validationLosses;
    private int stepsTaken;

    Training(int epochs, int perEpoch, Spirals validation) {
      this.epochs = epochs;
      this.perEpoch = perEpoch;
      this.validation = validation;
      losses = new double[epochs * perEpoch];
      lrs = new double[epochs * perEpoch];
      validationLosses = new double[epochs];
    }

    /**
     * Trains {@code run} from the epoch it has reached until the last or the early stop, saving its
     * checkpoint to {@code checkpoint} after epoch {@code saveAfter}.
     */
    Ending fit(Run run, int saveAfter, Path checkpoint, Log log, String label) {
      Model<AdamW> model = run.model;
      double epochLoss = 0;
      int epoch = run.epochsDone;
      try (ProgressBar bar = log.progress(label, (epochs - epoch) * perEpoch)) {
        for (int done = 0; epoch < epochs; epoch++) {
          epochLoss = 0;
          for (int b = 0; b < perEpoch; b++, done++) {
            int step = epoch * perEpoch + b;
            lrs[step] = run.schedule.valueAt(step);
            losses[step] = model.lossAndGradients(run.batches);
            run.scheduled.step(); // sets the rate to lrs[step], then steps AdamW
            run.ema.update();
            epochLoss += losses[step];
            stepsTaken = step + 1;
            bar.update(
                done + 1,
                String.format(
                    Locale.ROOT,
                    "epoch %d/%d  loss %.4f  lr %.2e",
                    epoch + 1,
                    epochs,
                    epochLoss / (b + 1),
                    lrs[step]));
          }
          run.epochsDone = epoch + 1;
          validationLosses[epoch] = model.loss(validation);
          boolean stop = run.earlyStopping.observe(validationLosses[epoch]);
          if (run.epochsDone == saveAfter) {
            try {
              run.checkpoint.save(checkpoint);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          if (stop) {
            epoch++;
            break;
          }
        }
      }
      return new Ending(
          epoch,
          run.earlyStopping.bestEpoch(),
          run.earlyStopping.shouldStop(),
          epochLoss / perEpoch,
          validationLosses[epoch - 1]);
    }

    Curves curves(long warmup) {
      int epochsTaken = (stepsTaken + perEpoch - 1) / perEpoch;
      return new Curves(
          Arrays.copyOf(losses, stepsTaken),
          Arrays.copyOf(lrs, stepsTaken),
          Arrays.copyOf(validationLosses, epochsTaken),
          perEpoch,
          warmup);
    }
  }

  /**
   * A run with a rule that needs no rate: its loss at every step and its accuracy on the training
   * and test points (Schedule-Free's at its averaged point x, as it is evaluated).
   */
  public record LearningRateFree(
      String rule, double[] losses, double trainAccuracy, double testAccuracy) {}

  /**
   * The same network, data, initial weights and batches as {@link #train}, for as many epochs,
   * trained by Prodigy (its defaults: lr 1, d0 1e-6) and by Schedule-Free AdamW (its defaults: lr
   * 0.0025, no warmup): no range test, no schedule, no early stop. Weight decay 0.01 on the
   * weights, none on the biases, as the AdamW run has.
   */
  public static List<LearningRateFree> trainLearningRateFree(Config config, Log log) {
    List<LearningRateFree> runs = new ArrayList<>();
    runs.add(
        trainLearningRateFree(
            config,
            "Prodigy",
            (arena, init) ->
                Model.create(
                    arena,
                    config,
                    init,
                    new Prodigy(ProdigyOptions.DEFAULTS.withWeightDecay(0.01)),
                    ProdigyOptions.DEFAULTS),
            log));
    runs.add(
        trainLearningRateFree(
            config,
            "Schedule-Free AdamW",
            (arena, init) -> {
              AdamWScheduleFree sf =
                  new AdamWScheduleFree(AdamWScheduleFreeOptions.DEFAULTS.withWeightDecay(0.01));
              sf.train();
              return Model.create(arena, config, init, sf, AdamWScheduleFreeOptions.DEFAULTS);
            },
            log));
    return runs;
  }

  /** How a run from the tuned run's start makes its model. */
  private interface ModelFactory {
    Model<? extends Optimizer<?>> create(Arena arena, Random init);
  }

  private static LearningRateFree trainLearningRateFree(
      Config config, String rule, ModelFactory factory, Log log) {
    Trained t = trainFromTheStart(config, rule, factory, null, log);
    return new LearningRateFree(rule, t.losses(), t.trainAccuracy(), t.testAccuracy());
  }

  /** What a run from the tuned run's start gives: its loss at every step and its accuracies. */
  private record Trained(double[] losses, double trainAccuracy, double testAccuracy) {}

  /**
   * Trains a model {@code factory} makes, from the same data, initial weights and batches as {@link
   * #train}, for all the epochs: with the learning rate {@code schedule} gives (bound to the
   * optimizer's first group; the second, the biases', gets the same), or none.
   */
  private static Trained trainFromTheStart(
      Config config, String label, ModelFactory factory, Schedule schedule, Log log) {
    try (Arena arena = Arena.ofConfined()) {
      // the seeds in the order train() draws them: the data, the weights, the batches
      Random seeds = new Random(config.seed());
      int perClass = config.pointsPerClass();
      Spirals train = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      Spirals test = Spirals.generate(arena, perClass, TURNS, config.noise(), seeds.nextLong());
      try (Model<? extends Optimizer<?>> model =
          factory.create(arena, new Random(seeds.nextLong()))) {
        Minibatches batches = new Minibatches(arena, train, config.batchSize(), seeds.nextLong());
        double[] losses = new double[config.epochs() * batches.batchesPerEpoch()];
        try (ProgressBar bar = log.progress("  " + label, losses.length)) {
          for (int step = 0; step < losses.length; step++) {
            if (schedule != null) {
              for (ParamGroup<?> group : model.optimizer().groups()) {
                group.setLr(schedule.valueAt(step));
              }
            }
            losses[step] = model.lossAndGradients(batches);
            model.optimizer().step();
            bar.update(step + 1, String.format(Locale.ROOT, "loss %.4f", losses[step]));
          }
        }
        if (model.optimizer() instanceof AdamWScheduleFree sf) {
          sf.eval(); // the parameters at the averaged point, where Schedule-Free is evaluated
        }
        Trained run = new Trained(losses, model.accuracy(train), model.accuracy(test));
        String estimate =
            model.optimizer() instanceof Prodigy p
                ? String.format(Locale.ROOT, "; its step size d ended at %.3g", p.d())
                : "";
        log.println(
            String.format(
                Locale.ROOT,
                "  %s: %.1f %% of the training points, %.1f %% of" + " the test points%s",
                label,
                100 * run.trainAccuracy(),
                100 * run.testAccuracy(),
                estimate));
        return run;
      }
    }
  }

  /**
   * A run of the tuned AdamW with reduced-precision state: its precision, its loss at every step
   * and its accuracy on the training and test points.
   */
  public record LowPrecisionRun(
      StatePrecision precision, double[] losses, double trainAccuracy, double testAccuracy) {}

  /**
   * The precisions of {@link #trainLowPrecision}: torchao's 8-bit and 4-bit codes, in blocks of 64
   * from 64 elements, so that every weight and every bias but the last layer's two is quantized
   * (torchao's own threshold, 4096 elements, would quantize the middle weight alone).
   */
  static final List<StatePrecision> LOW_PRECISIONS =
      List.of(
          StatePrecision.torchao8bit().withBlockSize(64).withMinQuantizedSize(64),
          StatePrecision.torchao4bit().withBlockSize(64).withMinQuantizedSize(64));

  /**
   * The tuned AdamW run of {@code tuned} again, from its start (the same data, initial weights and
   * batches) on its schedule (warmup then cosine to the range test's peak), for all the epochs with
   * no early stop, with AdamW's moments kept in each of {@link #LOW_PRECISIONS} instead of float32.
   */
  public static List<LowPrecisionRun> trainLowPrecision(Config config, Result tuned, Log log) {
    int perEpoch = tuned.curves().stepsPerEpoch();
    int steps = config.epochs() * perEpoch;
    long warmup = tuned.curves().warmupSteps();
    Schedule schedule =
        Schedules.linearWarmup(
            warmup, WARMUP_START, Schedules.cosine(tuned.peak().lr(), 0, steps - warmup));
    List<LowPrecisionRun> runs = new ArrayList<>();
    for (StatePrecision precision : LOW_PRECISIONS) {
      Trained t =
          trainFromTheStart(
              config,
              "AdamW, " + precision.format().label() + " state",
              (arena, init) -> {
                AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS);
                adamW.group(0).setStatePrecision(precision);
                Model<AdamW> model =
                    Model.create(
                        arena, config, init, adamW, AdamOptions.ADAMW_DEFAULTS.withWeightDecay(0));
                adamW.group(1).setStatePrecision(precision);
                return model;
              },
              schedule,
              log);
      runs.add(new LowPrecisionRun(precision, t.losses(), t.trainAccuracy(), t.testAccuracy()));
    }
    return runs;
  }

  /**
   * Writes, in {@code dir}, the training loss of the tuned AdamW run beside the learning-rate-free
   * runs' ({@code spiral-lr-free}), each as the mean over its last epoch.
   */
  public static List<Path> charts(Result tuned, List<LearningRateFree> free, Path dir) {
    LineChart.Builder chart =
        besideTheTunedRun(
            tuned,
            free.getFirst().losses().length,
            "Two spirals: tuned AdamW against rules that need no rate",
            "AdamW, range test + warmup + cosine");
    for (LearningRateFree run : free) {
      chart.series(
          String.format(
              Locale.ROOT, "%s, defaults (test %.1f %%)", run.rule(), 100 * run.testAccuracy()),
          trailingMean(run.losses(), tuned.curves().stepsPerEpoch()));
    }
    return chart.build().write(dir.resolve("spiral-lr-free"));
  }

  /**
   * Writes, in {@code dir}, the training loss of the tuned AdamW run (float32 state) beside the
   * same run's with 8-bit and 4-bit state ({@code spiral-low-precision}), each as the mean over its
   * last epoch.
   */
  public static List<Path> chartsLowPrecision(Result tuned, List<LowPrecisionRun> runs, Path dir) {
    LineChart.Builder chart =
        besideTheTunedRun(
            tuned,
            runs.getFirst().losses().length,
            "Two spirals: AdamW with float32, 8-bit and 4-bit state",
            "AdamW, float32 state");
    for (LowPrecisionRun run : runs) {
      chart.series(
          String.format(
              Locale.ROOT,
              "AdamW, %s state (test %.1f %%)",
              run.precision().format().label(),
              100 * run.testAccuracy()),
          trailingMean(run.losses(), tuned.curves().stepsPerEpoch()));
    }
    return chart.build().write(dir.resolve("spiral-low-precision"));
  }

  /** A chart of {@code steps} steps with the tuned run's loss, cut where its early stop was. */
  private static LineChart.Builder besideTheTunedRun(
      Result tuned, int steps, String title, String label) {
    int perEpoch = tuned.curves().stepsPerEpoch();
    double[] x = new double[steps];
    Arrays.setAll(x, i -> i);
    // the AdamW run stopped early: its curve ends there
    double[] adamW = Arrays.copyOf(trailingMean(tuned.curves().losses(), perEpoch), steps);
    Arrays.fill(adamW, Math.min(tuned.curves().losses().length, steps), steps, Double.NaN);
    return LineChart.builder("step", x)
        .title(title)
        .yLabel("cross-entropy, mean over the last epoch")
        .logY(true)
        .series(
            String.format(Locale.ROOT, "%s (test %.1f %%)", label, 100 * tuned.testAccuracy()),
            adamW);
  }

  /**
   * Writes, in {@code dir}, the range test ({@code spiral-range-test}), the training loss ({@code
   * spiral-loss}) and the schedule ({@code spiral-lr}), each as PNG, SVG and CSV.
   */
  public static List<Path> charts(Result result, Path dir) {
    Curves curves = result.curves();
    double[] steps = new double[curves.losses().length];
    Arrays.setAll(steps, i -> i);
    String warmupEnds = "warmup ends";
    List<Path> written =
        new ArrayList<>(RangeTestPlot.render(result.rangeTest(), dir.resolve("spiral-range-test")));
    written.addAll(
        LineChart.builder("step", steps)
            .title(
                String.format(
                    Locale.ROOT,
                    "Two spirals, AdamW: training loss (test accuracy %.1f %%)",
                    100 * result.testAccuracy()))
            .yLabel("cross-entropy")
            .logY(true)
            .series("minibatch loss", curves.losses())
            .series(
                "mean over the last epoch", trailingMean(curves.losses(), curves.stepsPerEpoch()))
            .marker(curves.warmupSteps(), warmupEnds)
            .build()
            .write(dir.resolve("spiral-loss")));
    written.addAll(
        LineChart.builder("step", steps)
            .title(
                String.format(
                    Locale.ROOT,
                    "Warmup then cosine to the range test's %s, %.2g",
                    result.peak().heuristic().label(),
                    result.peak().lr()))
            .yLabel("learning rate")
            .series("learning rate", curves.lrs())
            .marker(curves.warmupSteps(), warmupEnds)
            .build()
            .write(dir.resolve("spiral-lr")));
    return written;
  }

  /** The mean of each value and the {@code window − 1} before it (fewer at the start). */
  private static double[] trailingMean(double[] values, int window) {
    double[] means = new double[values.length];
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += values[i] - (i >= window ? values[i - window] : 0);
      means[i] = sum / Math.min(i + 1, window);
    }
    return means;
  }

  private static String describe(RangeTestResult sweep) {
    StringBuilder text = new StringBuilder();
    for (Suggestion s : sweep.suggestions()) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.3g", s.heuristic().label(), s.lr()));
    }
    return text.toString();
  }
}
