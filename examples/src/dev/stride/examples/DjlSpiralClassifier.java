package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.RandomUtils;
import dev.stride.checkpoint.Checkpoint;
import dev.stride.checkpoint.CheckpointPart;
import dev.stride.djl.StrideOptimizer;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Clipping;
import dev.stride.plot.LineChart;
import dev.stride.schedule.Schedule;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two spirals of {@link SpiralClassifier}, trained by DJL: an MLP of DJL blocks ({@code
 * SequentialBlock}, {@code Linear}, ReLU), softmax cross-entropy, DJL's {@code Trainer} driven by
 * {@code EasyTrain.trainBatch} and {@code trainer.step()} over an {@code ArrayDataset}. Twice, from
 * the same initial weights and the same batches: with {@link StrideOptimizer} AdamW under a linear
 * warmup then cosine schedule, clipped by norm, its biases in a group without weight decay; and
 * with DJL's own {@code Optimizer.adam()} at the same peak rate. The Stride run saves a {@link
 * Checkpoint} halfway (AdamW's state, the weights, the schedule's position), and a fresh DJL model
 * resumed from it trains the second half to the same losses, to the bit.
 */
public final class DjlSpiralClassifier {
  /** The rate both runs peak at: what the range test suggests for this network (README). */
  static final double PEAK_LR = 0.005;

  static final double WARMUP_FRACTION = 0.05;
  static final double CLIP_NORM = 1.0;
  static final double WEIGHT_DECAY = 0.01;

  /**
   * What to train: as {@link SpiralClassifier.Config}, on DJL.
   *
   * @param seed fixes the data, the initial weights and the batches' order
   */
  public record Config(
      int pointsPerClass, double noise, int width, int batchSize, int epochs, long seed) {
    /**
     * The spirals and network of {@link SpiralClassifier.Config#DEFAULT} in batches of 64 for 40
     * epochs (520 steps): DJL's trainer costs milliseconds a batch whatever the optimizer.
     */
    public static final Config DEFAULT = new Config(400, 0.04, 64, 64, 40, 7);
  }

  /**
   * One run: its minibatch losses, the share of training and test points it classifies right, and
   * the seconds per epoch it took in all and in {@code trainer.step()}.
   */
  public record Run(
      String label,
      double[] losses,
      double trainAccuracy,
      double testAccuracy,
      double secondsPerEpoch,
      double stepSecondsPerEpoch) {}

  /**
   * Both runs, the epoch after which the Stride run saved its checkpoint, and the losses of the
   * second half trained again by a fresh model from it.
   */
  public record Result(Run stride, Run djl, int checkpointEpoch, double[] resumedLosses) {}

  private DjlSpiralClassifier() {}

  /** Trains both runs and the resumed half, reporting to {@code log}. */
  public static Result train(Config config, Path checkpoint, Log log) {
    try (Arena arena = Arena.ofConfined();
        NDManager manager = NDManager.newBaseManager(StrideOptimizer.ENGINE)) {
      java.util.Random seeds = new java.util.Random(config.seed());
      int perClass = config.pointsPerClass();
      Spirals train =
          Spirals.generate(
              arena, perClass, SpiralClassifier.TURNS, config.noise(), seeds.nextLong());
      Spirals test =
          Spirals.generate(
              arena, perClass, SpiralClassifier.TURNS, config.noise(), seeds.nextLong());
      Data data = new Data(manager, train, test, config.batchSize());
      int initSeed = seeds.nextInt();
      long batchSeed = seeds.nextLong();
      int half = config.epochs() / 2;
      Run stride;
      try (Training run = new Training(config, data, initSeed, batchSeed, stride(config, data))) {
        stride = run.train("StrideOptimizer AdamW", 0, config.epochs(), half, checkpoint, log);
      }
      Run djl;
      try (Training run = new Training(config, data, initSeed, batchSeed, null)) {
        djl = run.train("DJL's Adam", 0, config.epochs(), -1, null, log);
      }
      double[] resumed;
      // another initial draw: the checkpoint's weights replace it
      try (Training run =
          new Training(config, data, initSeed + 1, batchSeed, stride(config, data))) {
        run.resume(checkpoint);
        resumed = run.train("resumed", half, config.epochs(), -1, null, log).losses();
      }
      return new Result(stride, djl, half, resumed);
    }
  }

  /** The schedule and optimizer of the Stride run, the steps of {@code data} known. */
  private static StrideSetup stride(Config config, Data data) {
    StrideOptimizer optimizer =
        StrideOptimizer.of("AdamW", Map.of("lr", PEAK_LR, "weight_decay", WEIGHT_DECAY));
    AdamW adamw = (AdamW) optimizer.optimizer();
    adamw.addGroup(AdamOptions.ADAMW_DEFAULTS.withLr(PEAK_LR).withWeightDecay(0));
    optimizer.route(p -> p.name().equals("bias") ? 1 : 0);
    adamw.setClipping(Clipping.byNorm(CLIP_NORM));
    long steps = (long) config.epochs() * data.batchesPerEpoch();
    long warmup = Math.round(WARMUP_FRACTION * steps);
    Schedule lr =
        Schedules.linearWarmup(warmup, 0.1 * PEAK_LR, Schedules.cosine(PEAK_LR, 0, steps - warmup));
    ScheduleBinding<AdamOptions> binding = ScheduleBinding.of(adamw).lr(lr);
    optimizer.stepWith(binding::step);
    return new StrideSetup(optimizer, binding);
  }

  private record StrideSetup(StrideOptimizer optimizer, ScheduleBinding<AdamOptions> binding) {}

  /** The data set as DJL arrays: the training points as an ArrayDataset, the test points. */
  private record Data(
      ArrayDataset train,
      NDArray trainX,
      NDArray trainY,
      NDArray testX,
      NDArray testY,
      int batchesPerEpoch) {
    Data(NDManager manager, Spirals train, Spirals test, int batchSize) {
      this(manager, x(manager, train), y(manager, train), test, batchSize);
    }

    private Data(NDManager manager, NDArray trainX, NDArray trainY, Spirals test, int batchSize) {
      this(
          new ArrayDataset.Builder()
              .setData(trainX)
              .optLabels(trainY)
              .setSampling(batchSize, true)
              .build(),
          trainX,
          trainY,
          x(manager, test),
          y(manager, test),
          (int) Math.ceil(trainX.getShape().get(0) / (double) batchSize));
    }

    private static NDArray x(NDManager manager, Spirals s) {
      return manager.create(s.points().toArray(JAVA_FLOAT), new Shape(s.size(), Spirals.FEATURES));
    }

    private static NDArray y(NDManager manager, Spirals s) {
      float[] labels = new float[s.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = s.labels().getAtIndex(JAVA_INT, i);
      }
      return manager.create(labels);
    }
  }

  /**
   * A DJL model and trainer with Stride's optimizer (or DJL's Adam when {@code stride} is null).
   */
  private static final class Training implements AutoCloseable {
    private final Config config;
    private final Data data;
    private final long batchSeed;
    private final StrideSetup stride;
    private final Model model;
    private final Trainer trainer;
    private final List<Double> losses = new ArrayList<>();

    Training(Config config, Data data, int initSeed, long batchSeed, StrideSetup stride) {
      this.config = config;
      this.data = data;
      this.batchSeed = batchSeed;
      this.stride = stride;
      int width = config.width();
      model = Model.newInstance("spirals", StrideOptimizer.ENGINE);
      model.setBlock(
          new SequentialBlock()
              .add(Linear.builder().setUnits(width).build())
              .add(Activation.reluBlock())
              .add(Linear.builder().setUnits(width).build())
              .add(Activation.reluBlock())
              .add(Linear.builder().setUnits(Spirals.CLASSES).build()));
      Optimizer optimizer =
          stride != null
              ? stride.optimizer()
              : Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) PEAK_LR)).build();
      trainer =
          model.newTrainer(
              new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                  .optOptimizer(optimizer)
                  .addTrainingListeners(
                      new TrainingListenerAdapter() {
                        @Override
                        public void onTrainingBatch(Trainer t, BatchData batch) {
                          NDList labels = batch.getLabels().values().iterator().next();
                          NDList predictions = batch.getPredictions().values().iterator().next();
                          losses.add((double) t.getLoss().evaluate(labels, predictions).getFloat());
                        }
                      }));
      Engine.getEngine(StrideOptimizer.ENGINE).setRandomSeed(initSeed);
      trainer.initialize(new Shape(1, Spirals.FEATURES));
      if (stride != null) {
        stride.optimizer().register(model.getBlock()); // block order: a checkpoint's order
      }
    }

    /** Epochs {@code [from, to)}; saves the checkpoint after epoch {@code saveAfter} if ≥ 0. */
    Run train(String label, int from, int to, int saveAfter, Path checkpoint, Log log) {
      long stepNanos = 0;
      long start = System.nanoTime();
      try (ProgressBar bar = log.progress(label, to - from)) {
        for (int epoch = from; epoch < to; epoch++) {
          RandomUtils.RANDOM.setSeed(batchSeed + epoch); // the same batches in every run
          for (Batch batch : trainer.iterateDataset(data.train())) {
            EasyTrain.trainBatch(trainer, batch);
            long t = System.nanoTime();
            trainer.step();
            stepNanos += System.nanoTime() - t;
            batch.close();
          }
          if (epoch + 1 == saveAfter) {
            checkpoint().save(checkpoint);
          }
          int done = losses.size();
          bar.update(
              epoch + 1 - from,
              String.format(Locale.ROOT, "loss %.4f", done > 0 ? losses.get(done - 1) : 0));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (TranslateException e) {
        throw new IllegalStateException(e);
      }
      int epochs = to - from;
      Run run =
          new Run(
              label,
              losses.stream().mapToDouble(Double::doubleValue).toArray(),
              accuracy(data.trainX(), data.trainY()),
              accuracy(data.testX(), data.testY()),
              (System.nanoTime() - start) / 1e9 / epochs,
              stepNanos / 1e9 / epochs);
      log.println(
          String.format(
              Locale.ROOT,
              "  %s: test accuracy %.1f %% (training %.1f %%), %.0f ms per epoch, %.1f ms of it in"
                  + " trainer.step()",
              label,
              100 * run.testAccuracy(),
              100 * run.trainAccuracy(),
              1e3 * run.secondsPerEpoch(),
              1e3 * run.stepSecondsPerEpoch()));
      return run;
    }

    /** AdamW's state, the weights and the schedule's position, in one file. */
    private Checkpoint checkpoint() {
      return Checkpoint.of(stride.optimizer().optimizer())
          .with("schedule", CheckpointPart.of(stride.binding()));
    }

    void resume(Path file) {
      try {
        checkpoint().load(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private double accuracy(NDArray x, NDArray y) {
      try (NDManager scope = trainer.getManager().newSubManager()) {
        NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
        predicted.attach(scope);
        NDArray right = predicted.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).eq(y);
        right.attach(scope);
        return right.sum().getLong() / (double) y.size();
      }
    }

    @Override
    public void close() {
      trainer.close();
      model.close();
      if (stride != null) {
        stride.optimizer().close();
      }
    }
  }

  /** The two runs' losses in one chart (PNG, SVG and CSV): {@code spiral-djl-loss}. */
  public static List<Path> charts(Result result, Path dir) {
    double[] steps = new double[result.stride().losses().length];
    Arrays.setAll(steps, i -> i);
    return LineChart.builder("step", steps)
        .title(
            String.format(
                Locale.ROOT,
                "Two spirals on DJL: StrideOptimizer AdamW (test %.1f %%) and DJL's Adam (%.1f %%)",
                100 * result.stride().testAccuracy(),
                100 * result.djl().testAccuracy()))
        .yLabel("cross-entropy")
        .logY(true)
        .series(result.stride().label() + ", warmup + cosine, clipped", result.stride().losses())
        .series(result.djl().label() + ", constant rate", result.djl().losses())
        .build()
        .write(dir.resolve("spiral-djl-loss"));
  }
}
